from __future__ import annotations

import pytest

from safeguarding.api.tests.factories import ApiCast, build_api_cast

__all__ = ["ApiCast", "api_cast"]


@pytest.fixture
def api_cast(db: None) -> ApiCast:
    return build_api_cast()
