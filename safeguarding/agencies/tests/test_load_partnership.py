"""`manage.py load_partnership`: a partnership file creates or updates agencies, teams, users and
memberships idempotently; a bad file is rejected whole, each problem with its file and line."""

from __future__ import annotations

import textwrap
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency, Membership, Team, User
from safeguarding.agencies.partnership_file import PartnershipFileError
from safeguarding.agencies.services import load_partnership
from safeguarding.core.enums import Via
from safeguarding.core.models import ActivityLog
from safeguarding.core.services import MASK
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "partnership.yaml"

BASE = """\
partnership: Testshire Safeguarding Children Partnership
agencies:
  - code: TSP
    name: Testshire Police
    kind: police
    partner_status: statutory
    teams:
      - {code: PPU, name: Public Protection Unit}
      - {code: MASH, name: Police MASH desk}
  - code: TCH
    name: Testshire Community Health
    kind: health
    teams:
      - {code: HV, name: Health Visiting}
users:
  - username: a.officer
    first_name: Alex
    last_name: Officer
    email: a.officer@testshire-police.example
    job_title: Detective Constable
    memberships:
      - {agency: TSP, team: PPU, role: practitioner}
      - {agency: TSP, role: safeguarding_lead}
  - username: b.visitor
    first_name: Bea
    last_name: Visitor
    memberships:
      - {agency: TCH, team: HV, role: practitioner}
"""


