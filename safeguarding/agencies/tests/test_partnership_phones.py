"""Work telephone numbers in the partnership file (issue 17: the family PDF gives the worker's number):
a person's `work_phone` and a team's `phone`, loaded idempotently, masked in the activity log, cleared
with "", and a number that is not one reported with its line."""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

import pytest

from safeguarding.agencies.models import Team, User
from safeguarding.agencies.partnership_file import PartnershipFileError
from safeguarding.agencies.services import load_partnership
from safeguarding.children.demo.partnership import build_staff
from safeguarding.core.models import ActivityLog
from safeguarding.core.services import MASK

pytestmark = pytest.mark.django_db

FILE = """\
agencies:
  - code: CSC
    name: Testshire Children's Social Care
    kind: childrens_social_care
    teams:
      - {{code: AST, name: Assessment Team, phone: "{team_phone}"}}
users:
  - username: s.worker
    first_name: Sam
    last_name: Worker
    work_phone: "{work_phone}"
    memberships:
      - {{agency: CSC, team: AST, role: practitioner}}
"""


def _load(tmp_path: Path, *, work_phone: str = "07700 900214", team_phone: str = "01632 960100") -> None:
    path = tmp_path / "partnership.yaml"
    path.write_text(textwrap.dedent(FILE.format(work_phone=work_phone, team_phone=team_phone)), encoding="utf-8")
    load_partnership(actor=None, path=path)


def test_work_and_team_numbers_are_loaded_changed_masked_and_cleared(tmp_path: Path) -> None:
    _load(tmp_path)
    assert User.objects.get(username="s.worker").work_phone == "07700 900214"
    assert Team.objects.get(code="AST").phone == "01632 960100"
    created = ActivityLog.objects.get(action="user.created")
    assert created.changes["work_phone"] == [MASK, MASK]

    _load(tmp_path)  # the same file again changes nothing
    assert not ActivityLog.objects.filter(action="user.updated").exists()

    _load(tmp_path, work_phone="01632 960214")
    assert User.objects.get(username="s.worker").work_phone == "01632 960214"
    updated = ActivityLog.objects.get(action="user.updated")
    assert updated.changes == {"work_phone": [MASK, MASK]}
    assert "960214" not in str(updated.changes)

    _load(tmp_path, work_phone="")
    assert User.objects.get(username="s.worker").work_phone == ""


def test_a_number_that_is_not_a_uk_telephone_number_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent(FILE.format(work_phone="ring me", team_phone="0163")), encoding="utf-8")
    with pytest.raises(PartnershipFileError) as raised:
        load_partnership(actor=None, path=path)
    lines = [line.replace(str(path), "FILE") for line in raised.value.lines]
    hint = "Enter a UK telephone number, like 01632 960 123 or 07700 900 123 (digits and spaces)."
    assert lines == [
        f"FILE:6: 'phone' '0163' of team CSC/AST is not a UK telephone number. {hint}",
        f"FILE:11: 'work_phone' 'ring me' of user s.worker is not a UK telephone number. {hint}",
    ]
    assert not User.objects.filter(username="s.worker").exists()


def test_the_demo_partnership_uses_only_ofcom_drama_numbers() -> None:
    staff = build_staff(random.Random(7))
    load_partnership(actor=None, data=staff.data, filename="the demo partnership")
    phones = [*User.objects.exclude(work_phone="").values_list("work_phone", flat=True)]
    teams = [*Team.objects.values_list("phone", flat=True)]
    assert phones
    assert teams
    assert all(p.startswith("07700 900") for p in phones), phones
    assert all(p.startswith("01632 960") for p in teams), teams
    assert len(set(phones)) == len(phones)
