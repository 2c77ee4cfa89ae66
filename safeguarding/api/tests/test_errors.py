"""The one shape of a 400's `errors`, whatever the endpoint: each field by its path in the body."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers

from safeguarding.api.exceptions import api_exception_handler, error_path, flatten_errors


class _Grade(serializers.Serializer):
    unit = serializers.CharField()
    entries = serializers.ListField(child=serializers.IntegerField(), required=False)


class _Assessment(serializers.Serializer):
    version = serializers.IntegerField()
    grades = _Grade(many=True)
    reasons = serializers.ListField(child=serializers.CharField(max_length=3))


def _errors(exc: Exception) -> Any:
    response = api_exception_handler(exc, {})
    assert response is not None
    assert response.status_code == 400
    return response.data["errors"]


def test_nested_serializer_errors_are_named_by_their_path() -> None:
    data = {"grades": [{"entries": [1]}, {"unit": "u", "entries": ["x"]}], "reasons": ["ok", "far too long"]}
    serializer = _Assessment(data=data)
    assert not serializer.is_valid()

    assert _errors(exceptions.ValidationError(serializer.errors)) == {
        "version": ["This field is required."],
        "grades[0].unit": ["This field is required."],
        "grades[1].entries[0]": ["A valid integer is required."],
        "reasons[1]": ["Ensure this field has no more than 3 characters."],
    }


def test_an_items_own_errors_are_named_by_the_item_and_the_bodys_stay_non_field_errors() -> None:
    detail = {"walk_ins": [{}, {"non_field_errors": ["Give a name or a user."]}], "non_field_errors": ["No."]}
    assert flatten_errors(detail) == {"walk_ins[1]": ["Give a name or a user."], "non_field_errors": ["No."]}


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (DjangoValidationError({"__all__": ["Add an objective."]}), {"non_field_errors": ["Add an objective."]}),
        (DjangoValidationError("Not now."), {"non_field_errors": ["Not now."]}),
        (exceptions.ValidationError(["Send a list."]), {"non_field_errors": ["Send a list."]}),
        (exceptions.ValidationError({"[3].occurred_on": ["Bad."]}), {"[3].occurred_on": ["Bad."]}),
        (exceptions.ValidationError({"lead_id": "Nobody."}), {"lead_id": ["Nobody."]}),
    ],
)
def test_service_and_already_flat_errors_keep_the_one_shape(exc: Exception, expected: dict[str, list[str]]) -> None:
    assert _errors(exc) == expected


def test_error_path() -> None:
    assert error_path([3, "children", 0, "nhs_number"]) == "[3].children[0].nhs_number"
    assert error_path(["grades", "0", "unit"]) == "grades[0].unit"
    assert error_path([]) == ""
