"""Event types close to a known type ("Home vist"): listed with their nearest type, and the import
waits for the uploader to say what each means, instead of filing them silently as "Other"."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency
from safeguarding.chronology import importer
from safeguarding.chronology.enums import ImportStatus
from safeguarding.chronology.import_rows import Vocabulary
from safeguarding.chronology.models import Event, ImportBatch
from safeguarding.chronology.tests.helpers import csv_bytes, run, table_counts
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast

pytestmark = pytest.mark.django_db

HEADER = ["Date", "Child name", "DOB", "Event type", "Details"]
ROWS = (
    ["12/03/2024", "Jo Smith", "01/02/2019", "Was not brough", "Dental appointment"],
    ["19/03/2024", "Jo Smith", "01/02/2019", "was not  brough", "Dental appointment again"],
    ["20/03/2024", "Jo Smith", "01/02/2019", "Home vist", "Seen at home"],
    ["21/03/2024", "Jo Smith", "01/02/2019", "Coffee morning", "Mum came"],
    ["22/03/2024", "Jo Smith", "01/02/2019", "WNB", "Audiology"],
)
CONTENT = csv_bytes(HEADER, *ROWS)
SUGGESTIONS = [
    {"label": "Was not brough", "nearest": "was_not_brought", "nearest_label": "Was not brought", "rows": 2},
    {"label": "Home vist", "nearest": "home_visit", "nearest_label": "Home visit", "rows": 1},
]


@pytest.fixture
def agency() -> Agency:
    return f.AgencyFactory(code="HV", name="Test Community Health")


# --- How close is close --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("Was not brough", "was_not_brought"),  # a letter missing
        ("Home vist", "home_visit"),
        ("Hone visit", "home_visit"),  # a letter wrong
        ("Exclsuion", "exclusion"),  # two letters swapped
        ("Concern rasied", "concern_raised"),
        ("Refferal", "referral_to_csc"),  # a synonym ("referral"), a letter too many
        ("Refral", "referral_to_csc"),  # two letters missing
        ("Strategy meting", "strategy_discussion"),  # a synonym ("strategy meeting")
        ("Attendence", "school_attendance"),
        ("Injry", "injury"),
    ],
)
def test_vocabulary_nearest_catches_one_or_two_letter_slips(label: str, code: str) -> None:
    nearest = Vocabulary().nearest(label)
    assert nearest is not None
    assert nearest.code == code


@pytest.mark.parametrize(
    "label",
    [
        "Coffee morning",
        "Fish",
        "Police called",  # shares words with "Police attended", but is not a slip of it
        "Notice",  # two letters from "Police", a different word
        "Court hearing",
        "Plan extended",  # three letters from "Plan ended"
        "ICPD",  # one letter from "ICPC": short abbreviations are never guessed
        "Inquiry",
        "Something unusual",
        "Home visit",  # known exactly: no suggestion needed
    ],
)
def test_vocabulary_nearest_leaves_other_words_alone(label: str) -> None:
    assert Vocabulary().nearest(label) is None


# --- The importer ------------------------------------------------------------------------------------


def test_import_with_near_miss_labels_writes_nothing_and_lists_them(agency: Agency) -> None:
    before = table_counts()

    result = run(agency, CONTENT)

    assert result.rejected is False
    assert result.needs_confirmation is True
    assert result.type_suggestions == SUGGESTIONS
    # A label with no close match keeps today's behaviour: it will be recorded as Other.
    assert result.mapped_to_other == 1
    assert result.events_created == 0
    assert table_counts() == before


def test_import_dry_run_lists_near_misses_with_exact_counts(agency: Agency) -> None:
    before = table_counts()

    result = run(agency, CONTENT, dry_run=True)

    assert result.type_suggestions == SUGGESTIONS
    assert (result.rows_total, result.events_created, result.children_created, result.mapped_to_other) == (5, 5, 1, 1)
    assert table_counts() == before


def test_import_with_the_labels_confirmed_applies_the_mapping(agency: Agency) -> None:
    mapping = {"Was not brough": "was_not_brought", "Home vist": "other"}

    result = run(agency, CONTENT, type_mapping=mapping)

    assert (result.rejected, result.type_suggestions, result.events_created) == (False, [], 5)
    assert result.mapped_to_other == 2  # "Home vist" (as confirmed) and "Coffee morning"
    assert sorted(Event.objects.values_list("original_type_label", "event_type__code")) == [
        ("Coffee morning", "other"),
        ("Home vist", "other"),
        ("WNB", "was_not_brought"),
        ("Was not brough", "was_not_brought"),
        ("was not  brough", "was_not_brought"),
    ]


def test_run_batch_waits_for_confirmation_then_imports_the_same_content(agency: Agency) -> None:
    batch = importer.create_batch(actor=None, agency=agency, filename="hv.csv", content=CONTENT)

    importer.run_batch(batch)

    batch.refresh_from_db()
    assert (batch.status, batch.type_suggestions, batch.events_created) == (
        ImportStatus.NEEDS_CONFIRMATION,
        SUGGESTIONS,
        0,
    )
    assert batch.is_finished
    assert Event.objects.count() == 0

    importer.confirm_import_types(
        actor=None, batch=batch, mapping={"Was not brough": "was_not_brought", "Home vist": "home_visit"}
    )
    assert batch.status == ImportStatus.QUEUED
    importer.run_batch(batch)

    batch.refresh_from_db()
    assert (batch.status, batch.events_created, batch.mapped_to_other) == (ImportStatus.SUCCEEDED, 5, 1)
    assert batch.type_suggestions == SUGGESTIONS  # kept beside the answers
    assert batch.type_mapping == {"Was not brough": "was_not_brought", "Home vist": "home_visit"}
    assert Event.objects.filter(import_batch=batch, event_type__code="home_visit").count() == 1


def test_confirm_import_types_needs_an_answer_for_every_label(agency: Agency) -> None:
    from django.core.exceptions import ValidationError

    batch = importer.create_batch(actor=None, agency=agency, filename="hv.csv", content=CONTENT)
    importer.run_batch(batch)

    with pytest.raises(ValidationError) as raised:
        importer.confirm_import_types(actor=None, batch=batch, mapping={"Was not brough": "exclusion"})

    assert raised.value.messages == [
        'Choose how to record "Was not brough": as Was not brought or as Other.',
        'Choose how to record "Home vist": as Home visit or as Other.',
    ]
    batch.refresh_from_db()
    assert (batch.status, batch.type_mapping) == (ImportStatus.NEEDS_CONFIRMATION, {})


# --- The command -------------------------------------------------------------------------------------


@pytest.fixture
def path(tmp_path: Any) -> Any:
    file = tmp_path / "hv.csv"
    file.write_bytes(CONTENT)
    return file


def test_import_events_command_without_an_option_lists_the_labels_and_exits_non_zero(agency: Agency, path: Any) -> None:
    out = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_events", "--agency", "HV", str(path), stdout=out, stderr=StringIO())

    assert "--accept-suggestions" in str(raised.value)
    assert "--as-other" in str(raised.value)
    text = out.getvalue()
    assert "waiting: 2 event type(s) close to a known type; nothing was saved" in text
    assert '"Was not brough" (2 rows): nearest type: Was not brought (was_not_brought)' in text
    assert '"Home vist" (1 row): nearest type: Home visit (home_visit)' in text
    assert Event.objects.count() == 0
    assert ImportBatch.objects.get().status == ImportStatus.NEEDS_CONFIRMATION


def test_import_events_command_accept_suggestions_records_each_as_its_nearest_type(agency: Agency, path: Any) -> None:
    out = StringIO()

    call_command("import_events", "--agency", "HV", str(path), "--accept-suggestions", stdout=out, stderr=StringIO())

    text = out.getvalue()
    assert "events created: 5" in text
    assert 'types mapped to "other": 1' in text
    assert '"Was not brough" (2 rows): recorded as Was not brought (was_not_brought)' in text
    codes = dict(Event.objects.values_list("original_type_label", "event_type__code"))
    assert (codes["Was not brough"], codes["Home vist"], codes["Coffee morning"]) == (
        "was_not_brought",
        "home_visit",
        "other",
    )
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.SUCCEEDED
    logged = ActivityLog.objects.get(action="import_batch.types_confirmed")
    assert logged.target_id == str(batch.pk)
    assert logged.changes == {"type_mapping": [None, {"Was not brough": "was_not_brought", "Home vist": "home_visit"}]}


def test_import_events_command_as_other_records_them_as_other_keeping_the_label(agency: Agency, path: Any) -> None:
    out = StringIO()

    call_command("import_events", "--agency", "HV", str(path), "--as-other", stdout=out, stderr=StringIO())

    assert 'types mapped to "other": 4' in out.getvalue()
    assert '"Home vist" (1 row): recorded as Other (nearest type: Home visit)' in out.getvalue()
    assert sorted(Event.objects.filter(event_type__code="other").values_list("original_type_label", flat=True)) == [
        "Coffee morning",
        "Home vist",
        "Was not brough",
        "was not  brough",
    ]


def test_import_events_command_dry_run_lists_the_labels_with_exact_counts(agency: Agency, path: Any) -> None:
    out = StringIO()

    with pytest.raises(CommandError, match="--accept-suggestions"):
        call_command("import_events", "--agency", "HV", str(path), "--dry-run", stdout=out, stderr=StringIO())

    text = out.getvalue()
    assert '"Was not brough" (2 rows): nearest type: Was not brought' in text
    assert "events would be created: 5" in text
    assert "children would be created (unverified): 1" in text
    assert Event.objects.count() == 0

    out = StringIO()
    call_command("import_events", "--agency", "HV", str(path), "--dry-run", "--as-other", stdout=out, stderr=StringIO())
    assert 'types mapped to "other": 4' in out.getvalue()
    assert Event.objects.count() == 0


def test_import_events_command_options_cannot_be_combined(agency: Agency, path: Any) -> None:
    with pytest.raises(CommandError, match="not allowed with argument"):
        call_command(
            "import_events", "--agency", "HV", str(path), "--as-other", "--accept-suggestions", stdout=StringIO()
        )


# --- The page ------------------------------------------------------------------------------------------


def _upload(client: Any, cast: Cast, content: bytes = CONTENT, **extra: Any) -> ImportBatch:
    data = {"agency": cast.agency.pk, "file": SimpleUploadedFile("hv.csv", content, content_type="text/csv"), **extra}
    client.post(reverse("chronology:import-new"), data)
    return ImportBatch.objects.get()


def _confirm(client: Any, batch: ImportBatch, **answers: str) -> Any:
    return client.post(reverse("chronology:import-confirm-types", args=[batch.pk]), answers)


def test_import_detail_page_asks_about_each_label(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.involved)
    batch = _upload(client, cast)

    html = client.get(reverse("chronology:import-detail", args=[batch.pk])).content.decode()

    assert batch.status == ImportStatus.NEEDS_CONFIRMATION
    assert 'http-equiv="refresh"' not in html
    assert "Waiting for you to confirm event types" in html
    assert f'action="{reverse("chronology:import-confirm-types", args=[batch.pk])}"' in html
    assert "&quot;Was not brough&quot; (2 rows)" in html
    assert 'type="radio" name="type_0" value="was_not_brought"' in html
    assert "Record as Was not brought" in html
    assert 'type="radio" name="type_1" value="other"' in html
    assert "Record as Other" in html


def test_import_confirm_types_page_imports_the_file_with_the_answers(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.involved)
    batch = _upload(client, cast)

    response = _confirm(client, batch, type_0="was_not_brought", type_1="other")

    assert response.status_code == 302
    assert response["Location"] == reverse("chronology:import-detail", args=[batch.pk])
    batch.refresh_from_db()
    assert (batch.status, batch.events_created) == (ImportStatus.SUCCEEDED, 5)
    assert batch.type_mapping == {"Was not brough": "was_not_brought", "Home vist": "other"}
    assert Event.objects.get(original_type_label="Home vist").event_type.code == "other"
    logged = ActivityLog.objects.get(action="import_batch.types_confirmed")
    assert (logged.actor, logged.target_id) == (cast.involved, str(batch.pk))
    html = client.get(response["Location"]).content.decode()
    assert "Import complete" in html
    assert "Event types you confirmed" in html


def test_import_confirm_types_a_colleague_in_the_agency_may_confirm(cast: Cast, client_for: Any) -> None:
    batch = _upload(client_for(cast.involved), cast)
    colleague = f.member(cast.agency, Role.MANAGER)

    response = _confirm(client_for(colleague), batch, type_0="was_not_brought", type_1="home_visit")

    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.SUCCEEDED


def test_import_confirm_types_page_says_what_is_missing_and_keeps_the_answers(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.involved)
    batch = _upload(client, cast)

    response = _confirm(client, batch, type_1="other")

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Choose how to record &quot;Was not brough&quot;." in html
    assert 'name="type_1" value="other" id="id_type_1_1" required class="govuk-radios__input" checked>' in html
    batch.refresh_from_db()
    assert (batch.status, batch.type_mapping) == (ImportStatus.NEEDS_CONFIRMATION, {})
    assert not ActivityLog.objects.filter(action="import_batch.types_confirmed").exists()


@pytest.mark.parametrize("persona", ["partner", "unrelated"])
def test_import_confirm_types_other_agencies_get_404(cast: Cast, client_for: Any, persona: str) -> None:
    batch = _upload(client_for(cast.involved), cast)
    client = client_for(getattr(cast, persona))

    assert client.get(reverse("chronology:import-detail", args=[batch.pk])).status_code == 404
    assert _confirm(client, batch, type_0="was_not_brought", type_1="other").status_code == 404
    batch.refresh_from_db()
    assert (batch.status, batch.type_mapping) == (ImportStatus.NEEDS_CONFIRMATION, {})


def test_import_confirm_types_people_without_a_case_role_get_404(cast: Cast, client_for: Any) -> None:
    batch = _upload(client_for(cast.involved), cast)
    scrutineer = f.member(cast.agency, Role.SCRUTINEER)

    assert _confirm(client_for(scrutineer), batch, type_0="was_not_brought", type_1="other").status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportStatus.NEEDS_CONFIRMATION


def test_import_confirm_types_is_post_only(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.involved)
    batch = _upload(client, cast)
    assert client.get(reverse("chronology:import-confirm-types", args=[batch.pk])).status_code == 405


def test_import_confirm_types_on_a_finished_import_changes_nothing(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.involved)
    good = csv_bytes(HEADER, ["12/03/2024", "Jo Smith", "01/02/2019", "WNB", "Dental"])
    batch = _upload(client, cast, content=good)

    response = _confirm(client, batch, type_0="other")

    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.type_mapping) == (ImportStatus.SUCCEEDED, {})
    assert not ActivityLog.objects.filter(action="import_batch.types_confirmed").exists()


def test_import_detail_page_of_a_dry_run_lists_labels_and_counts(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.involved)
    batch = _upload(client, cast, dry_run="on")

    html = client.get(reverse("chronology:import-detail", args=[batch.pk])).content.decode()

    assert (batch.status, batch.dry_run, batch.events_created) == (ImportStatus.NEEDS_CONFIRMATION, True, 5)
    assert "Nothing was saved." in html
    assert "Record as Home visit" in html
    assert "Entries that would be added" in html

    _confirm(client, batch, type_0="was_not_brought", type_1="home_visit")

    batch.refresh_from_db()
    assert (batch.status, batch.events_created, batch.mapped_to_other) == (ImportStatus.SUCCEEDED, 5, 1)
    assert Event.objects.count() == 0


def test_rejected_file_lists_its_near_miss_labels_too(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.involved)
    bad = csv_bytes(HEADER, ["31/02/2024", "Jo Smith", "01/02/2019", "Home vist", "Seen"])
    batch = _upload(client, cast, content=bad)

    html = client.get(reverse("chronology:import-detail", args=[batch.pk])).content.decode()

    assert batch.status == ImportStatus.REJECTED
    assert batch.type_suggestions == [
        {"label": "Home vist", "nearest": "home_visit", "nearest_label": "Home visit", "rows": 1}
    ]
    assert "Event types close to a known type" in html
    assert "This is not a real date." in html
