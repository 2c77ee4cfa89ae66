"""What the API shows of learning events, attendance and learning briefings, and what it accepts.
Case studies and briefings name children by the review's pseudonyms only (checked when saved)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from safeguarding.learning.anonymise import finding_titles
from safeguarding.learning.enums import BriefingStatus, Delivery, EventKind, EventStatus, RegistrationStatus
from safeguarding.learning.models import Invitation, LearningBriefing, LearningEvent
from safeguarding.learning.walk_ins import NAME_MAX, WALK_IN_ROLES


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
    waiting_list_count = serializers.IntegerField(
        read_only=True, help_text="How many people are on the waiting list (it only has people when the event is full)."
    )
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
            "waiting_list_count",
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


class RegistrationSerializer(serializers.Serializer):
    """A live registration: a place, or a place on the waiting list (cancelled ones are not listed)."""

    id = serializers.IntegerField()
    user = serializers.IntegerField(help_text="The person's id.")
    name = serializers.CharField()
    agency = serializers.IntegerField(help_text="The agency they registered for.")
    agency_name = serializers.CharField()
    role = serializers.CharField()
    state = serializers.ChoiceField(
        choices=RegistrationStatus.choices,
        help_text="'place': they have a place; 'waiting': they are on the waiting list.",
    )
    waiting_position = serializers.IntegerField(
        allow_null=True,
        help_text="Their position on the waiting list (1 = the next to be given a place); null when they have a place.",
    )
    registered_at = serializers.DateTimeField(help_text="When they registered or joined the waiting list.")
    promoted_at = serializers.DateTimeField(
        allow_null=True, help_text="When they were moved from the waiting list into a place, if they were."
    )


class AttendanceRowSerializer(serializers.Serializer):
    """One registered person (cancelled places and the waiting list are not listed) and whether they came,
    then each walk-in (someone who came without registering)."""

    user = serializers.IntegerField(
        allow_null=True,
        help_text="The person's id (use it to record attendance); null for a walk-in without an account.",
    )
    name = serializers.CharField()
    agency = serializers.IntegerField(help_text="The agency they registered (or came) for.")
    agency_name = serializers.CharField()
    role = serializers.CharField()
    registered_at = serializers.DateTimeField(allow_null=True, help_text="Null for a walk-in.")
    attended = serializers.BooleanField(allow_null=True, help_text="Null until attendance is recorded.")
    walk_in = serializers.BooleanField(help_text="They came without registering (always attended).")


class AttendanceEntrySerializer(serializers.Serializer):
    user = serializers.IntegerField(min_value=1, help_text="The id of a person with a place on the event.")
    attended = serializers.BooleanField()


class WalkInEntrySerializer(serializers.Serializer):
    """Someone who came without registering: a person with an account (`user` alone), or someone without
    one (`name`, `agency` and `role`)."""

    user = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="A person with an account in an agency invited to the event; their agency and role come from it.",
    )
    name = serializers.CharField(
        max_length=NAME_MAX, required=False, help_text="The full name of someone without an account."
    )
    agency = serializers.IntegerField(
        min_value=1, required=False, help_text="Their agency's id (one the event invited): with `name`."
    )
    role = serializers.ChoiceField(
        choices=[(r, r) for r in WALK_IN_ROLES], required=False, help_text="Their role: with `name`."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        by_hand = [k for k in ("name", "agency", "role") if k in attrs]
        if "user" in attrs and by_hand:
            raise serializers.ValidationError("Give `user` for a person with an account, or `name`, not both.")
        if "user" not in attrs and len(by_hand) < 3:
            raise serializers.ValidationError(
                "Give `user` for a person with an account, or `name`, `agency` and `role` for someone without one."
            )
        return attrs


class AttendanceWriteSerializer(serializers.Serializer):
    entries = AttendanceEntrySerializer(
        many=True, required=False, help_text="Whether each person with a place came; others are left as they are."
    )
    walk_ins = WalkInEntrySerializer(
        many=True, required=False, help_text="People who came without registering, to record as walk-ins."
    )

    def validate_entries(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(value) > 1000:
            raise serializers.ValidationError("Give at most 1000 people at a time.")
        if len({e["user"] for e in value}) != len(value):
            raise serializers.ValidationError("Give each person once.")
        return value

    def validate_walk_ins(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(value) > 200:
            raise serializers.ValidationError("Give at most 200 walk-ins at a time.")
        users = [w["user"] for w in value if "user" in w]
        if len(set(users)) != len(users):
            raise serializers.ValidationError("Give each person once.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("entries") and not attrs.get("walk_ins"):
            raise serializers.ValidationError({"entries": "Give at least one person, or a walk-in."})
        return attrs


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
