"""The census's identifiers and code lists on a child (issue 18 item 4)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from safeguarding.children.enums import CENSUS_SEX, SEX_FROM_CENSUS, Disability, Ethnicity, Sex
from safeguarding.children.models import Child
from safeguarding.children.validators import (
    UPN_LA_CODES,
    upn_check_letter,
    validate_disability_codes,
    validate_la_child_id,
    validate_upn,
)

# Synthetic UPNs of the real shape: check letter, LA code, 8 digits, a digit or a letter (temporary).
VALID_UPNS = ["L201000000011", "Y201026000123", "M201026000124", "Q881019900001", "F20102600012A"]


@pytest.mark.parametrize("upn", VALID_UPNS)
def test_real_shaped_synthetic_upns_pass(upn):
    validate_upn(upn)


def test_the_check_letter_agrees_with_the_validators_own_examples():
    # Its rule 1510's tests hold these as right check letters (their LA codes are not real ones).
    assert upn_check_letter("950000178301") == "A"
    assert upn_check_letter("243278544154") == "H"


def test_a_wrong_check_letter_is_refused_naming_the_check_letter():
    with pytest.raises(ValidationError, match="check letter") as caught:
        validate_upn("B201026000123")
    assert caught.value.code == "upn_check_letter"


def test_a_mistyped_digit_changes_the_check_letter():
    with pytest.raises(ValidationError, match="check letter"):
        validate_upn("Y201026000124")


@pytest.mark.parametrize(
    ("upn", "code"),
    [
        ("Y20102600012", "upn_length"),
        ("Y2010260001234", "upn_length"),
        ("Y20102600X123", "upn_characters"),
        ("Y20102600012I", "upn_characters"),  # I, O and S are never used
        ("A999000000001", "upn_la_code"),  # 999 is no local authority
    ],
)
def test_malformed_upns_get_a_specific_message(upn, code):
    with pytest.raises(ValidationError) as caught:
        validate_upn(upn)
    assert caught.value.code == code


@given(
    st.sampled_from(sorted(UPN_LA_CODES)),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.sampled_from("0123456789ABCDEFGHJKLMNPQRTUVWXYZ"),
)
def test_any_upn_with_its_computed_check_letter_is_valid_and_any_other_letter_is_not(la, digits, last):
    tail = la + digits + last
    validate_upn(upn_check_letter(tail) + tail)
    wrong = next(letter for letter in "ABC" if letter != upn_check_letter(tail))
    with pytest.raises(ValidationError):
        validate_upn(wrong + tail)


def test_la_child_id_is_alphanumeric_and_at_most_20_characters():
    validate_la_child_id("DEMO0001")
    validate_la_child_id("X" * 20)
    with pytest.raises(ValidationError, match="20 characters"):
        validate_la_child_id("X" * 21)
    with pytest.raises(ValidationError, match="letters and digits"):
        validate_la_child_id("DEMO-0001")


def test_disability_codes_are_a_list_of_known_codes_with_none_alone():
    validate_disability_codes([])
    validate_disability_codes(["NONE"])
    validate_disability_codes(["MOB", "AUT"])
    with pytest.raises(ValidationError, match="Unknown disability code 'WHEEL'"):
        validate_disability_codes(["WHEEL"])
    with pytest.raises(ValidationError, match="once"):
        validate_disability_codes(["MOB", "MOB"])
    with pytest.raises(ValidationError, match="NONE"):
        validate_disability_codes(["NONE", "MOB"])
    with pytest.raises(ValidationError, match="list"):
        validate_disability_codes("MOB")


def test_the_code_lists_are_the_censuses():
    assert len(Ethnicity.values) == 20
    assert "WBRI" in Ethnicity.values
    assert "NOBT" in Ethnicity.values
    assert len(Disability.values) == 13
    assert "DDA" in Disability.values


def test_sex_maps_to_the_census_codes_and_back():
    assert CENSUS_SEX == {Sex.FEMALE: "F", Sex.MALE: "M", Sex.NOT_KNOWN: "U"}
    assert SEX_FROM_CENSUS["U"] == Sex.NOT_KNOWN


def test_a_child_is_checked_field_by_field_and_an_unborn_child_has_only_an_expected_date():
    child = Child(first_name="Unborn", last_name="Hale", upn="B201026000123", ethnicity="XXXX", disabilities=["NONE"])
    with pytest.raises(ValidationError) as caught:
        child.full_clean()
    assert set(caught.value.message_dict) == {"upn", "ethnicity"}
    unborn = Child(first_name="Baby", last_name="Hale")
    assert not unborn.is_unborn
    unborn.expected_date_of_birth = date(2026, 5, 1)
    assert unborn.is_unborn


@pytest.mark.django_db
def test_blank_identifiers_are_stored_as_none_so_that_uniqueness_ignores_them():
    a = Child.objects.create(first_name="Ann", last_name="Hale", la_child_id="", upn="")
    b = Child.objects.create(first_name="Ben", last_name="Hale", la_child_id="", upn=" y201026000123 ")
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.la_child_id is None
    assert a.upn is None
    assert b.upn == "Y201026000123"
