"""Monitoring: overdue objectives (the boundary, once per due date, who is told, the chronology entry),
scaling history (a series per person, 0..10 enforced by the database, a reason required), citations
and the sections they add to escalation and review pages, and the vocabulary the plans app installs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from safeguarding.agencies.enums import Role
from safeguarding.chronology.models import Event, EventType
from safeguarding.plans import defaults, scaling, services
from safeguarding.plans.enums import ObjectiveRag, ObjectiveStatus, PersonKind
from safeguarding.plans.models import OverdueNotice, ScalingScore
from safeguarding.plans.tests.conftest import agree, draft_plan, objective, today
from safeguarding.testing import factories as f


def _plan_with_due(pc, days_from_today: int, owner=None):
    plan = draft_plan(pc.lead, pc.cast.child, pc.cast.agency, objectives=0)
    data = (
        objective("Due objective", days=days_from_today)
        if owner is None
        else objective(
            "Due objective",
            days=days_from_today,
            owner_kind=PersonKind.PROFESSIONAL,
            owner_user=owner,
            owner_agency=pc.cast.agency,
        )
    )
    services.add_objective(actor=pc.lead, plan=plan, version=plan.version, data=data)
    return agree(plan, pc.lead)


def test_overdue_boundary_due_today_is_not_overdue_due_yesterday_is(pc):
    _plan_with_due(pc, 0)
    assert services.overdue_objectives() == []
    assert [o.action for o in services.overdue_objectives(today() + timedelta(days=1))] == ["Due objective"]
    from safeguarding.plans.queries import children_with_overdue_objectives

    assert children_with_overdue_objectives() == set()
    assert children_with_overdue_objectives(today() + timedelta(days=1)) == {pc.cast.child.pk}


def test_achieved_objectives_are_not_overdue(pc):
    plan = _plan_with_due(pc, 0)
    uid = plan.agreed_version().objectives.get().uid
    services.record_objective_update(
        actor=pc.lead, plan=plan, uid=uid, status=ObjectiveStatus.ACHIEVED, rag=ObjectiveRag.GREEN, evidence="Done"
    )
    assert services.overdue_objectives(today() + timedelta(days=1)) == []


def test_flag_overdue_tells_the_lead_and_owner_once_and_writes_the_chronology(
    pc, settings, django_capture_on_commit_callbacks
):
    owner = f.member(pc.cast.agency, Role.PRACTITIONER, username="owner", email="owner@example.org")
    pc.lead.email = "lead@example.org"
    pc.lead.save()
    plan = _plan_with_due(pc, -1, owner=owner)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.flag_overdue_objectives()
    assert first.flagged == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["lead@example.org", "owner@example.org"]
    assert "Ellis" not in mail.outbox[0].body  # no child's details in email
    assert OverdueNotice.objects.filter(plan=plan).count() == 1
    assert (
        Event.objects.filter(event_type__code="plan_objective_overdue", child_links__child=pc.cast.child).count() == 1
    )
    with django_capture_on_commit_callbacks(execute=True):
        again = services.flag_overdue_objectives()
    assert again.flagged == 0
    assert len(mail.outbox) == 2


def test_flag_overdue_objectives_command(pc):
    _plan_with_due(pc, -3)
    from io import StringIO

    out = StringIO()
    call_command("flag_overdue_objectives", stdout=out)
    assert "1 objective flagged as overdue." in out.getvalue()


def _review(plan, pc, days_ago, scores):
    plan.refresh_from_db()
    return services.record_review(
        actor=pc.lead,
        plan=plan,
        version=plan.version,
        held_on=today() - timedelta(days=days_ago),
        attendance="All",
        decisions="Carry on",
        scores=[services.ScoreInput(PersonKind.FAMILY, s, f"reason {s}", name=n, role=r) for n, r, s in scores],
    )


def test_scaling_history_keeps_a_series_per_person_and_shows_the_spread(agreed_plan, pc):
    _review(agreed_plan, pc, 3, [("Jo Marsh", "Mother", 5), ("Sam Marsh", "Father", 2)])
    _review(agreed_plan, pc, 1, [("Jo Marsh", "Mother", 7), ("Sam Marsh", "Father", 2), ("Ellis", "Child", 6)])
    data = scaling.history(agreed_plan)
    assert {s.label: [p[1] for p in s.points] for s in data.series} == {
        "Jo Marsh (Mother)": [5, 7],
        "Sam Marsh (Father)": [2, 2],
        "Ellis (Child)": [6],
    }
    assert [m.spread for m in data.meetings] == [3, 5]
    assert [cells for _, cells in data.table] == [[5, 2, None], [7, 2, 6]]
    svg = scaling.chart_svg(data)
    for label in ("Jo Marsh (Mother)", "Sam Marsh (Father)", "Ellis (Child)"):
        assert f">{label}</text>" in svg  # in the legend
    assert svg.count('<polyline class="app-chart__line"') == 2  # Ellis scored once: a marker, no line
    assert svg.count('fill="#b1b4b6"') == 2  # a spread bar at each review


def test_scores_outside_0_to_10_or_without_a_reason_are_refused(agreed_plan, pc):
    with pytest.raises(ValidationError) as caught:
        _review(agreed_plan, pc, 1, [("Jo Marsh", "Mother", 11)])
    assert "from 0 to 10" in caught.value.message_dict["scores"][0]
    agreed_plan.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.record_review(
            actor=pc.lead,
            plan=agreed_plan,
            version=agreed_plan.version,
            held_on=today(),
            attendance="All",
            decisions="x",
            scores=[services.ScoreInput(PersonKind.FAMILY, 5, "  ", name="Jo")],
        )
    assert "reason" in caught.value.message_dict["scores"][0]


def test_database_checks_score_bounds_and_reason(agreed_plan, pc):
    review = _review(agreed_plan, pc, 1, [("Jo Marsh", "Mother", 5)])
    for score, reason in ((11, "ok"), (5, "")):
        with pytest.raises(IntegrityError), transaction.atomic():
            ScalingScore.objects.create(
                review=review, plan=agreed_plan, kind="family", name="X", score=score, reason=reason
            )


def test_citation_appears_on_the_escalation_page_only_for_people_who_see_the_plan(agreed_plan, pc, client_for):
    from safeguarding.escalations.defaults import install_defaults
    from safeguarding.escalations.models import EscalationReason
    from safeguarding.escalations.services import raise_escalation

    install_defaults()
    escalation = raise_escalation(
        actor=pc.lead,
        children=[pc.cast.child],
        raising_agency=pc.cast.agency,
        receiving_agency=pc.cast.partner_agency,
        reason=EscalationReason.objects.get(code="drift"),
        disputed_decision="Plan drifting",
        desired_outcome="Review",
        raiser_level_of_need=3,
    )
    uid = agreed_plan.agreed_version().objectives.first().uid
    client = client_for(pc.lead)
    response = client.post(
        reverse("plans:cite", args=[agreed_plan.pk, uid]), {"target": f"e:{escalation.pk}", "note": "Not done on time"}
    )
    assert response.status_code == 302
    assert "Not done on time" in client.get(reverse("escalations:detail", args=[escalation.pk])).content.decode()
    # The receiving agency sees the escalation but not the child, so not the plan's objective.
    partner_page = client_for(pc.cast.partner).get(reverse("escalations:detail", args=[escalation.pk]))
    assert partner_page.status_code == 200
    assert "Not done on time" not in partner_page.content.decode()


def test_install_defaults_adds_the_plan_vocabulary_idempotently(db):
    defaults.install_defaults()
    defaults.install_defaults()
    for code in ("plan_started", "plan_ended", "plan_agreed", "plan_reviewed"):
        assert EventType.objects.get(code=code).category_codes[-4:] == [
            "early_help",
            "child_in_need",
            "child_protection",
            "other",
        ]
    overdue = EventType.objects.get(code="plan_objective_overdue")
    assert overdue.tag_list == ["plan"]
    assert EventType.objects.filter(code="plan_agreed").count() == 1
