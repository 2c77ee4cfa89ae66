"""A registry of navigation items: feature apps register theirs in AppConfig.ready().

Core imports no feature app; each app says what it adds to the service navigation and who sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

if TYPE_CHECKING:
    from safeguarding.core.types import Viewer


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    order: int
    visible: Callable[[Any], bool]


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


_entries: list[NavEntry] = []
# (url name, script prefix, URLconf) -> its address: the entries' addresses are fixed, so reversed once.
_urls: dict[tuple[str, str, str], str] = {}


def _url(url_name: str) -> str:
    key = (url_name, get_script_prefix(), str(get_urlconf() or settings.ROOT_URLCONF))
    found = _urls.get(key)
    if found is None:
        found = _urls[key] = reverse(url_name)
    return found


def register(label: str, url_name: str, *, order: int, visible: Callable[[Any], bool]) -> None:
    if any(e.url_name == url_name for e in _entries):
        return
    _entries.append(NavEntry(label, url_name, order, visible))
    _entries.sort(key=lambda e: e.order)


def items_for(user: Viewer, path: str) -> list[NavItem]:
    """The entries this person sees; the one whose address is the longest prefix of `path` is active."""
    urls = [(entry.label, _url(entry.url_name)) for entry in _entries if entry.visible(user)]
    matching = [url for _, url in urls if (path == url if url == "/" else path.startswith(url))]
    current = max(matching, key=len, default=None)
    return [NavItem(label, url, url == current) for label, url in urls]
