import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from safeguarding.children.models import normalise_name
from safeguarding.children.validators import nhs_check_digit, nhs_number_is_valid, validate_nhs_number


def test_known_valid_nhs_number_passes():
    assert nhs_number_is_valid("9434765919")
    assert nhs_number_is_valid("943 476 5919")


def test_wrong_check_digit_is_refused_with_a_specific_message():
    with pytest.raises(ValidationError, match="check digit"):
        validate_nhs_number("9434765918")


def test_wrong_length_is_refused():
    with pytest.raises(ValidationError, match="10 digits"):
        validate_nhs_number("94347659")


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_any_number_with_its_computed_check_digit_is_valid(first_nine):
    check = nhs_check_digit(first_nine)
    if check is None:
        assert not any(nhs_number_is_valid(first_nine + str(d)) for d in range(10))
    else:
        assert nhs_number_is_valid(first_nine + str(check))
        assert not nhs_number_is_valid(first_nine + str((check + 1) % 10))


def test_normalise_name_ignores_case_accents_and_punctuation():
    assert normalise_name("Zoë", "O'Neill-Smith") == "zoe oneill smith"