def write(tmp_path: Path, text: str, name: str = "partnership.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("load_partnership", str(path), *args, stdout=out)
    return out.getvalue()


def database_state() -> dict[str, Any]:
    return {
        "agencies": sorted(Agency.objects.values_list("code", "name", "kind", "partner_status", "is_active")),
        "teams": sorted(Team.objects.values_list("agency__code", "code", "name", "is_active")),
        "users": sorted(User.objects.values_list("username", "first_name", "last_name", "email", "job_title")),
        "memberships": sorted(
            Membership.objects.values_list("user__username", "agency__code", "team__code", "role", "is_active"),
            key=str,
        ),
        "activity": ActivityLog.objects.count(),
    }


# --- Valid files -----------------------------------------------------------------------------------


def test_load_partnership_example_file_creates_what_it_lists():
    output = run(EXAMPLE)

    assert (
        "Agencies: 7 created, 0 updated, 0 unchanged. Teams: 11 created, 0 updated, 0 unchanged. "
        "Users: 14 created, 0 updated, 0 unchanged. Memberships: 15 added, 0 changed, 0 ended, 0 unchanged."
    ) in output
    assert "Northbridge Safeguarding Children Partnership" in output
    police = Agency.objects.get(code="NBP")
    assert (police.name, police.kind, police.partner_status) == ("Northbridge Police", "police", "statutory")
    assert Agency.objects.get(code="SCH-ALD").partner_status == "relevant"  # the default
    assert Team.objects.get(agency__code="NBH", code="OLD").is_active is False
    okafor = User.objects.get(username="j.okafor")
    assert (okafor.first_name, okafor.job_title) == ("Joy", "Detective Sergeant")
    assert list(okafor.memberships.values_list("agency__code", "team__code", "role", "is_active")) == [
        ("NBP", "PPU", Role.MANAGER, True)
    ]
    assert sorted(User.objects.get(username="r.adeyemi").memberships.values_list("agency__code", flat=True)) == [
        "NB-ICB",
        "NBCH",
    ]
    leaver = User.objects.get(username="b.quinlan")
    assert leaver.is_active is False
    assert not leaver.memberships.exists()


def test_load_partnership_new_users_cannot_sign_in_until_given_a_password():
    output = run(EXAMPLE)

    assert all(not user.has_usable_password() for user in User.objects.all())
    assert "New users cannot sign in until an administrator sets their password" in output


def test_load_partnership_logs_each_change_as_a_command():
    run(EXAMPLE)

    actions = {
        action: ActivityLog.objects.filter(action=action).count()
        for action in ("agency.created", "team.created", "user.created", "membership.added")
    }
    assert actions == {"agency.created": 7, "team.created": 11, "user.created": 14, "membership.added": 15}
    assert set(ActivityLog.objects.values_list("via", flat=True)) == {Via.COMMAND}
    created = ActivityLog.objects.get(action="user.created", target_id=str(User.objects.get(username="j.okafor").pk))
    # Staff names and email addresses are masked; the job title is not.
    assert created.changes["first_name"] == [MASK, MASK]
    assert created.changes["email"] == [MASK, MASK]
    assert created.changes["job_title"] == [None, "Detective Sergeant"]


def test_load_partnership_second_run_reports_no_changes(tmp_path):
    path = write(tmp_path, BASE)
    run(path)
    before = database_state()

    output = run(path)

    assert output.splitlines()[-1] == (
        f"No changes: the database already matches {path}. Agencies: 0 created, 0 updated, 2 unchanged. "
        "Teams: 0 created, 0 updated, 3 unchanged. Users: 0 created, 0 updated, 2 unchanged. "
        "Memberships: 0 added, 0 changed, 0 ended, 3 unchanged."
    )
    assert database_state() == before


def test_load_partnership_update_changes_only_what_changed(tmp_path):
    run(write(tmp_path, BASE))
    health = Agency.objects.get(code="TCH")
    police_updated_at = Agency.objects.get(code="TSP").updated_at
    changed = (
        BASE.replace("name: Testshire Community Health", "name: Testshire Community Health NHS Trust")
        .replace("kind: health\n", "kind: health\n    partner_status: statutory\n")
        .replace("job_title: Detective Constable", "job_title: Detective Sergeant")
    )

    report = load_partnership(actor=None, path=write(tmp_path, changed, "changed.yaml"))

    assert (report.agencies.created, report.agencies.updated, report.agencies.unchanged) == (0, 1, 1)
    assert (report.teams.created, report.teams.updated, report.teams.unchanged) == (0, 0, 3)
    assert (report.users.created, report.users.updated, report.users.unchanged) == (0, 1, 1)
    assert report.memberships.changed == 0
    health.refresh_from_db()
    assert (health.name, health.partner_status) == ("Testshire Community Health NHS Trust", "statutory")
    assert Agency.objects.get(code="TSP").updated_at == police_updated_at
    logged = ActivityLog.objects.get(action="agency.updated")
    assert logged.changes == {
        "name": ["Testshire Community Health", "Testshire Community Health NHS Trust"],
        "partner_status": ["relevant", "statutory"],
    }
    assert ActivityLog.objects.get(action="user.updated").changes == {
        "job_title": ["Detective Constable", "Detective Sergeant"]
    }


def test_load_partnership_removed_membership_is_ended_not_deleted(tmp_path):
    run(write(tmp_path, BASE))
    lead = Membership.objects.get(user__username="a.officer", role=Role.SAFEGUARDING_LEAD)
    without_lead = BASE.replace("      - {agency: TSP, role: safeguarding_lead}\n", "")

    output = run(write(tmp_path, without_lead, "fewer.yaml"))

    assert "Memberships: 0 added, 0 changed, 1 ended, 2 unchanged." in output
    lead.refresh_from_db()
    assert lead.is_active is False
    assert Membership.objects.filter(user__username="a.officer").count() == 2
    assert User.objects.get(username="a.officer").is_active is True
    ended = ActivityLog.objects.get(action="membership.ended")
    assert ended.target_id == str(lead.pk)
    assert ended.changes == {"is_active": [True, False]}

    # Listing it again restarts the same membership.
    report = load_partnership(actor=None, path=write(tmp_path, BASE, "again.yaml"))
    assert report.memberships.added == 1
    lead.refresh_from_db()
    assert lead.is_active is True


def test_load_partnership_user_left_out_of_the_file_keeps_everything(tmp_path):
    run(write(tmp_path, BASE))
    only_agencies = BASE.split("users:")[0]

    report = load_partnership(actor=None, path=write(tmp_path, only_agencies, "agencies.yaml"))

    assert not report.has_changes
    assert Membership.objects.filter(is_active=True).count() == 3


def test_load_partnership_moves_a_membership_to_another_team(tmp_path):
    run(write(tmp_path, BASE))
    moved = BASE.replace(
        "{agency: TSP, team: PPU, role: practitioner}", "{agency: TSP, team: MASH, role: practitioner}"
    )

    report = load_partnership(actor=None, path=write(tmp_path, moved, "moved.yaml"))

    assert (report.memberships.added, report.memberships.changed_team, report.memberships.ended) == (0, 1, 0)
    membership = Membership.objects.get(user__username="a.officer", role=Role.PRACTITIONER)
    assert membership.team is not None
    assert membership.team.code == "MASH"
    assert ActivityLog.objects.filter(action="membership.updated", target_id=str(membership.pk)).exists()


def test_load_partnership_membership_may_name_an_agency_already_in_the_database(tmp_path):
    agency = f.AgencyFactory(code="EXIST", name="Existing Agency")
    f.TeamFactory(agency=agency, code="T1", name="Team one")
    path = write(
        tmp_path,
        """\
        users:
          - username: c.worker
            first_name: Cal
            last_name: Worker
            memberships:
              - {agency: EXIST, team: T1, role: manager}
        """,
    )

    report = load_partnership(actor=None, path=path)

    assert (report.users.created, report.memberships.added) == (1, 1)
    assert Membership.objects.get(user__username="c.worker").team.code == "T1"  # type: ignore[union-attr]


def test_load_partnership_dry_run_reports_and_saves_nothing(tmp_path):
    before = database_state()

    output = run(write(tmp_path, BASE), "--dry-run")

    assert output.startswith("Dry run: nothing was saved.")
    assert "Agencies: 2 created" in output
    assert database_state() == before


def test_load_partnership_records_the_actor(tmp_path):
    admin = f.member(f.AgencyFactory(code="BU"), Role.ADMINISTRATOR, username="the.admin")

    run(write(tmp_path, BASE), "--actor", "the.admin")

    assert set(ActivityLog.objects.values_list("actor", flat=True)) == {admin.pk}


def test_load_partnership_unknown_actor_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No active person has the username nobody"):
        run(write(tmp_path, BASE), "--actor", "nobody")


# --- Bad files: rejected whole, every problem with its line ---------------------------------------

# Each case: a file, and a problem the command must report (FILE is replaced by the path).
# Every file also holds valid changes (a new agency, a new user), which must not be written.
VALID_PART = """\
  - code: NEW
    name: A new agency that must not be created
    kind: voluntary
"""
BAD_FILES: dict[str, tuple[str, str]] = {
    "unknown kind": (
        "agencies:\n" + VALID_PART + "  - code: XX1\n    name: Xx one\n    kind: polce\n",
        "FILE:7: 'kind' in agency XX1 is 'polce', which is not allowed. Did you mean 'police'? Use one of: police, "
        "health, childrens_social_care, early_help, school, early_years, gp, housing, probation, youth_justice, "
        "mental_health, voluntary, business_unit, other.",
    ),
    "duplicate agency code": (
        "agencies:\n" + VALID_PART + "  - code: NEW\n    name: Another\n    kind: police\n",
        "FILE:5: agency code NEW is used twice (first on line 2); each agency needs its own code.",
    ),
    "unknown agency in a membership": (
        "agencies:\n"
        + VALID_PART
        + "users:\n  - username: z.z\n    first_name: Z\n    last_name: Z\n    memberships:\n"
        + "      - {agency: NOPE, role: practitioner}\n",
        "FILE:10: membership of user z.z names agency NOPE, which is neither in this file nor in the database. "
        "Add the agency under 'agencies:' or correct the code.",
    ),
    "unknown team in a membership": (
        "agencies:\n"
        + VALID_PART
        + "    teams:\n      - {code: FS, name: Family support}\n"
        + "users:\n  - username: z.z\n    first_name: Z\n    last_name: Z\n    memberships:\n"
        + "      - {agency: NEW, team: FX, role: practitioner}\n",
        "FILE:12: membership of user z.z names team FX, which agency NEW does not have. Its teams are: FS. "
        "Add the team under agency NEW's 'teams:' or correct the code.",
    ),
    "unknown role": (
        "agencies:\n"
        + VALID_PART
        + "users:\n  - username: z.z\n    first_name: Z\n    last_name: Z\n    memberships:\n"
        + "      - {agency: NEW, role: boss}\n",
        "FILE:10: 'role' in membership of user z.z is 'boss', which is not allowed. Use one of: practitioner, "
        "manager, senior_manager, safeguarding_lead, business_unit, reviewer, scrutineer, administrator, "
        "data_steward.",
    ),
    "missing required key": (
        "agencies:\n" + VALID_PART + "  - code: XX1\n    kind: police\n",
        "FILE:5: agency XX1 has no 'name'; add it.",
    ),
    "unknown key": (
        "agencies:\n" + VALID_PART + "  - code: XX1\n    name: Xx one\n    knd: police\n",
        "FILE:7: unknown key 'knd' in agency. Did you mean 'kind'? "
        "Allowed keys: code, name, kind, partner_status, active, teams, import_columns.",
    ),
    "missing memberships": (
        "agencies:\n" + VALID_PART + "users:\n  - username: z.z\n    first_name: Z\n    last_name: Z\n",
        "FILE:6: user z.z has no 'memberships'; add it (memberships: []).",
    ),
    "empty memberships": (
        "agencies:\n"
        + VALID_PART
        + "users:\n  - username: z.z\n    first_name: Z\n    last_name: Z\n    memberships:\n",
        "FILE:9: 'memberships' of user z.z is empty: list them, or write 'memberships: []'.",
    ),
    "key given twice": (
        "agencies:\n" + VALID_PART + "  - code: XX1\n    name: Xx one\n    name: Xx two\n    kind: police\n",
        "FILE:7: 'name' is given twice in this entry (first on line 6); keep one.",
    ),
    "code that is not a code": (
        "agencies:\n" + VALID_PART + "  - code: xx 1\n    name: Xx one\n    kind: police\n",
        "FILE:5: 'code' in agency is 'xx 1': use 2 to 32 capital letters, digits, hyphens or underscores, "
        "starting with a letter or digit (e.g. NBP or SCH-ALD).",
    ),
    "code read as yes/no": (
        "agencies:\n" + VALID_PART + "  - code: NO\n    name: Xx one\n    kind: police\n",
        "FILE:5: 'code' in agency was read as yes/no. Put the code in quotes, e.g. code: \"NO\".",
    ),
    "not true or false": (
        "agencies:\n" + VALID_PART + "    active: maybe\n",
        "FILE:5: 'active' in agency NEW must be true or false, not 'maybe'.",
    ),
    "bad email": (
        "agencies:\n"
        + VALID_PART
        + "users:\n  - username: z.z\n    first_name: Z\n    last_name: Z\n    email: not-an-address\n"
        + "    memberships: []\n",
        "FILE:9: email 'not-an-address' of user z.z is not an email address; correct it.",
    ),
    "user listed twice": (
        "agencies:\n"
        + VALID_PART
        + "users:\n  - {username: z.z, first_name: Z, last_name: Z, memberships: []}\n"
        + "  - {username: Z.Z, first_name: Z, last_name: Z, memberships: []}\n",
        "FILE:7: username Z.Z is listed twice (first as z.z on line 6); "
        "list each person once, with all their memberships.",
    ),
    "agency system role": (
        "agencies:\n"
        + VALID_PART
        + "users:\n  - {username: z.z, first_name: Z, last_name: Z,\n"
        + "     memberships: [{agency: NEW, role: agency_system}]}\n",
        "FILE:7: 'role' in membership of user z.z is 'agency_system': agency system accounts come with API tokens",
    ),
    "agency name already taken in the database": (
        "agencies:\n" + VALID_PART + "  - code: XX1\n    name: testshire police\n    kind: police\n",
        "FILE:6: agency name 'testshire police' is already used by agency TSP in the database; "
        "give XX1 another name, or rename TSP in the file too.",
    ),
    "YAML syntax error": (
        "agencies:\n" + VALID_PART + "  - code: XX1\n    name: Xx one\n   kind: police\n",
        "FILE:7: the file is not valid YAML: expected <block end>, but found '<block mapping start>'",
    ),
    "unclosed quote": (
        "agencies:\n" + VALID_PART + '  - code: XX1\n    name: "Xx one\n    kind: police\n',
        "FILE:8: the file is not valid YAML: found unexpected end of stream (while scanning a quoted scalar on line 6)",
    ),
    "not a mapping": ("- just\n- a list\n", "FILE:1: the file must be a set of 'key: value' lines"),
    "empty file": ("", "FILE: the file is empty. Add an 'agencies:' list, a 'users:' list, or both."),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_load_partnership_bad_file_is_rejected_whole_with_its_line(tmp_path, case):
    run(write(tmp_path, BASE, "base.yaml"))
    before = database_state()
    text, expected = BAD_FILES[case]
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        run(path)

    message = str(raised.value)
    assert message.startswith(f"{path} was not loaded: ")
    assert "Nothing was changed." in message
    assert expected.replace("FILE", str(path)) in message
    assert database_state() == before
    assert not Agency.objects.filter(code="NEW").exists()


def test_load_partnership_system_account_username_is_refused(tmp_path):
    f.UserFactory(username="nbp.system", is_system=True)
    path = write(
        tmp_path,
        """\
        users:
          - {username: nbp.system, first_name: A, last_name: B, memberships: []}
        """,
    )

    with pytest.raises(PartnershipFileError) as raised:
        load_partnership(actor=None, path=path)

    assert raised.value.lines == [
        f"{path}:2: username nbp.system belongs to an agency system's API account; "
        "people need their own username. Choose another."
    ]


def test_load_partnership_username_differing_only_in_capitals_is_refused(tmp_path):
    f.UserFactory(username="J.Okafor")
    path = write(
        tmp_path,
        """\
        users:
          - {username: j.okafor, first_name: Joy, last_name: Okafor, memberships: []}
        """,
    )

    with pytest.raises(PartnershipFileError) as raised:
        load_partnership(actor=None, path=path)

    assert raised.value.lines == [
        f"{path}:2: username j.okafor differs only in capitals from the existing user J.Okafor; "
        "spell it J.Okafor to update that person, or choose a clearly different username."
    ]
    assert User.objects.count() == 1


def test_load_partnership_lists_every_problem_at_once(tmp_path):
    path = write(
        tmp_path,
        """\
        agencies:
          - code: AA1
            name: First
            knd: police
          - code: AA2
            name: Second
            kind: health
            teams:
              - {code: T1}
        users:
          - username: q.q
            first_name: Q
            last_name: Q
            memberships:
              - {agency: AA9, role: practitioner}
        """,
    )

    with pytest.raises(PartnershipFileError) as raised:
        load_partnership(actor=None, path=path)

    assert [line.split(": ", 1)[0] for line in raised.value.lines] == [
        f"{path}:2",  # AA1 has no kind
        f"{path}:4",  # knd
        f"{path}:9",  # team without a name
        f"{path}:15",  # unknown agency AA9
    ]
    assert raised.value.message.startswith(f"{path} was not loaded: 4 problems to fix. Nothing was changed.")


def test_load_partnership_membership_naming_a_broken_agency_is_not_reported_twice(tmp_path):
    path = write(
        tmp_path,
        """\
        agencies:
          - {code: AA1, name: First}
        users:
          - {username: q.q, first_name: Q, last_name: Q, memberships: [{agency: AA1, role: manager}]}
        """,
    )

    with pytest.raises(PartnershipFileError) as raised:
        load_partnership(actor=None, path=path)

    assert len(raised.value.problems) == 1
    assert "has no 'kind'" in raised.value.lines[0]


def test_load_partnership_from_data_reports_problems_without_lines():
    with pytest.raises(PartnershipFileError) as raised:
        load_partnership(actor=None, data={"agencies": [{"code": "AA1", "name": "First", "kind": "nope"}]})

    assert raised.value.lines[0].startswith("<data>: 'kind' in agency AA1 is 'nope'")


def test_load_partnership_missing_file_is_reported(tmp_path):
    with pytest.raises(CommandError, match=r"missing\.yaml: no such file\. Check the path and try again\."):
        run(tmp_path / "missing.yaml")
