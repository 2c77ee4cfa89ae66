from __future__ import annotations

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from safeguarding.api.models import AgencyApiToken
from safeguarding.api.tests.factories import make_token, token_client
from safeguarding.testing.personas import Cast, build_cast


@dataclass
class ApiCast:
    """The three personas as agency systems: a token for each agency of `cast`."""

    cast: Cast
    involved_token: AgencyApiToken
    involved_key: str
    partner_key: str
    unrelated_key: str

    def client(self, persona: str) -> APIClient:
        return token_client(getattr(self, f"{persona}_key"))


@pytest.fixture
def api_cast(db: None) -> ApiCast:
    cast = build_cast()
    involved_token, involved_key = make_token(cast.agency)
    _, partner_key = make_token(cast.partner_agency)
    _, unrelated_key = make_token(cast.unrelated_agency)
    return ApiCast(cast, involved_token, involved_key, partner_key, unrelated_key)
