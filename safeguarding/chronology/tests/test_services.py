"""Recording and correcting entries; restricted entries; the default vocabulary."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safeguarding.agencies.enums import Role
from safeguarding.children.models import Involvement, SharingNotice
from safeguarding.children.queries import children_visible_to
from safeguarding.chronology import queries, services
from safeguarding.chronology.enums import Precision
from safeguarding.chronology.models import Event, EventChild, EventType
from safeguarding.chronology.vocabulary import default_vocabulary
from safeguarding.core.enums import Confidentiality
from safeguarding.core.models import ActivityLog
from safeguarding.core.services import MASK
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast

pytestmark = pytest.mark.django_db


def _type(code: str) -> EventType:
    return EventType.objects.get(code=code)


def _record(cast: Cast, **kwargs: object) -> Event:
    fields: dict[str, object] = {
        "actor": cast.involved,
        "agency": cast.agency,
        "children": [cast.child],
        "event_type": _type("home_visit"),
        "occurred_on": dt.date(2024, 3, 12),
        "summary": "Home visit; house cold, no food in the fridge.",
    }
    fields.update(kwargs)
    return services.record_event(**fields)  # type: ignore[arg-type]


def test_default_vocabulary_is_loaded_with_tags_and_unambiguous_synonyms() -> None:
    codes = set(EventType.objects.values_list("code", flat=True))
    assert {entry["code"] for entry in default_vocabulary()} <= codes
    assert "other" in codes
    wnb = _type("was_not_brought")
    assert {"wnb", "was not brought", "dna", "did not attend", "missed appointment"} <= set(wnb.synonyms)
    assert EventType.objects.tagged("non_engagement").filter(code="early_help_closed_non_engagement").exists()
    assert _type("school_attendance").takes_value
    assert "s47_enquiry" in _type("referral_outcome").category_codes
    seen: dict[str, str] = {}
    for entry in default_vocabulary():
        for name in [entry["label"].lower(), *entry.get("synonyms", [])]:
            assert seen.setdefault(name, entry["code"]) == entry["code"], name


def test_record_event_writes_links_and_masked_activity_per_child(cast: Cast) -> None:
    sibling = f.ChildFactory()
    f.InvolvementFactory(agency=cast.agency, child=sibling)
    event = _record(cast, children=[cast.child, sibling], precision=Precision.MONTH)
    assert (event.occurred_on, event.version, event.is_current) == (dt.date(2024, 3, 1), 1, True)
    links = EventChild.objects.filter(event=event)
    assert sorted(links.values_list("child_id", flat=True)) == sorted([cast.child.pk, sibling.pk])
    assert set(links.values_list("occurred_on", "agency_id", "is_current")) == {
        (event.occurred_on, cast.agency.pk, True)
    }
    rows = ActivityLog.objects.filter(action="event.recorded")
    assert sorted(rows.values_list("subject_child_id", flat=True)) == sorted([cast.child.pk, sibling.pk])
    assert rows.first().changes["summary"] == [MASK, MASK]


def test_record_event_refuses_other_agencies_and_invisible_children(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        _record(cast, actor=cast.partner)
    with pytest.raises(ValidationError):
        _record(cast, children=[cast.other_child])
    assert Event.objects.count() == 0


def test_record_event_from_an_agency_feed_shares_in_without_seeing(cast: Cast) -> None:
    # Sharing in is not seeing: the partner agency records about a child it is not involved with;
    # it gets no involvement, and the child's lead professional (or the front door) decides.
    event = _record(cast, actor=cast.partner, agency=cast.partner_agency, shared_in=True)
    assert event.agency == cast.partner_agency
    assert not Involvement.objects.filter(agency=cast.partner_agency, child=cast.child).active_on().exists()
    assert not children_visible_to(cast.partner).filter(pk=cast.child.pk).exists()
    notice = SharingNotice.objects.get(agency=cast.partner_agency, child=cast.child)
    assert (notice.status, notice.entries) == ("pending", 1)
    _record(cast, actor=cast.partner, agency=cast.partner_agency, shared_in=True, summary="Again")
    notice.refresh_from_db()
    assert notice.entries == 2  # one open question per agency and child


def test_record_event_checks_category_value_and_reference(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        _record(cast, event_type=_type("concern_raised"), category="made_up")
    assert "category" in caught.value.message_dict
    with pytest.raises(ValidationError):
        _record(cast, value=5)
    _record(cast, agency_reference="HV-1")
    with pytest.raises(services.DuplicateReferenceError) as duplicate:
        _record(cast, agency_reference="HV-1")
    assert duplicate.value.existing.agency_reference == "HV-1"


def test_correct_event_makes_a_new_version_and_keeps_the_old(cast: Cast) -> None:
    first = _record(cast, agency_reference="HV-9")
    second = services.correct_event(actor=cast.involved, event=first, summary="Home visit; house warm.")
    first.refresh_from_db()
    assert (first.is_current, second.is_current, second.version, second.supersedes) == (False, True, 2, first)
    assert (second.lineage, second.agency_reference) == (first.lineage, "HV-9")
    assert list(queries.event_versions(second)) == [first, second]
    assert list(queries.events_for_child(cast.involved, cast.child)) == [second]
    assert EventChild.objects.get(event=first).is_current is False
    log = ActivityLog.objects.get(action="event.corrected")
    assert log.changes == {"summary": [MASK, MASK], "version": [1, 2]}
    with pytest.raises(ValidationError):
        services.correct_event(actor=cast.involved, event=first, summary="again")
    with pytest.raises(ValidationError):
        services.correct_event(actor=cast.involved, event=second, summary=second.summary)


def test_only_the_recording_agency_corrects(cast: Cast) -> None:
    event = _record(cast)
    with pytest.raises(PermissionDenied):
        services.correct_event(actor=cast.partner, event=event, summary="changed")


def test_restricted_events_hidden_from_other_agencies_and_roles(cast: Cast) -> None:
    normal = _record(cast)
    restricted = _record(
        cast,
        confidentiality=Confidentiality.RESTRICTED,
        restricted_to_roles=[Role.SAFEGUARDING_LEAD],
        summary="Staff member's own child: restricted.",
    )
    lead = f.member(cast.agency, Role.SAFEGUARDING_LEAD)
    # The partner agency is given an involvement so the child is visible to it.
    f.InvolvementFactory(agency=cast.partner_agency, child=cast.child)
    assert list(queries.events_for_child(lead, cast.child)) == [normal, restricted]
    assert list(queries.events_for_child(cast.involved, cast.child)) == [normal]
    assert list(queries.events_for_child(cast.partner, cast.child)) == [normal]
