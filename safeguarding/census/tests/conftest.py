import os

import pytest

from safeguarding.census.validator import validator_python


@pytest.fixture
def cin_validator():
    """The validator's own environment (`make .venv-cin/.installed`, which `make test` runs first). A
    test run without it skips these tests, unless CIN_VALIDATOR_REQUIRED is set (as `make test` sets it)."""
    if not validator_python().exists():
        if os.environ.get("CIN_VALIDATOR_REQUIRED"):
            pytest.fail(f"The CIN validator is not installed at {validator_python()}: run make .venv-cin/.installed")
        pytest.skip("The CIN validator is not installed: run make .venv-cin/.installed")
