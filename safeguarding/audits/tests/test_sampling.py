"""Sampling: reproducible draws (same seed, same cases; another seed, another sample), the criteria
filters, and cases chosen by hand with a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from safeguarding.audits import sampling, services
from safeguarding.audits.enums import AuditStatus, CaseMethod
from safeguarding.audits.workflow import NotAllowed
from safeguarding.chronology.models import Event, EventChild, EventType
from safeguarding.core.enums import Confidentiality
from safeguarding.escalations.defaults import install_defaults as install_escalation_defaults
from safeguarding.escalations.models import Escalation
from safeguarding.testing import factories as f


def _children(audit):
    return list(audit.cases.filter(method=CaseMethod.DRAWN).order_by("number").values_list("child_id", flat=True))


def test_draw_sample_same_seed_gives_same_cases(ac):
    audit = ac.plan()
    services.draw_sample(actor=ac.business, audit=audit, criteria=ac.criteria(audit), size=5, seed=42)
    first = _children(audit)
    audit.refresh_from_db()
    services.draw_sample(actor=ac.business, audit=audit, criteria=ac.criteria(audit), size=5, seed=42)
    assert _children(audit) == first
    assert len(first) == 5
    audit.refresh_from_db()
    assert (audit.sample_seed, audit.sample_size, audit.sample_criteria["service"]) == (42, 5, "early help")
    assert audit.status == AuditStatus.SAMPLING


def test_draw_sample_is_the_documented_algorithm(ac):
    """Candidates ordered by id, then random.Random(seed).sample: anyone can redraw it from the stored values."""
    import random

    audit = ac.plan()
    services.draw_sample(actor=ac.business, audit=audit, criteria=ac.criteria(audit), size=4, seed=99)
    expected = random.Random(99).sample(sorted(c.pk for c in ac.pool), 4)
    assert _children(audit) == expected


def test_draw_sample_other_seed_differs(ac):
    audit = ac.plan()
    services.draw_sample(actor=ac.business, audit=audit, criteria=ac.criteria(audit), size=5, seed=1)
    first = _children(audit)
    audit.refresh_from_db()
    services.draw_sample(actor=ac.business, audit=audit, criteria=ac.criteria(audit), size=5, seed=2)
    assert _children(audit) != first


def test_criteria_agency_and_service(ac):
    audit = ac.plan()
    ids = set(sampling.candidates(ac.criteria(audit)).values_list("pk", flat=True))
    assert ids == {c.pk for c in ac.pool}
    # Without the service words: also the health-visiting child and the cast's child.
    wider = set(sampling.candidates(ac.criteria(audit, service="")).values_list("pk", flat=True))
    assert ac.cast.child.pk in wider
    assert wider > ids
    police = set(
        sampling.candidates(ac.criteria(audit, agency_id=ac.cast.partner_agency.pk, service="")).values_list(
            "pk", flat=True
        )
    )
    assert police == {ac.cast.other_child.pk}


def test_criteria_involvement_must_be_open_in_the_period(ac):
    audit = ac.plan()
    closed = ac.pool[0]
    closed.involvements.update(start=audit.period_from - timedelta(days=30), end=audit.period_from - timedelta(days=1))
    ids = set(sampling.candidates(ac.criteria(audit)).values_list("pk", flat=True))
    assert closed.pk not in ids


def test_criteria_restricted_involvement_is_never_used(ac):
    audit = ac.plan()
    hidden = ac.pool[1]
    hidden.involvements.update(confidentiality=Confidentiality.RESTRICTED)
    assert hidden.pk not in set(sampling.candidates(ac.criteria(audit)).values_list("pk", flat=True))


def test_criteria_age_range(ac):
    audit = ac.plan()
    criteria = ac.criteria(audit, age_min=8, age_max=10)
    ages = {c.age_on(audit.period_to) for c in sampling.candidates(criteria)}
    assert ages
    assert ages <= {8, 9, 10}
    all_ages = {c.age_on(audit.period_to) for c in ac.pool}
    assert all_ages - {8, 9, 10}  # some were left out


def _event(child, agency, code, category="", day=None):
    event_type = EventType.objects.get(code=code)
    day = day or timezone.localdate() - timedelta(days=10)
    event = Event.objects.create(agency=agency, event_type=event_type, occurred_on=day, summary="x", category=category)
    EventChild.objects.create(event=event, child=child, occurred_on=day, agency=agency)
    return event


def test_criteria_event_type_in_period(ac):
    audit = ac.plan()
    _event(ac.pool[2], ac.cast.agency, "missing_episode")
    _event(ac.pool[3], ac.cast.agency, "missing_episode", day=audit.period_from - timedelta(days=3))
    et = EventType.objects.get(code="missing_episode")
    ids = list(sampling.candidates(ac.criteria(audit, event_type_id=et.pk)).values_list("pk", flat=True))
    assert ids == [ac.pool[2].pk]


def test_criteria_level_of_need_from_referral_outcome_and_escalation(ac):
    install_escalation_defaults()
    audit = ac.plan()
    _event(ac.pool[4], ac.cast.partner_agency, "referral_outcome", category="s47_enquiry")
    _event(ac.pool[5], ac.cast.partner_agency, "referral_outcome", category="early_help")
    from safeguarding.escalations import services as esc
    from safeguarding.escalations.models import EscalationReason

    escalation = esc.raise_escalation(
        actor=ac.cast.involved,
        children=[ac.pool[6]],
        raising_agency=ac.cast.agency,
        receiving_agency=ac.cast.partner_agency,
        reason=EscalationReason.objects.get(code="threshold"),
        disputed_decision="Closed with no further action.",
        desired_outcome="A strategy discussion.",
        raiser_level_of_need=4,
    )
    assert Escalation.objects.filter(pk=escalation.pk).exists()
    level4 = set(sampling.candidates(ac.criteria(audit, levels=(4,))).values_list("pk", flat=True))
    assert level4 == {ac.pool[4].pk, ac.pool[6].pk}
    level2 = set(sampling.candidates(ac.criteria(audit, levels=(2,))).values_list("pk", flat=True))
    assert level2 == {ac.pool[5].pk}


def test_sample_smaller_pool_takes_everyone(ac):
    audit = ac.plan()
    cases = services.draw_sample(actor=ac.business, audit=audit, criteria=ac.criteria(audit), size=50, seed=3)
    assert len(cases) == len(ac.pool)


def test_choose_case_needs_reason_and_survives_redraw(ac):
    audit = ac.plan()
    with pytest.raises(ValidationError):
        services.choose_case(actor=ac.business, audit=audit, child=ac.cast.other_child, reason="")
    services.choose_case(actor=ac.business, audit=audit, child=ac.cast.other_child, reason="Known to police often")
    audit.refresh_from_db()
    services.draw_sample(actor=ac.business, audit=audit, criteria=ac.criteria(audit), size=3, seed=5)
    services.draw_sample(actor=ac.business, audit=audit, criteria=ac.criteria(audit), size=3, seed=6)
    chosen = audit.cases.get(method=CaseMethod.CHOSEN)
    assert chosen.child == ac.cast.other_child
    assert chosen.reason == "Known to police often"
    assert audit.cases.count() == 4


def test_sample_fixed_once_auditing_starts(ac):
    audit = ac.running()
    with pytest.raises(NotAllowed):
        services.draw_sample(actor=ac.business, audit=audit, criteria=ac.criteria(audit), size=3, seed=1)


def test_only_business_unit_or_lead_draw(ac):
    audit = ac.plan()
    for person in (ac.cast.involved, ac.scrutineer, ac.cast.unrelated):
        with pytest.raises(NotAllowed):
            services.draw_sample(actor=person, audit=audit, criteria=ac.criteria(audit), size=3, seed=1)
    f.ChildFactory()  # more data; the lead may draw
    services.draw_sample(actor=ac.lead, audit=audit, criteria=ac.criteria(audit), size=3, seed=1)
