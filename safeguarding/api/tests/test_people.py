from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from safeguarding.api.people import person
from safeguarding.testing import factories as f


def _request_by(user: Any) -> Request:
    request = Request(APIRequestFactory().get("/api/v1/"))
    request.user = user
    return request


def test_person_is_the_signed_in_user(db: None) -> None:
    user = f.UserFactory()

    assert person(_request_by(user)) == user


def test_person_refuses_an_anonymous_request() -> None:
    with pytest.raises(NotAuthenticated):
        person(_request_by(AnonymousUser()))
