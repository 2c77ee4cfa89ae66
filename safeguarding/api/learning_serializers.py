"""What the API shows of learning events, attendance and learning briefings, and what it accepts.
Case studies and briefings name children by the review's pseudonyms only (checked when saved)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from safeguarding.learning.anonymise import finding_titles
from safeguarding.learning.enums import BriefingStatus, Delivery, EventKind, EventStatus
from safeguarding.learning.models import Invitation, LearningBriefing, LearningEvent


class InvitationSerializer(serializers.ModelSerializer):
    agency = serializers.IntegerField(source="agency_id", allow_null=True, read_only=True, help_text="Null for a kind.")
    agency_name = serializers.SerializerMethodField()
    who = serializers.CharField(read_only=True, help_text="The agency, or 'Every … agency' for a kind.")

    class Meta:
        model = Invitation
        fields = ["agency", "agency_name", "agency_kind", "role", "who"]
        extra_kwargs = {
            "agency_kind": {"help_text": "Every agency of this kind is invited (empty when one agency is)."},
            "role": {"help_text": "Only this role is invited; empty means every role."},
        }

    def get_agency_name(self, obj: Invitation) -> str | None:
        return obj.agency.name if obj.agency is not None else None


class LearningEventSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=EventKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=EventStatus.choices, read_only=True)
    delivery = serializers.ChoiceField(choices=Delivery.choices, read_only=True)
    themes = serializers.SerializerMethodField(help_text="Theme codes, e.g. 'neglect'.")
    review_title = serializers.SerializerMethodField(help_text="The linked review's anonymised title, if any.")
    facilitator = serializers.CharField(source="facilitator_label", read_only=True)
    places_left = serializers.IntegerField(read_only=True)
    invitations = InvitationSerializer(many=True, read_only=True)

    class Meta:
        model = LearningEvent
        fields = [
            "id",
            "reference",
            "kind",
            "title",
            "description",
            "themes",
            "review_title",
            "case_study",
            "starts_at",
            "ends_at",
            "delivery",
            "venue",
            "facilitator",
            "capacity",
            "places_taken",
            "places_left",
            "status",
            "follow_up_after_days",
            "invitations",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_themes(self, obj: LearningEvent) -> list[str]:
        return [t.code for t in obj.themes.all()]

    def get_review_title(self, obj: LearningEvent) -> str | None:
        return obj.review.title if obj.review is not None else None


class AttendanceRowSerializer(serializers.Serializer):
    """One registered person (cancelled places are not listed) and whether they came."""

    user = serializers.IntegerField(help_text="The person's id (use it to record attendance).")
    name = serializers.CharField()
    agency = serializers.IntegerField(help_text="The agency they registered for.")
    agency_name = serializers.CharField()
    role = serializers.CharField()
    registered_at = serializers.DateTimeField()
    attended = serializers.BooleanField(allow_null=True, help_text="Null until attendance is recorded.")


class AttendanceEntrySerializer(serializers.Serializer):
    user = serializers.IntegerField(min_value=1, help_text="The id of a person registered for the event.")
    attended = serializers.BooleanField()


class AttendanceWriteSerializer(serializers.Serializer):
    entries = AttendanceEntrySerializer(many=True, help_text="Whether each person came; others are left as they are.")

    def validate_entries(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not value:
            raise serializers.ValidationError("Give at least one person.")
        if len(value) > 1000:
            raise serializers.ValidationError("Give at most 1000 people at a time.")
        if len({e["user"] for e in value}) != len(value):
            raise serializers.ValidationError("Give each person once.")
        return value


class FindingRefSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField(help_text="The finding, children named by their pseudonyms.")


class LearningBriefingSerializer(serializers.ModelSerializer):
    review_title = serializers.CharField(source="review.title", read_only=True)
    status = serializers.ChoiceField(choices=BriefingStatus.choices, read_only=True)
    findings = serializers.SerializerMethodField()

    class Meta:
        model = LearningBriefing
        fields = [
            "id",
            "title",
            "review_title",
            "what_happened",
            "what_we_learned",
            "do_differently",
            "supervision_questions",
            "findings",
            "status",
            "published_at",
        ]
        read_only_fields = fields

    @extend_schema_field(FindingRefSerializer(many=True))
    def get_findings(self, obj: LearningBriefing) -> list[dict[str, Any]]:
        findings = sorted(obj.findings.all(), key=lambda f: f.number)
        return [{"number": n, "title": t} for n, t in finding_titles(obj.review, findings)]
