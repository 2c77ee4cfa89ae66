"""A fictional partnership for demonstrations, development and benchmarks (`manage.py seed_demo`).

Every person in it is synthetic. The demo accounts share one published password and one
published authenticator key, so this data must never reach a production database: the command
refuses to run when DJANGO_ENV=production.
"""

from __future__ import annotations

import base64

DEMO_PASSWORD = "demo-password-123"

# 20 bytes ("Northbridge-demo-key") as hex, the form django-otp stores. Every demo account has a
# confirmed authenticator device with this key, so one entry in an authenticator app (or
# `manage.py demo_code USERNAME`) signs in as anyone in the demo.
DEMO_TOTP_KEY = "4e6f7274686272696467652d64656d6f2d6b6579"
# The same key in base32, the form authenticator apps take.
DEMO_TOTP_SECRET = base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode("ascii")
DEMO_TOTP_DEVICE_NAME = "Demo authenticator"

# The sign-in accounts the README lists: (username, who they are).
PERSONAS: tuple[tuple[str, str], ...] = (
    ("practitioner.hv", "Health visitor, Northbridge Community Health (lead professional for young children)"),
    ("practitioner.school", "Pastoral worker, Alder Street Primary School"),
    ("dsl.school", "Designated safeguarding lead, Alder Street Primary School"),
    ("practitioner.police", "Detective constable, Northbridge Police public protection unit"),
    ("practitioner.csc", "Social worker, children's social care assessment team"),
    ("manager.csc", "Team manager, children's social care assessment team"),
    ("senior.csc", "Head of service, children's social care"),
    ("practitioner.housing", "Tenancy sustainment officer, Northbridge Homes (not involved with the featured family)"),
    ("business.unit", "Partnership business manager"),
    ("data.steward", "Data steward, partnership business unit (the possible-matches queue)"),
    ("reviewer", "Independent reviewer (a live access grant to the featured brothers, for a rapid review)"),
    ("scrutineer", "Independent scrutineer"),
    ("admin", "Partnership administrator (also Django admin superuser)"),
)
