"""Browser tests: the real pages, served by a live server, driven in Debian's headless Chromium.

Never `playwright install`: the browser is /usr/bin/chromium (`make test` installs it).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.browser.checks import watch_console

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "Europe/London"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _no_csp_violations(request: pytest.FixtureRequest) -> Any:
    """Every browser test fails if the page's Content Security Policy blocked anything (Chromium says
    so on the console); `assert_no_axe_violations` also checks it page by page."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    found = watch_console(page)
    yield
    assert not found, "The Content Security Policy blocked something:\n" + "\n".join(found)
