"""The client's address as the reverse proxies in front of the application saw it.

django-axes locks a username and client address pair. Behind a load balancer every request comes
from the proxy's address, so without this the lock would be per username alone and anyone could
lock a colleague out. Each trusted proxy appends the address it received from to
`X-Forwarded-For`; with `TRUSTED_PROXY_COUNT` proxies, the client is the entry that many from the
right. Entries further left were written by the client and are never trusted.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote  # not through all our proxies: the connection's own address is all we know
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
