import pytest

from safeguarding.core.access import MAX_ID, is_active_person, parse_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (12, 12),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("-1", None),
        (" 12", None),
        ("1.5", None),
        ("abc", None),
        ("١٢", None),
        ("", None),
    ],
)
def test_parse_id_accepts_only_plain_ids_in_range(value, expected):
    assert parse_id(value) == expected


def test_is_active_person():
    class Person:
        is_authenticated = True
        is_active = True

    assert is_active_person(Person())
    Person.is_active = False
    assert not is_active_person(Person())
    assert not is_active_person(None)
