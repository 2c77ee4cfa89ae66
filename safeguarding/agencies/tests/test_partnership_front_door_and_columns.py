"""The partnership file's `front_door:` (on a team) and `import_columns:` (on an agency), and the
data steward role: loaded idempotently and logged, every problem reported with its file and line."""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

import pytest

from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency, Membership, Team
from safeguarding.agencies.partnership_file import PartnershipFileError
from safeguarding.agencies.services import load_partnership
from safeguarding.children.demo.partnership import build_staff
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "partnership.yaml"

FILE = """\
agencies:
  - code: CSC
    name: Testshire Children's Social Care
    kind: childrens_social_care
    teams:
      - {code: MASH, name: Multi-Agency Safeguarding Hub, front_door: true}
      - {code: AST, name: Assessment Team}
  - code: HOMES
    name: Testshire Homes
    kind: housing
    import_columns:
      Tenancy ref: household
      "Client ID": child
users:
  - username: d.steward
    first_name: Dana
    last_name: Steward
    memberships:
      - {agency: CSC, role: data_steward}
"""


def write(tmp_path: Path, text: str, name: str = "partnership.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text, "bad.yaml")
    with pytest.raises(PartnershipFileError) as raised:
        load_partnership(actor=None, path=path)
    return [line.replace(str(path), "FILE") for line in raised.value.lines]


def test_load_partnership_front_door_import_columns_and_data_steward(tmp_path: Path) -> None:
    report = load_partnership(actor=None, path=write(tmp_path, FILE))

    assert report.teams.created == 2
    assert list(Team.objects.filter(is_front_door=True).values_list("agency__code", "code")) == [("CSC", "MASH")]
    assert Agency.objects.get(code="HOMES").import_columns == {"Tenancy ref": "household", "Client ID": "child"}
    assert Agency.objects.get(code="CSC").import_columns == {}
    assert Membership.objects.get(user__username="d.steward").role == Role.DATA_STEWARD
    homes = ActivityLog.objects.get(action="agency.created", target_id=str(Agency.objects.get(code="HOMES").pk))
    assert homes.changes["import_columns"] == [None, {"Tenancy ref": "household", "Client ID": "child"}]
    mash = ActivityLog.objects.get(action="team.created", target_id=str(Team.objects.get(code="MASH").pk))
    assert mash.changes["is_front_door"] == [None, True]


def test_load_partnership_front_door_and_import_columns_are_idempotent(tmp_path: Path) -> None:
    path = write(tmp_path, FILE)
    load_partnership(actor=None, path=path)
    logged = ActivityLog.objects.count()

    report = load_partnership(actor=None, path=path)

    assert not report.has_changes
    assert ActivityLog.objects.count() == logged


def test_load_partnership_changes_to_front_door_and_import_columns_are_logged(tmp_path: Path) -> None:
    load_partnership(actor=None, path=write(tmp_path, FILE))
    moved = (
        FILE.replace(
            "Multi-Agency Safeguarding Hub, front_door: true}", "Multi-Agency Safeguarding Hub, front_door: false}"
        )
        .replace("{code: AST, name: Assessment Team}", "{code: AST, name: Assessment Team, front_door: true}")
        .replace('      "Client ID": child\n', "")
    )

    report = load_partnership(actor=None, path=write(tmp_path, moved, "moved.yaml"))

    assert (report.agencies.updated, report.teams.updated) == (1, 2)
    assert list(Team.objects.filter(is_front_door=True).values_list("code", flat=True)) == ["AST"]
    homes = Agency.objects.get(code="HOMES")
    assert homes.import_columns == {"Tenancy ref": "household"}
    assert ActivityLog.objects.get(action="agency.updated").changes == {
        "import_columns": [{"Tenancy ref": "household", "Client ID": "child"}, {"Tenancy ref": "household"}]
    }
    assert sorted(
        tuple(c["is_front_door"])
        for c in ActivityLog.objects.filter(action="team.updated").values_list("changes", flat=True)
    ) == [(False, True), (True, False)]


def test_load_partnership_leaving_the_keys_out_leaves_the_settings_alone(tmp_path: Path) -> None:
    load_partnership(actor=None, path=write(tmp_path, FILE))
    without = FILE.replace(", front_door: true}", "}").split("    import_columns:")[0] + "users: []\n"

    report = load_partnership(actor=None, path=write(tmp_path, without, "without.yaml"))

    assert not report.has_changes
    assert Team.objects.get(code="MASH").is_front_door is True
    assert Agency.objects.get(code="HOMES").import_columns == {"Tenancy ref": "household", "Client ID": "child"}


def test_load_partnership_empty_import_columns_mapping_clears_them(tmp_path: Path) -> None:
    load_partnership(actor=None, path=write(tmp_path, FILE))
    cleared = FILE.replace('      Tenancy ref: household\n      "Client ID": child\n', "").replace(
        "    import_columns:\n", "    import_columns: {}\n"
    )

    load_partnership(actor=None, path=write(tmp_path, cleared, "cleared.yaml"))

    assert Agency.objects.get(code="HOMES").import_columns == {}


AGENCY = "agencies:\n  - code: HOMES\n    name: Testshire Homes\n    kind: housing\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            AGENCY + "    import_columns: {Tenancy ref: househld}\n",
            "FILE:5: column 'Tenancy ref' in 'import_columns' of agency HOMES is 'househld', which is not allowed. "
            "Did you mean 'household'? Use child (the column is your reference for the child) or household "
            "(a household, tenancy, family or incident reference several children may share).",
        ),
        (
            AGENCY + "    import_columns: [Tenancy ref]\n",
            "FILE:5: 'import_columns' in agency HOMES must be a set of 'column heading: child or household' lines, "
            'not a list. For example: import_columns: {"Tenancy ref": household}.',
        ),
        (
            AGENCY + "    import_columns:\n",
            "FILE:5: 'import_columns' of agency HOMES is empty: list the columns "
            "(import_columns: {\"Tenancy ref\": household}), or write 'import_columns: {}'.",
        ),
        (
            AGENCY + "    import_columns:\n      Tenancy ref: household\n      tenancy  REF: child\n",
            "FILE:7: column 'tenancy REF' in 'import_columns' of agency HOMES is the same heading as 'Tenancy ref' "
            "(line 6): headings are compared ignoring capitals and spaces. Keep one.",
        ),
        (
            AGENCY + f"    import_columns: {{{'x' * 101}: household}}\n",
            "FILE:5: the column heading '"
            + "x" * 40
            + "…' in 'import_columns' of agency HOMES is 101 characters long; "
            "headings can be at most 100.",
        ),
        (
            AGENCY + "    teams:\n      - {code: T1, name: One, front_door: yes please}\n",
            "FILE:6: 'front_door' in team HOMES/T1 must be true or false, not 'yes please'.",
        ),
        (
            AGENCY + "    teams:\n      - {code: T1, name: One, front_dor: true}\n",
            "FILE:6: unknown key 'front_dor' in team in agency HOMES. Did you mean 'front_door'? "
            "Allowed keys: code, name, active, front_door, phone.",
        ),
        (
            AGENCY + "    teams:\n      - {code: T1, name: One, front_door: true}\n      - {code: T2, name: Two}\n"
            "      - code: T3\n        name: Three\n        front_door: true\n",
            "FILE:10: team HOMES/T3 is marked 'front_door: true', but so is team HOMES/T1 (line 6); "
            "the partnership has one front door. Keep 'front_door: true' on one team only.",
        ),
        (
            AGENCY + "    teams:\n      - {code: T1, name: One, front_door: true, active: false}\n",
            "FILE:6: team HOMES/T1 is the front door but has 'active: false'; a closed team cannot receive the front "
            "door's work. Make another team the front door, or remove 'active: false'.",
        ),
    ],
    ids=[
        "unknown kind of column",
        "columns not a mapping",
        "columns empty",
        "same heading twice",
        "heading too long",
        "front door not true or false",
        "front door misspelt",
        "two front doors in the file",
        "closed front door",
    ],
)
def test_load_partnership_bad_front_door_or_import_columns_is_rejected_with_its_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert expected in problems(tmp_path, text)
    assert not Agency.objects.filter(code="HOMES").exists()


