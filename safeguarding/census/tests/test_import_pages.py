"""The census import reached the three ways its users reach it: the page for children's social care
(upload, then the batch's page with the validator's errors or queries), the API (a POST of the file,
then the batch), and `manage.py import_cin` — each allowed only to children's social care's importers."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from safeguarding.agencies.enums import Role
from safeguarding.api.tests.factories import make_token, token_client
from safeguarding.census.tests.helpers import (
    AFTER_THE_CENSUS,
    DATA,
    VALID,
    issue,
    social_care_agency,
    social_worker,
    stand_in_validator,
)
from safeguarding.chronology.models import Event, ImportBatch
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db

QUERY = issue(
    "8825Q", "SYN0003", "CINdetails", "ReasonForClosure", "RC8", "Reason for Closure code RC8 has no assessment"
)
RC99 = issue("8640", "SYN0001", "CINdetails", "ReasonForClosure", "RC99", "CIN Reason for closure code invalid")


@pytest.fixture(autouse=True)
def _after_the_census_year():
    with time_machine.travel(AFTER_THE_CENSUS, tick=False):
        yield


def upload(client, content=VALID, name="census.xml", agency=None, **extra):
    data = {"file": SimpleUploadedFile(name, content, "text/xml"), **extra}
    if agency is not None:
        data["agency"] = agency.pk
    return client.post(reverse("census:import-new"), data)


def test_the_page_imports_the_file_and_shows_the_validators_queries_with_the_result(monkeypatch, client_for):
    stand_in_validator(monkeypatch, queries=(QUERY,))
    agency = social_care_agency()
    client = client_for(social_worker(agency))
    page = client.get(reverse("census:import-new"))
    assert page.status_code == 200
    assert "Import a Children in Need census file" in page.content.decode()
    response = upload(client, agency=agency)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("chronology:import-detail", args=[batch.pk])
    assert (batch.file_format, batch.status, batch.events_created) == ("cin", "succeeded", 17)
    html = client.get(response["Location"]).content.decode()
    assert "Queries from the census validator" in html
    assert "Rule 8825Q: Reason for Closure code RC8 has no assessment" in html
    assert "SYN0003" in html
    assert "Children in the file" in html


def test_the_page_shows_a_refused_files_errors_by_child_and_keeps_nothing(monkeypatch, client_for):
    stand_in_validator(monkeypatch, errors=(RC99,))
    agency = social_care_agency()
    client = client_for(social_worker(agency))
    response = upload(client, agency=agency)
    html = client.get(response["Location"]).content.decode()
    assert "The file was not imported" in html
    assert "Child (LA child ID)" in html
    assert "Rule 8640: CIN Reason for closure code invalid (value RC99)" in html
    assert Event.objects.count() == 0


def test_the_page_says_what_is_wrong_with_an_upload_and_keeps_the_choices(client_for):
    agency = social_care_agency()
    client = client_for(social_worker(agency))
    response = upload(client, content=b"Date,Event type\n", name="chronology.csv", agency=agency, dry_run="on")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Error:" in html
    assert "The file must be the census XML file (.xml)." in html
    assert re.search(r'<input[^>]*name="dry_run"[^>]*checked', html)  # the form keeps what was chosen
    assert not ImportBatch.objects.exists()


def test_only_childrens_social_care_importers_reach_the_page(cast, client_for):
    agency = social_care_agency()
    # Social care's own administrator holds no case role, so does not import its files either.
    administrator = f.member(agency, Role.ADMINISTRATOR, username="csc-admin")
    for persona in (cast.involved, cast.partner, cast.unrelated, administrator):
        assert client_for(persona).get(reverse("census:import-new")).status_code == 404
        assert upload(client_for(persona)).status_code == 404
    assert not ImportBatch.objects.exists()


def test_the_api_takes_the_file_from_social_cares_system_and_answers_with_the_batch(monkeypatch):
    stand_in_validator(monkeypatch, queries=(QUERY,))
    agency = social_care_agency()
    _, key = make_token(agency)
    client = token_client(key)
    response = client.post(
        "/api/v1/census/imports/", {"file": SimpleUploadedFile("census.xml", VALID, "text/xml")}, format="multipart"
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["file_format"], body["agency"]) == ("cin", "CSC")
    followed = client.get(f"/api/v1/imports/{body['id']}/").json()
    assert (followed["status"], followed["events_created"]) == ("succeeded", 17)
    assert [(w["rule"], w["child"]) for w in followed["warnings"]] == [("8825Q", "SYN0003")]


def test_the_api_refuses_other_agencies_and_a_missing_file(monkeypatch, cast):
    calls = stand_in_validator(monkeypatch)
    _, health_key = make_token(cast.agency)
    response = token_client(health_key).post(
        "/api/v1/census/imports/", {"file": SimpleUploadedFile("census.xml", VALID, "text/xml")}, format="multipart"
    )
    assert response.status_code == 403
    _, key = make_token(social_care_agency())
    missing = token_client(key).post("/api/v1/census/imports/", {}, format="multipart")
    assert missing.status_code == 400
    assert "file" in str(missing.json())
    assert calls == []
    assert not ImportBatch.objects.exists()


def test_the_command_checks_imports_and_refuses(monkeypatch, capsys):
    stand_in_validator(monkeypatch, queries=(QUERY,))
    social_care_agency()
    call_command("import_cin", str(DATA / "import_valid.xml"), "--dry-run")
    out = capsys.readouterr().out
    assert "dry run, nothing saved" in out
    assert "entries would be created: 17" in out
    assert "query (child SYN0003, CINdetails/ReasonForClosure): Rule 8825Q" in out
    assert Event.objects.count() == 0
    call_command("import_cin", str(DATA / "import_valid.xml"))
    assert Event.objects.count() == 17
    stand_in_validator(monkeypatch, errors=(RC99,))
    with pytest.raises(CommandError, match="was refused"):
        call_command("import_cin", str(DATA / "import_valid.xml"))
    assert "error (child SYN0001, CINdetails/ReasonForClosure): Rule 8640" in capsys.readouterr().out
