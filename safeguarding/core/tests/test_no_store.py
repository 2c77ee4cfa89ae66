"""Nothing about a child may be kept by a browser or proxy cache: every response to a signed-in
person or an agency system says `Cache-Control: no-store` (issue 16's listed defect)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeguarding.api.tests.factories import build_api_cast

pytestmark = pytest.mark.django_db


def _assert_no_store(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


def test_child_pages_and_exports_are_not_stored(cast, client_for):
    client = client_for(cast.involved)
    _assert_no_store(client.get(f"/children/{cast.child.pk}/"))
    _assert_no_store(client.get(reverse("chronology:child", args=[cast.child.pk])))
    _assert_no_store(client.get(reverse("chronology:export-xlsx", args=[cast.child.pk])))
    _assert_no_store(client.get(reverse("chronology:export-pdf", args=[cast.child.pk])))


def test_child_api_answers_are_not_stored(db):
    api = build_api_cast()
    client = api.client("involved")
    _assert_no_store(client.get(f"/api/v1/children/{api.cast.child.pk}/"))
    _assert_no_store(client.get(f"/api/v1/children/{api.cast.child.pk}/chronology/"))


def test_not_found_for_a_signed_in_person_is_not_stored_either(cast, client_for):
    response = client_for(cast.unrelated).get(f"/children/{cast.child.pk}/")
    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]
