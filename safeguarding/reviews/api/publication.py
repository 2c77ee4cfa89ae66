"""API v1: the publication of a practice review's report, under `reviews/{review_pk}/publication/`.

The same services and rules as the publication pages: those who may see the review read it (and the
identifier scan); the business unit or the chair decide (defer, resume, learning only, mark a hit as
intended, the NSPCC copy); the independent reviewer may also upload the file. Publishing itself is the
review's `transition` to `published`. A review the caller may not see answers 404.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.utils.text import capfirst
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from safeguarding.api.exceptions import id_or_404, validated
from safeguarding.api.people import person
from safeguarding.api.schema import ERROR_RESPONSES, BadRequestSerializer, ErrorSerializer
from safeguarding.core.services import record_activity
from safeguarding.reviews import publication, services
from safeguarding.reviews.enums import DeferralReason
from safeguarding.reviews.models import IdentifierHit, Review
from safeguarding.reviews.queries import practice_or_none, reviews_visible_to, with_related

TAGS = ["Case reviews: publication"]
ERRORS = {
    **ERROR_RESPONSES,
    400: OpenApiResponse(BadRequestSerializer, description="The request has errors (`errors` names the field)."),
}
CONFLICT = OpenApiResponse(ErrorSerializer, description="The review changed since the `version` you sent.")
REVIEW = OpenApiParameter("review_pk", int, OpenApiParameter.PATH, description="The review's id.")
HIT = OpenApiParameter("hit_id", int, OpenApiParameter.PATH, description="The hit's id (in the current report).")


class IdentifierHitSerializer(serializers.ModelSerializer):
    class Meta:
        model = IdentifierHit
        fields = [
            "id", "kind", "label", "from_records", "start", "end", "found", "preview",
            "intended", "intended_reason", "marked_at",
        ]  # fmt: skip
        read_only_fields = fields


class PublicationReportSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    format = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()
    text_length = serializers.IntegerField()


class PublicationDeferralSerializer(serializers.Serializer):
    reason_kind = serializers.CharField()
    reason = serializers.CharField()
    deferred_on = serializers.DateField()
    review_by = serializers.DateField()


class PublicationSerializer(serializers.Serializer):
    review_version = serializers.IntegerField(help_text="Send it back as `version` with a decision.")
    kind = serializers.CharField()
    statutory = serializers.BooleanField(help_text="LCSPR or serious case review: the statutory rules apply.")
    scope = serializers.CharField(help_text="full, or learning_only.")
    learning_only_reasons = serializers.CharField()
    learning_summary = serializers.CharField()
    target_publication_on = serializers.DateField(
        allow_null=True, help_text="None for another learning review and for a serious case review."
    )
    target_completion_on = serializers.DateField(
        allow_null=True,
        help_text="A serious case review's completion target: within 6 months of the decision to hold it (Working "
        "Together 2015, chapter 4); a deferral of publication does not move it. None for other reviews.",
    )
    deferred = serializers.BooleanField()
    deferral = PublicationDeferralSerializer(allow_null=True)
    copies_to = serializers.ListField(
        child=serializers.CharField(),
        help_text="Who gets the full report before publication, in the review's regime: the recipients of "
        "`sent_to_panel_on` and `sent_to_secretary_of_state_on`, in that order (an LCSPR: the Child Safeguarding "
        "Practice Review Panel, the Secretary of State; a serious case review: Ofsted, the Department for Education).",
    )
    copy_rule = serializers.CharField(
        help_text="How long before publication, and the source: '7 working days (regulation 15 of SI 2018/789)' or "
        "'one week (7 days) (Working Together 2013 and 2015, chapter 4)'."
    )
    sent_to_panel_on = serializers.DateField(
        allow_null=True, help_text="The first recipient of `copies_to` (the Panel; Ofsted for a serious case review)."
    )
    sent_to_secretary_of_state_on = serializers.DateField(
        allow_null=True,
        help_text="The second recipient of `copies_to` (the Secretary of State; the Department for Education for a "
        "serious case review).",
    )
    earliest_publication_on = serializers.DateField(
        allow_null=True,
        help_text="7 working days after the later copy (7 days for a serious case review); statutory reviews, once "
        "both are recorded.",
    )
    report = PublicationReportSerializer(allow_null=True)
    open_hits = serializers.IntegerField(help_text="Identifiers in the current report not yet marked as intended.")
    blocked_by = serializers.CharField(allow_null=True, help_text="What still stops publication, besides the date.")
    published_on = serializers.DateField(allow_null=True)
    may_come_down_on = serializers.DateField(allow_null=True)
    sent_to_nspcc_on = serializers.DateField(allow_null=True)


class PublicationVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The review's version (`review_version`) you read.")


class PublicationDeferSerializer(PublicationVersionSerializer):
    reason_kind = serializers.ChoiceField(choices=DeferralReason.choices)
    reason = serializers.CharField(max_length=20000)
    review_by = serializers.DateField(help_text="When the partners look at the deferral again (a future date).")


class PublicationLearningOnlySerializer(PublicationVersionSerializer):
    reasons = serializers.CharField(max_length=20000)
    learning_summary = serializers.CharField(max_length=20000)


class PublicationUploadSerializer(serializers.Serializer):
    document_name = serializers.CharField(max_length=255)
    document_base64 = serializers.CharField(help_text="The PDF or DOCX file, base64-encoded (at most 20 MB).")


class IdentifierIntendedSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=20000)


class PublicationCopiesSerializer(serializers.Serializer):
    sent_to_panel_on = serializers.DateField(
        allow_null=True,
        help_text="The day the full report went to the Child Safeguarding Practice Review Panel (to Ofsted, for a "
        "serious case review).",
    )
    sent_to_secretary_of_state_on = serializers.DateField(
        allow_null=True,
        help_text="The day the full report went to the Secretary of State (to the Department for Education, for a "
        "serious case review).",
    )


class PublicationNspccSerializer(serializers.Serializer):
    sent_on = serializers.DateField()


def publication_data(review: Review) -> dict[str, Any]:
    practice = review.practice_review
    state = publication.state(review)
    found = publication.publication_of(practice)
    deferral = state.deferral
    report = state.report
    return {
        "review_version": review.version,
        "kind": practice.kind,
        "statutory": state.statutory,
        "scope": state.scope,
        "learning_only_reasons": found.learning_only_reasons if found else "",
        "learning_summary": found.learning_summary if found else "",
        "target_publication_on": state.target_on,
        "target_completion_on": state.completion_target_on,
        "deferred": deferral is not None,
        "deferral": PublicationDeferralSerializer(deferral).data if deferral else None,
        "copies_to": [capfirst(name) for name in state.copies.recipients],
        "copy_rule": f"{state.copies.notice} ({state.copies.source})",
        "sent_to_panel_on": practice.sent_to_panel_on,
        "sent_to_secretary_of_state_on": practice.sent_to_secretary_of_state_on,
        "earliest_publication_on": state.earliest_on,
        "report": PublicationReportSerializer(report).data if report else None,
        "open_hits": state.open_hits,
        "blocked_by": state.problem if review.stage in publication.BEFORE_PUBLICATION else None,
        "published_on": practice.published_on,
        "may_come_down_on": practice.may_come_down_on,
        "sent_to_nspcc_on": found.sent_to_nspcc_on if found else None,
    }


class PublicationViewSet(viewsets.GenericViewSet):
    serializer_class = PublicationSerializer
    pagination_class = None

    def _review(self) -> Review:
        review = with_related(reviews_visible_to(self.request.user)).filter(pk=id_or_404(self.kwargs["review_pk"]))
        found = review.first()
        if found is None or practice_or_none(found) is None:
            raise exceptions.NotFound()
        return found

    def _answer(self, review: Review) -> Response:
        return Response(PublicationSerializer(publication_data(Review.objects.get(pk=review.pk))).data)

    @extend_schema(
        tags=TAGS,
        summary="The publication of a review's report",
        description="Target or deferral, the copies before publication (to the Panel and the Secretary of State; "
        "for a serious case review, to Ofsted and the Department for Education) and the earliest "
        "publication date, what is published, the current file and how many identifiers still block it.",
        parameters=[REVIEW],
        responses={200: PublicationSerializer, **ERRORS},
    )
    def list(self, request: Request, review_pk: Any = None) -> Response:
        review = self._review()
        record_activity(actor=person(request), action="review.publication_viewed", target=review)
        return self._answer(review)

    @extend_schema(
        tags=TAGS,
        summary="The identifier scan of the current file",
        description="Each possible identifier: what it is, the words found, a redacted preview of its context, "
        "and whether someone marked it as intended (with the reason). Empty until a file is uploaded.",
        parameters=[REVIEW],
        responses={200: IdentifierHitSerializer(many=True), **ERRORS},
    )
    @action(detail=False, methods=["get"])
    def scan(self, request: Request, review_pk: Any = None) -> Response:
        review = self._review()
        record_activity(actor=person(request), action="review.publication_viewed", target=review)
        report = publication.current_report(review.practice_review)
        hits = report.hits.all() if report else IdentifierHit.objects.none()
        return Response(IdentifierHitSerializer(hits, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Defer publication",
        description="E.g. during criminal proceedings: the publication clock pauses (shown as deferred, not "
        "late). Business unit or chair; before publication. 403 if already deferred.",
        parameters=[REVIEW],
        request=PublicationDeferSerializer,
        responses={200: PublicationSerializer, **ERRORS, 409: CONFLICT},
    )
    @action(detail=False, methods=["post"])
    def defer(self, request: Request, review_pk: Any = None) -> Response:
        review = self._review()
        v = validated(PublicationDeferSerializer(data=request.data))
        services.defer_publication(
            actor=person(request),
            review=review,
            version=v["version"],
            reason_kind=v["reason_kind"],
            reason=v["reason"],
            review_by=v["review_by"],
        )
        return self._answer(review)

    @extend_schema(
        tags=TAGS,
        summary="Resume publication",
        description="The publication target moves on by the days publication was deferred. 403 if not deferred.",
        parameters=[REVIEW],
        request=PublicationVersionSerializer,
        responses={200: PublicationSerializer, **ERRORS, 409: CONFLICT},
    )
    @action(detail=False, methods=["post"])
    def resume(self, request: Request, review_pk: Any = None) -> Response:
        review = self._review()
        v = validated(PublicationVersionSerializer(data=request.data))
        services.resume_publication(actor=person(request), review=review, version=v["version"])
        return self._answer(review)

    @extend_schema(
        tags=TAGS,
        summary="Publish the learning only",
        description="Publishing the report in full is inappropriate: the reasons (required) and the learning "
        "(the improvements to be made, required; pseudonyms only) are published instead (SI 2018/789 reg. 15).",
        parameters=[REVIEW],
        request=PublicationLearningOnlySerializer,
        responses={200: PublicationSerializer, **ERRORS, 409: CONFLICT},
    )
    @action(detail=False, methods=["post"], url_path="learning-only", url_name="learning-only")
    def learning_only(self, request: Request, review_pk: Any = None) -> Response:
        review = self._review()
        v = validated(PublicationLearningOnlySerializer(data=request.data))
        services.publish_learning_only(
            actor=person(request),
            review=review,
            version=v["version"],
            reasons=v["reasons"],
            learning_summary=v["learning_summary"],
        )
        return self._answer(review)

    @extend_schema(
        tags=TAGS,
        summary="Upload the file to be published",
        description="A PDF or DOCX, scanned at once for residual identifiers (the review's own records, NHS "
        "numbers, National Insurance numbers, postcodes, phone numbers, email addresses). Answers the scan.",
        parameters=[REVIEW],
        request=PublicationUploadSerializer,
        responses={201: IdentifierHitSerializer(many=True), **ERRORS},
    )
    @action(detail=False, methods=["post"])
    def report(self, request: Request, review_pk: Any = None) -> Response:
        review = self._review()
        v = validated(PublicationUploadSerializer(data=request.data))
        try:
            content = base64.b64decode(v["document_base64"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise exceptions.ValidationError({"document_base64": ["This is not valid base64."]}) from exc
        stored = services.upload_publication_report(
            actor=person(request), review=review, upload=services.Upload(v["document_name"], content)
        )
        return Response(IdentifierHitSerializer(stored.hits.all(), many=True).data, status=201)

    @extend_schema(
        tags=TAGS,
        summary="Mark an identifier as intended",
        description="With the reason (required); logged. Business unit or chair. 404 for a hit not in this "
        "review; 403 for one not in the current file, or already marked.",
        parameters=[REVIEW, HIT],
        request=IdentifierIntendedSerializer,
        responses={200: IdentifierHitSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"], url_path=r"hits/(?P<hit_id>[^/]+)/intended", url_name="hit-intended")
    def intended(self, request: Request, review_pk: Any = None, hit_id: Any = None) -> Response:
        review = self._review()
        hit = IdentifierHit.objects.filter(
            pk=id_or_404(hit_id), report__publication__practice_review__review=review
        ).first()
        if hit is None:
            raise exceptions.NotFound()
        v = validated(IdentifierIntendedSerializer(data=request.data))
        marked = services.mark_identifier_intended(actor=person(request), review=review, hit=hit, reason=v["reason"])
        return Response(IdentifierHitSerializer(marked).data)

    @extend_schema(
        tags=TAGS,
        summary="Record the copies of the full report before publication",
        description="The dates the full report was sent (today or earlier; null for not yet), at the final "
        "report stage. An LCSPR's go to the Panel and the Secretary of State, and it is published no fewer than 7 "
        "working days after the later copy (SI 2018/789 reg. 15); a serious case review's go to Ofsted and the "
        "Department for Education (the same two fields, in that order), at least one week (7 days) before "
        "publication (Working Together 2013 and 2015, chapter 4). The answer gives `copies_to` and "
        "`earliest_publication_on`. Business unit or chair.",
        parameters=[REVIEW],
        request=PublicationCopiesSerializer,
        responses={200: PublicationSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"])
    def copies(self, request: Request, review_pk: Any = None) -> Response:
        review = self._review()
        v = validated(PublicationCopiesSerializer(data=request.data))
        services.record_sent_dates(
            actor=person(request),
            review=review,
            sent_to_panel_on=v["sent_to_panel_on"],
            sent_to_secretary_of_state_on=v["sent_to_secretary_of_state_on"],
        )
        return self._answer(review)

    @extend_schema(
        tags=TAGS,
        summary="Record the copy to the NSPCC repository",
        description="The national case review repository, on or after publication.",
        parameters=[REVIEW],
        request=PublicationNspccSerializer,
        responses={200: PublicationSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"])
    def nspcc(self, request: Request, review_pk: Any = None) -> Response:
        review = self._review()
        v = validated(PublicationNspccSerializer(data=request.data))
        services.record_nspcc_copy(actor=person(request), review=review, sent_on=v["sent_on"])
        return self._answer(review)


def register(router: SimpleRouter) -> None:
    router.register(r"reviews/(?P<review_pk>[^/]+)/publication", PublicationViewSet, basename="review-publication")
