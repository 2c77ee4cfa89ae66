"""The demo children's census fields (docs/cin-census.md): an LA child ID, a UPN for a child of school
age (a real-shaped synthetic number with the DfE check letter, LA code 201) or the reason there is
none, an ethnicity and disabilities, drawn from a generator seeded by the child's number, so the same
seed gives the same fields."""

from __future__ import annotations

import random
from datetime import date

from safeguarding.children.demo.families import school_start
from safeguarding.children.enums import Disability, Ethnicity, UPNUnknown
from safeguarding.children.models import Child
from safeguarding.children.validators import upn_check_letter

DEMO_LA_CODE = "201"
# Roughly a town in England: most children White British, every group present somewhere.
_ETHNICITY_WEIGHTS = [(Ethnicity.WBRI, 70), (Ethnicity.WOTH, 5), (Ethnicity.WIRI, 1), (Ethnicity.MWBC, 3)]
_ETHNICITY_WEIGHTS += [(Ethnicity.MWBA, 2), (Ethnicity.MWAS, 2), (Ethnicity.MOTH, 2), (Ethnicity.AIND, 2)]
_ETHNICITY_WEIGHTS += [(Ethnicity.APKN, 2), (Ethnicity.ABAN, 1), (Ethnicity.BAFR, 3), (Ethnicity.BCRB, 1)]
_ETHNICITY_WEIGHTS += [(Ethnicity.CHNE, 1), (Ethnicity.OOTH, 1), (Ethnicity.WROM, 1), (Ethnicity.NOBT, 1)]
# Disabilities other than NONE, each child given one or two of them.
_DISABILITIES = [d for d in Disability if d != Disability.NONE]


def demo_upn(number: int) -> str:
    tail = f"{DEMO_LA_CODE}{number % 10**8:08d}{number % 10}"
    return upn_check_letter(tail) + tail


def apply_census_fields(child: Child, number: int, today: date) -> None:
    """Fill a demo child's census fields (before it is written); `number` is the child's place in the demo."""
    rng = random.Random(f"census:{number}")  # noqa: S311 - synthetic demo data, not security
    child.la_child_id = f"NB{number:06d}"
    dob = child.date_of_birth
    if dob is not None and school_start(dob) <= today:
        child.upn = demo_upn(number)
    else:
        child.upn_unknown = UPNUnknown.UN1
    codes, weights = zip(*_ETHNICITY_WEIGHTS, strict=True)
    child.ethnicity = rng.choices(codes, weights=weights)[0]
    roll = rng.random()
    if roll < 0.12:
        child.disabilities = sorted(d.value for d in rng.sample(_DISABILITIES, k=1 if roll < 0.08 else 2))
    else:
        child.disabilities = [Disability.NONE.value]
