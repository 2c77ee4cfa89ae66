"""What every page in the browser journeys is checked for: axe-core at 1280 px and at 375 px, no page
wider than its viewport at either width, and no Content Security Policy violation in the console.

The journeys call `assert_no_axe_violations(page)` on each page they visit; it runs all of these, so
a new journey gets them without asking. The 375-px pass resizes the same page and resizes it back
(no second navigation), which keeps the journeys' run time close to what it was.
"""

from __future__ import annotations

import re

from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Page
from playwright.sync_api import Error as PlaywrightError

AXE = Axe()
WIDE = {"width": 1280, "height": 720}
NARROW = {"width": 375, "height": 812}
CSP_WORDS = ("Content Security Policy", "Content-Security-Policy")

# Console messages about the CSP, per page (filled by `watch_console`, from tests/browser/conftest.py).
_csp_messages: dict[int, list[str]] = {}

_OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.right > width + 1 && !element.closest(".app-table-scroll, .app-timeline")) {
      const classes = typeof element.className === "string" ? element.className.trim().split(/\\s+/) : [];
      const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
        classes.filter(Boolean).map((c) => "." + c).join("");
      wide.push(name + " (" + Math.round(box.right) + " px)");
    }
    if (wide.length >= 8) break;
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide};
}"""


def watch_console(page: Page) -> list[str]:
    """Start collecting the page's CSP violation messages (the browser reports them on the console)."""
    found: list[str] = []
    _csp_messages[id(page)] = found

    def listen(message: ConsoleMessage) -> None:
        if any(word in message.text for word in CSP_WORDS):
            found.append(f"{page.url}: {message.text}")

    page.on("console", listen)
    return found


def assert_no_csp_violations(page: Page) -> None:
    found = _csp_messages.get(id(page), [])
    assert not found, "The Content Security Policy blocked something:\n" + "\n".join(found)


def assert_fits_viewport(page: Page) -> None:
    """No sideways scrolling: the document is no wider than the window (wide content scrolls in its own
    focusable region instead)."""
    measured = page.evaluate(_OVERFLOW)
    assert measured["scrollWidth"] <= measured["innerWidth"], (
        f"{page.url} is {measured['scrollWidth']} px wide in a {measured['innerWidth']} px viewport; "
        f"elements past the edge: {', '.join(measured['wide']) or 'none found'}"
    )


def _run_axe(page: Page) -> AxeResults:
    """What `Axe().run(page)` does (inject axe-core, run it with its default options: every rule,
    violations reported), except that axe-core is injected only into a document that does not have
    it yet: the 375-px pass runs in the same document as the 1280-px one, and parsing the half
    megabyte of axe-core again cost Chromium 0.1-0.3 s a page."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.axe_script)
    return AxeResults(page.evaluate('axe.run({"resultTypes": ["violations"]}).then(results => results)'))


def _axe(page: Page) -> None:
    """axe-core on the page as it stands once loaded.

    A click that follows a link returns before the next page has replaced the old one; axe run in
    that moment finds no document ("reading 'documentElement'"), loses its context or finds the new
    document without axe-core. Wait for the load, and if the page was still changing, wait again and
    run once more."""
    page.wait_for_load_state("load")
    try:
        results = _run_axe(page)
    except PlaywrightError as error:
        if not any(words in str(error) for words in ("documentElement", "context was destroyed", "axe is not defined")):
            raise
        page.wait_for_load_state("load")
        results = _run_axe(page)
    assert results.violations_count == 0, f"{page.viewport_size}: {results.generate_report()}"


def assert_no_axe_violations(page: Page) -> None:
    """axe at the window's width (1280 px), then at 375 px; the page fits at both; no CSP violation."""
    _axe(page)
    assert_fits_viewport(page)
    original = page.viewport_size or WIDE
    page.set_viewport_size(NARROW)
    try:
        assert_fits_viewport(page)
        _axe(page)
    finally:
        page.set_viewport_size(original)
    assert_no_csp_violations(page)


def assert_no_axe_violations_without_javascript(page: Page, browser: Browser) -> None:
    """`assert_no_axe_violations` for a page in a context without JavaScript, where axe-core cannot run:
    the page's HTML as it stands, its scripts removed, served at the same address to a page that can run
    axe (the stylesheets and images load from the server as usual)."""
    html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.IGNORECASE | re.DOTALL)
    address = page.url
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London", viewport=WIDE)
    try:
        checker = context.new_page()
        checker.route(
            lambda url: url == address,
            lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html),
        )
        watch_console(checker)
        checker.goto(address)
        assert checker.evaluate(
            "() => !document.querySelector('script') && !document.body.classList.contains('js-enabled')"
        )
        assert_no_axe_violations(checker)
    finally:
        context.close()
