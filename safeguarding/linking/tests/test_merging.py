"""Merging two child records and undoing it: every row that refers to either record — entries,
references, involvements, plans, alerts and their evidence, grants, notices — is back exactly where it
was after an unmerge (property-tested with hypothesis), and the rules around it hold."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeguarding.agencies.enums import Role
from safeguarding.children.models import AccessGrant, Child, Involvement, SharingNotice
from safeguarding.chronology.models import ChildAgencyReference, Event, EventChild, EventType
from safeguarding.concerns.models import Alert, AlertEvidence, Rule
from safeguarding.core import kernel
from safeguarding.core.models import ActivityLog
from safeguarding.linking import services
from safeguarding.linking.enums import MatchStatus
from safeguarding.linking.models import ChildMerge, PossibleMatch
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db

D0 = dt.date(2024, 1, 1)


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    agencies = [f.AgencyFactory(code=f"A{n}", name=f"Test agency {n}") for n in range(3)]
    return {
        "agencies": agencies,
        "steward": f.member(agencies[0], Role.DATA_STEWARD, username="steward"),
        "practitioner": f.member(agencies[1], Role.PRACTITIONER, username="worker"),
        "types": list(EventType.objects.order_by("id")[:4]),
        "rule": Rule.objects.order_by("id").first(),
    }


def everything_about(ids: list[int]) -> dict[str, list[dict[str, Any]]]:
    """Every row that refers to these children, in every app, plus the two records themselves."""
    out: dict[str, list[dict[str, Any]]] = {}
    for model, field in services.child_references():
        rows = model._base_manager.filter(**{f"{field.attname}__in": ids}).order_by("pk")
        out[f"{model._meta.label}.{field.name}"] = [model_to_dict(r) | {"pk": r.pk} for r in rows]
    alert_ids = Alert.objects.filter(child_id__in=ids).values("pk")
    evidence = AlertEvidence.objects.filter(alert_id__in=alert_ids).order_by("pk")
    out["evidence"] = [model_to_dict(e) | {"pk": e.pk} for e in evidence]
    out["children"] = [
        {k: v for k, v in model_to_dict(c).items() if k != "updated_at"} | {"merged_into": c.merged_into_id}
        for c in Child.all_records.filter(pk__in=ids).order_by("pk")
    ]
    return out


def build(world: dict[str, Any], plan: dict[str, Any]) -> tuple[Child, Child]:
    a = f.ChildFactory(first_name="Tom", last_name="Price", date_of_birth=dt.date(2016, 3, 12), nhs_number=None)
    b = f.ChildFactory(
        first_name="Thomas",
        last_name="Pryce",
        date_of_birth=dt.date(2016, 3, 12),
        nhs_number="9434765919" if plan["b_has_nhs"] else None,
    )
    agencies, types = world["agencies"], world["types"]
    for n, (side, agency, type_index, days) in enumerate(plan["entries"]):
        event = Event.objects.create(
            agency=agencies[agency],
            event_type=types[type_index],
            occurred_on=D0 + dt.timedelta(days=days),
            summary=f"Entry {n}",
        )
        children = {"a": [a], "b": [b], "both": [a, b]}[side]
        for child in children:
            EventChild.objects.create(event=event, child=child, occurred_on=event.occurred_on, agency=event.agency)
    for side, agency in plan["involvements"]:
        Involvement.objects.create(agency=agencies[agency], child=a if side == "a" else b, start=D0)
    for n, (side, agency) in enumerate(plan["references"]):
        ChildAgencyReference.objects.create(agency=agencies[agency], child=a if side == "a" else b, reference=f"R{n}")
    for side in plan["notices"]:
        SharingNotice.objects.create(agency=agencies[2], child=a if side == "a" else b)
    for side in plan["alerts"]:
        child = a if side == "a" else b
        alert = Alert.objects.create(rule=world["rule"], child=child, first_met_on=D0, last_evidence_on=D0)
        for link in EventChild.objects.filter(child=child)[:2]:
            AlertEvidence.objects.create(alert=alert, event_id=link.event_id)
    if plan["grant"]:
        AccessGrant.objects.create(
            user=world["practitioner"],
            child=b,
            reason="Reviewing the record",
            granted_by=world["steward"],
            expires_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
        )
    return a, b


SIDES = st.sampled_from(["a", "b", "both"])
PLANS = st.fixed_dictionaries(
    {
        "b_has_nhs": st.booleans(),
        "entries": st.lists(
            st.tuples(SIDES, st.integers(0, 2), st.integers(0, 3), st.integers(0, 400)), min_size=0, max_size=8
        ),
        "involvements": st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 2)), max_size=4),
        "references": st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 2)), max_size=3),
        "notices": st.lists(st.sampled_from(["a", "b"]), max_size=2, unique=True),
        "alerts": st.lists(st.sampled_from(["a", "b"]), max_size=2, unique=True),
        "grant": st.booleans(),
    }
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=PLANS)
def test_merge_then_unmerge_restores_every_row(world: dict[str, Any], plan: dict[str, Any]) -> None:
    with transaction.atomic():
        a, b = build(world, plan)
        before = everything_about([a.pk, b.pk])
        merge = services.merge_children(actor=world["steward"], kept=a, merged=b)

        # While merged, every screen shows one record: b is gone from lists, a holds everything.
        assert list(Child.objects.filter(pk__in=[a.pk, b.pk]).values_list("pk", flat=True)) == [a.pk]
        entries = {link.event_id for link in EventChild.objects.filter(child_id__in=[a.pk, b.pk])}
        assert set(EventChild.objects.filter(child=a).values_list("event_id", flat=True)) == entries
        for model, field in services.child_references():
            assert not model._base_manager.filter(**{field.attname: b.pk}).exists(), model
        if plan["b_has_nhs"]:
            assert Child.objects.get(pk=a.pk).nhs_number == "9434765919"

        services.unmerge_children(actor=world["steward"], merge=merge, reason="Two children, checked with school")
        assert everything_about([a.pk, b.pk]) == before
        transaction.set_rollback(True)


def test_merge_is_logged_on_both_records_and_only_by_a_data_steward(world: dict[str, Any]) -> None:
    a, b = build(
        world,
        {
            "b_has_nhs": False,
            "entries": [],
            "involvements": [],
            "references": [],
            "notices": [],
            "alerts": [],
            "grant": False,
        },
    )
    with pytest.raises(PermissionDenied):
        services.merge_children(actor=world["practitioner"], kept=a, merged=b)
    merge = services.merge_children(actor=world["steward"], kept=a, merged=b)
    assert set(ActivityLog.objects.filter(action="child.merged").values_list("subject_child_id", flat=True)) == {
        a.pk,
        b.pk,
    }
    with pytest.raises(ValidationError, match="at least 10 characters"):
        services.unmerge_children(actor=world["steward"], merge=merge, reason="no")
    services.unmerge_children(actor=world["steward"], merge=merge, reason="Different children after all")
    with pytest.raises(ValidationError, match="already been undone"):
        services.unmerge_children(actor=world["steward"], merge=merge, reason="Different children after all")
    assert ActivityLog.objects.filter(action="child.unmerged").count() == 2


def test_records_with_different_nhs_numbers_are_never_merged(world: dict[str, Any]) -> None:
    a = f.ChildFactory(nhs_number="9434765919")
    b = f.ChildFactory(nhs_number="9434765870")
    with pytest.raises(ValidationError, match="different NHS numbers"):
        services.merge_children(actor=world["steward"], kept=a, merged=b)
    assert not ChildMerge.objects.exists()


def test_records_with_different_census_identifiers_are_never_merged(world: dict[str, Any]) -> None:
    a = f.ChildFactory(nhs_number=None, la_child_id="LA100", upn="Y201026000123")
    b = f.ChildFactory(nhs_number=None, la_child_id="LA200")
    c = f.ChildFactory(nhs_number=None, upn="M201026000124")
    with pytest.raises(ValidationError, match="different LA child IDs"):
        services.merge_children(actor=world["steward"], kept=a, merged=b)
    with pytest.raises(ValidationError, match="different UPNs"):
        services.merge_children(actor=world["steward"], kept=a, merged=c)
    assert not ChildMerge.objects.exists()


def test_census_details_move_to_the_kept_record_and_come_back_on_unmerge(world: dict[str, Any]) -> None:
    # The social care record knows the census details; the school's knows only the name and UPN.
    kept = f.ChildFactory(nhs_number=None, upn="Y201026000123", la_child_id=None, ethnicity="")
    merged = f.ChildFactory(
        nhs_number=None,
        upn=None,
        la_child_id="LA300",
        former_upn="M201026000124",
        ethnicity="WBRI",
        disabilities=["HEAR"],
        expected_date_of_birth=dt.date(2016, 3, 1),
    )
    merge = services.merge_children(actor=world["steward"], kept=kept, merged=merged)
    kept.refresh_from_db()
    merged = Child.all_records.get(pk=merged.pk)
    assert (kept.upn, kept.la_child_id, kept.former_upn, kept.ethnicity) == (
        "Y201026000123",
        "LA300",
        "M201026000124",
        "WBRI",
    )
    assert kept.disabilities == ["HEAR"]
    assert kept.expected_date_of_birth == dt.date(2016, 3, 1)
    assert merged.la_child_id is None  # unique: it moved to the kept record
    services.unmerge_children(actor=world["steward"], merge=merge, reason="Different children after all")
    kept.refresh_from_db()
    merged.refresh_from_db()
    assert (kept.la_child_id, kept.ethnicity, kept.disabilities, kept.upn) == (None, "", [], "Y201026000123")
    assert (merged.la_child_id, merged.ethnicity, merged.expected_date_of_birth) == (
        "LA300",
        "WBRI",
        dt.date(2016, 3, 1),
    )


def test_accepting_merges_and_supersedes_other_pairs_rejecting_is_remembered(world: dict[str, Any]) -> None:
    a, b, c = (f.ChildFactory(nhs_number=None) for _ in range(3))
    ab = PossibleMatch.objects.create(child_a=a, child_b=b, score=0.9)
    bc = PossibleMatch.objects.create(child_a=b, child_b=c, score=0.85)
    with pytest.raises(kernel.StaleVersion, match="Someone else decided this pair"):
        services.accept_match(actor=world["steward"], match=ab, version=ab.version + 1)  # stale form
    merge = services.accept_match(actor=world["steward"], match=ab, version=ab.version)
    assert (merge.kept_id, merge.merged_id) == (a.pk, b.pk)
    bc.refresh_from_db()
    assert bc.status == MatchStatus.SUPERSEDED
    ac = PossibleMatch.objects.create(child_a=a, child_b=c, score=0.82)
    services.reject_match(actor=world["steward"], match=ac, version=ac.version, note="Different schools, checked")
    # Never suggested again: queueing the same pair changes nothing.
    from safeguarding.linking.matching import PendingPair

    assert services.record_possible_matches([PendingPair(("id", a.pk), ("id", c.pk), 0.95)], {}, found_by="t") == 0
    assert PossibleMatch.objects.get(child_a=a, child_b=c).status == MatchStatus.REJECTED
