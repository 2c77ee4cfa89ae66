"""What the API shows of a child's record. Read-only for now; access is decided before these run."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from safeguarding.children.enums import RelationshipKind
from safeguarding.children.models import Adult, Child, HouseholdMember, Involvement
from safeguarding.children.validators import normalise_nhs_number, validate_nhs_number
from safeguarding.core.enums import Confidentiality

# What an NHS number may look like in a search: 10 digits, in groups of 3, 3 and 4 if you like.
NHS_NUMBER_PATTERN = r"^ *[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4} *$"
NHS_NUMBER_FORMAT_MESSAGE = "Enter an NHS number of 10 digits, like 943 476 5919."


class ChildSearchSerializer(serializers.Serializer):
    """The query parameters of the children list."""

    name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        trim_whitespace=True,
        error_messages={"max_length": "Enter a name of 200 characters or fewer."},
    )
    date_of_birth = serializers.DateField(
        required=False,
        input_formats=["iso-8601"],
        error_messages={
            "invalid": "Enter the date of birth as YYYY-MM-DD, for example 2015-03-31.",
            "datetime": "Enter the date of birth as YYYY-MM-DD, for example 2015-03-31, without a time.",
        },
    )
    nhs_number = serializers.CharField(required=False, allow_blank=True, max_length=20, trim_whitespace=True)

    def validate_nhs_number(self, value: str) -> str:
        if not value:
            return value
        if not re.fullmatch(NHS_NUMBER_PATTERN, value):
            raise serializers.ValidationError(NHS_NUMBER_FORMAT_MESSAGE)
        try:
            validate_nhs_number(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return normalise_nhs_number(value)


class ChildListItemSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:child-detail")

    class Meta:
        model = Child
        fields = ["id", "first_name", "last_name", "date_of_birth", "nhs_number", "is_verified", "url"]
        read_only_fields = fields


class PersonSummarySerializer(serializers.Serializer):
    """A child or adult named in another child's record."""

    person_type = serializers.SerializerMethodField()
    id = serializers.IntegerField(allow_null=True, help_text="Null for a child you do not have access to.")
    first_name = serializers.CharField(help_text="Blank for a child you do not have access to.")
    last_name = serializers.CharField(help_text="Blank for a child you do not have access to.")
    date_of_birth = serializers.DateField(allow_null=True)
    withheld = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=["child", "adult"]))
    def get_person_type(self, obj: Child | Adult) -> str:
        return "child" if isinstance(obj, Child) else "adult"

    @extend_schema_field(serializers.BooleanField(help_text="A child you do not have access to: only that they exist."))
    def get_withheld(self, obj: Child | Adult) -> bool:
        return bool(getattr(obj, "withheld", False))

    def to_representation(self, instance: Child | Adult) -> dict[str, Any]:
        data = super().to_representation(instance)
        if data["withheld"]:
            data.update(id=None, first_name="", last_name="", date_of_birth=None)
        return data


class HouseholdMemberSerializer(serializers.Serializer):
    person = PersonSummarySerializer()
    moved_in = serializers.DateField(allow_null=True)
    moved_out = serializers.DateField(allow_null=True)


class HouseholdSerializer(serializers.Serializer):
    """A household the child lives or lived in, with everyone recorded in it."""

    reference = serializers.CharField(source="household.reference")
    address_line_1 = serializers.CharField(source="household.address_line_1")
    address_line_2 = serializers.CharField(source="household.address_line_2")
    town = serializers.CharField(source="household.town")
    postcode = serializers.CharField(source="household.postcode")
    moved_in = serializers.DateField(allow_null=True, help_text="When the child moved in, if known.")
    moved_out = serializers.DateField(allow_null=True, help_text="When the child moved out; null while living there.")
    members = serializers.SerializerMethodField()

    @extend_schema_field(HouseholdMemberSerializer(many=True))
    def get_members(self, obj: HouseholdMember) -> list[dict[str, Any]]:
        members = [m for m in obj.household.members.all() if m.child_id != obj.child_id]
        return HouseholdMemberSerializer(members, many=True).data  # type: ignore[return-value]


class RelationshipSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=RelationshipKind.choices, help_text="How the person relates to the child, e.g. mother, sibling."
    )
    kind_display = serializers.CharField()
    person = PersonSummarySerializer()
    parental_responsibility = serializers.BooleanField()
    lives_with_child = serializers.BooleanField()
    notes = serializers.CharField(allow_blank=True)


class InvolvementSerializer(serializers.ModelSerializer):
    agency_code = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.name")
    lead_professional = serializers.SerializerMethodField()
    lawful_basis_display = serializers.CharField(source="get_lawful_basis_display")
    confidentiality = serializers.ChoiceField(choices=Confidentiality.choices)

    class Meta:
        model = Involvement
        fields = [
            "id",
            "agency_code",
            "agency_name",
            "start",
            "end",
            "service",
            "lead_professional",
            "lawful_basis",
            "lawful_basis_display",
            "confidentiality",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="The lead professional's name."))
    def get_lead_professional(self, obj: Involvement) -> str | None:
        person = obj.lead_professional
        return str(person) if person is not None else None


class ChildDetailSerializer(serializers.ModelSerializer):
    """A child's record: the child, households, relationships and the involvements the caller may see."""

    households = HouseholdSerializer(many=True, source="api_households")
    relationships = RelationshipSerializer(many=True, source="api_relationships")
    involvements = InvolvementSerializer(many=True, source="api_involvements")

    class Meta:
        model = Child
        fields = [
            "id",
            "first_name",
            "last_name",
            "other_names",
            "date_of_birth",
            "sex",
            "nhs_number",
            "is_verified",
            "households",
            "relationships",
            "involvements",
        ]
        read_only_fields = fields
