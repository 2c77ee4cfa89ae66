"""Who may export the census, by page, API and command: children's social care's case-holding members
and its own agency system; everyone else gets 404, as for a page that does not exist."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from safeguarding.agencies.enums import Role
from safeguarding.api.tests.factories import make_token, signed_in_client, token_client
from safeguarding.census.tests.histories import NOW, Histories, build_histories
from safeguarding.core.enums import Confidentiality
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f
from safeguarding.testing.personas import build_cast

pytestmark = pytest.mark.django_db
PAGE = "/census/export/"
API = "/api/v1/census/export/"


@pytest.fixture
def histories() -> Histories:
    with time_machine.travel(NOW, tick=False):
        yield build_histories()


def test_the_page_downloads_the_xml_for_social_care(histories: Histories) -> None:
    client = signed_in_client(histories.social_worker, verified=True)
    form = client.get(PAGE)
    assert form.status_code == 200
    assert "Export the Children in Need census" in form.content.decode()
    with time_machine.travel(NOW, tick=False):
        response = client.get(PAGE, {"year": "2025-26", "agency": histories.csc.pk, "action": "download"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert 'filename="cin-census-2025-26-csc.xml"' in response["Content-Disposition"]
    assert b"<LAchildID>T0001</LAchildID>" in response.content
    assert ActivityLog.objects.filter(action="census.exported", via="page").count() == 2


def test_the_page_keeps_what_was_chosen_and_names_a_missing_year(histories: Histories) -> None:
    client = signed_in_client(histories.social_worker, verified=True)
    response = client.get(PAGE, {"year": "", "agency": histories.csc.pk, "action": "check"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in body
    assert "Choose the census year." in body
    assert 'value="check" id="id_action_1" required class="govuk-radios__input" checked' in body


@pytest.mark.parametrize("persona", ["involved", "partner", "unrelated"])
def test_other_agencies_get_404_on_page_and_api(histories: Histories, persona: str) -> None:
    user = getattr(build_cast(), persona)
    client = signed_in_client(user, verified=True)
    assert client.get(PAGE).status_code == 404
    assert client.get(PAGE, {"year": "2025-26", "agency": histories.csc.pk, "action": "download"}).status_code == 404
    response = client.get(API, {"year": "2025-26"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert not ActivityLog.objects.filter(action="census.exported").exists()


def test_a_school_with_the_same_children_cannot_export_them(histories: Histories) -> None:
    client = signed_in_client(histories.teacher, verified=True)
    assert client.get(PAGE).status_code == 404
    _, key = make_token(histories.school)
    assert token_client(key).get(API, {"year": "2025-26"}).status_code == 404


def test_the_api_answers_the_xml_to_the_agencys_system_and_names_a_bad_year(histories: Histories) -> None:
    _, key = make_token(histories.csc)
    client = token_client(key)
    with time_machine.travel(NOW, tick=False):
        response = client.get(API, {"year": "2025-26"}, HTTP_ACCEPT="application/xml")
    assert response.status_code == 200
    assert response.content.startswith(b"<?xml")
    assert ActivityLog.objects.filter(action="census.exported", via="api").count() == 2
    bad = client.get(API, {"year": "2025-27"})
    assert bad.status_code == 400
    assert "like 2025-26" in str(bad.json())


def test_a_restricted_involvement_is_left_out_for_those_without_the_role(histories: Histories) -> None:
    histories.protected.involvements.filter(agency=histories.csc).update(
        confidentiality=Confidentiality.RESTRICTED, restricted_to_roles=",manager,"
    )
    manager = f.member(histories.csc, Role.MANAGER, username="team.manager")
    with time_machine.travel(NOW, tick=False):
        practitioner = signed_in_client(histories.social_worker, verified=True).get(
            PAGE, {"year": "2025-26", "agency": histories.csc.pk, "action": "download"}
        )
        allowed = signed_in_client(manager, verified=True).get(
            PAGE, {"year": "2025-26", "agency": histories.csc.pk, "action": "download"}
        )
    assert b"T0001" not in practitioner.content
    assert b"T0001" in allowed.content


def test_the_command_writes_the_file_and_refuses_an_unknown_year(histories: Histories, tmp_path: Path) -> None:
    output = tmp_path / "census.xml"
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("export_cin", "--year", "2025-26", "--output", str(output), stdout=out)
    assert "2 children, 2 episodes" in out.getvalue()
    assert b"<LAchildID>T0002</LAchildID>" in output.read_bytes()
    assert ActivityLog.objects.filter(action="census.exported", via="command", actor=None).count() == 2
    with pytest.raises(CommandError, match="2025-26, 2026-27 only"):
        call_command("export_cin", "--year", "2019-20", "--output", str(output))


def test_checking_first_shows_the_validators_errors_and_queries(
    histories: Histories, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeguarding.census import views
    from safeguarding.census.validator import Issue, Report

    error = Issue("8640", "T0001", "CINdetails", "ReasonForClosure", "RC99", "CIN Reason for closure code invalid")
    query = Issue("8525Q", "T0002", "ChildIdentifiers", "PersonBirthDate", "", "Either Date of Birth or Expected")
    seen: list[str] = []

    def fake_validate(path: Path, *, year: object) -> Report:
        seen.append(Path(path).read_text())
        return Report(ruleset="cin2025_26", errors=(error,), queries=(query,))

    monkeypatch.setattr(views, "validate_file", fake_validate)
    client = signed_in_client(histories.social_worker, verified=True)
    with time_machine.travel(NOW, tick=False):
        response = client.get(PAGE, {"year": "2025-26", "agency": histories.csc.pk, "action": "check"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<LAchildID>T0001</LAchildID>" in seen[0]  # the file it checked is the export
    assert "The validator found 1 error" in body
    assert "CIN Reason for closure code invalid" in body
    assert "8525Q" in body
    assert "action=download" in body
