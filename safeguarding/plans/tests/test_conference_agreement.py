"""A child protection plan is made at a child protection conference (Working Together 2023), not agreed
with the family (issue 17): the method is refused for any other plan, and the chronology and the family
PDF say where the plan was made."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from safeguarding.chronology.models import Event
from safeguarding.plans import services
from safeguarding.plans.enums import AgreementMethod, PersonKind, PlanStatus, PlanType
from safeguarding.plans.models import CarePlan
from safeguarding.plans.tests.conftest import draft_plan, today

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def pc(clock, pc):
    """The plan cast built with the clock already stopped (its involvements begin before NOW)."""
    return pc


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _agree_at_conference(plan: CarePlan, actor) -> None:
    services.agree_version(
        actor=actor,
        plan=plan,
        version=plan.version,
        agreed_on=today() - timedelta(days=2),
        method=AgreementMethod.CONFERENCE,
        people=[
            services.PersonInput(PersonKind.FAMILY, name="Jo Marsh", relationship="Mother"),
            services.PersonInput(PersonKind.PROFESSIONAL, user=actor, agency=plan.lead_agency),
        ],
    )


def _draft(pc, plan_type: str) -> CarePlan:
    return draft_plan(pc.lead, pc.cast.child, pc.cast.agency, plan_type=plan_type)


@pytest.mark.parametrize("plan_type", [PlanType.CHILD_IN_NEED, PlanType.EARLY_HELP])
def test_agreement_at_a_conference_is_refused_outside_a_child_protection_plan(pc, plan_type):
    plan = _draft(pc, plan_type)
    with pytest.raises(ValidationError) as refused:
        _agree_at_conference(plan, pc.lead)
    assert refused.value.message_dict["method"] == [
        "Only a child protection plan is made at a child protection conference: choose how this plan was agreed."
    ]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert not plan.versions.filter(agreement__isnull=False).exists()


def test_a_child_protection_plan_made_at_conference_says_so_in_the_chronology_and_the_family_pdf(
    pc, client_for, tmp_path
):
    plan = _draft(pc, PlanType.CHILD_PROTECTION)
    _agree_at_conference(plan, pc.lead)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.AGREED
    entry = Event.objects.get(event_type__code="plan_agreed", child_links__child=pc.cast.child)
    assert entry.summary.startswith(f"Child protection plan made at the child protection conference ({plan.reference}")
    assert "with the family" not in entry.summary

    response = client_for(pc.lead).get(reverse("plans:family-pdf", args=[plan.pk]))
    assert response.status_code == 200
    path = tmp_path / "plan.pdf"
    path.write_bytes(response.content)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(out.split())
    agreed = today() - timedelta(days=2)
    assert f"This plan was made at the child protection conference on {agreed.day} {agreed:%B %Y}." in text
    assert "This is the plan we agreed together" not in text
