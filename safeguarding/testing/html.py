import re

_PER_REQUEST = [
    (re.compile(rb'nonce="[^"]*"'), b'nonce=""'),
    (re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"'), b'name="csrfmiddlewaretoken" value=""'),
]


def without_per_request_values(content: bytes) -> bytes:
    """A page with its CSP nonce and CSRF token blanked, to compare two responses."""
    for pattern, replacement in _PER_REQUEST:
        content = pattern.sub(replacement, content)
    return content