def test_load_partnership_second_front_door_against_the_database_is_refused(tmp_path: Path) -> None:
    existing = f.TeamFactory(agency=f.AgencyFactory(code="NBP", name="Police"), code="MASH", is_front_door=True)
    text = AGENCY + "    teams:\n      - {code: T1, name: One, front_door: true}\n"

    assert problems(tmp_path, text) == [
        "FILE:6: team HOMES/T1 is marked 'front_door: true', but team NBP/MASH is already the partnership's front "
        "door in the database; the partnership has one front door. Add team MASH under agency NBP with "
        "'front_door: false', or leave this one out."
    ]

    # Moving the front door in one file is fine.
    moving = (
        text
        + "  - code: NBP\n    name: Police\n    kind: police\n    teams:\n"
        + ("      - {code: MASH, name: Police MASH, front_door: false}\n")
    )
    load_partnership(actor=None, path=write(tmp_path, moving, "moving.yaml"))
    existing.refresh_from_db()
    assert existing.is_front_door is False
    assert list(Team.objects.filter(is_front_door=True).values_list("code", flat=True)) == ["T1"]


def test_load_partnership_example_file_has_a_front_door_a_data_steward_and_household_columns() -> None:
    load_partnership(actor=None, path=EXAMPLE)

    assert list(Team.objects.filter(is_front_door=True).values_list("agency__code", "code")) == [("NBC-CSC", "MASH")]
    assert Agency.objects.get(code="NBH").import_columns == {"Tenancy ref": "household"}
    assert Membership.objects.filter(role=Role.DATA_STEWARD, agency__code="NSCP-BU").count() == 1


def test_demo_partnership_has_a_front_door_mash_and_a_data_steward() -> None:
    staff = build_staff(random.Random(7))

    load_partnership(actor=None, data=staff.data, filename="the demo partnership")

    front = Team.objects.get(is_front_door=True)
    assert (front.agency.code, front.code, front.name) == ("NBC-CSC", "MASH", "Multi-Agency Safeguarding Hub")
    steward = Membership.objects.get(user__username="data.steward")
    assert (steward.agency.code, steward.role) == ("NSCP-BU", Role.DATA_STEWARD)
    assert Agency.objects.get(code="NBH").import_columns == {"Tenancy ref": "household"}
