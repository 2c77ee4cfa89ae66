"""The family PDF says how to ring the family's worker (issue 17): the lead professional's work number;
without one, their team's number, else the front door's; without any, no sentence at all."""

from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse

from safeguarding.plans.family import contact_sentence
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_family_pdf_gives_the_workers_work_number(agreed_plan, pc, client_for, tmp_path):
    pc.lead.work_phone = "01632 960123"
    pc.lead.save(update_fields=["work_phone"])
    agreed_plan.refresh_from_db()
    response = client_for(pc.lead).get(reverse("plans:family-pdf", args=[agreed_plan.pk]))
    text = " ".join(_pdf_text(response.content, tmp_path).split())
    assert f"You can contact {pc.lead.get_full_name()} on 01632 960123." in text


def test_without_a_work_number_the_teams_then_the_front_doors_number_else_nothing(agreed_plan, pc):
    lead = pc.lead
    assert not lead.work_phone
    assert contact_sentence(agreed_plan) == ""
    front_door = f.TeamFactory(
        agency=pc.cast.partner_agency, name="Front Door", is_front_door=True, phone="01632 960999"
    )
    assert contact_sentence(agreed_plan) == "You can contact Front Door on 01632 960999."
    team = f.TeamFactory(agency=pc.cast.agency, name="Health Visiting North", phone="01632 960555")
    lead.memberships.filter(agency=pc.cast.agency).update(team=team)
    assert contact_sentence(agreed_plan) == "You can contact Health Visiting North on 01632 960555."
    front_door.phone = ""
    front_door.save(update_fields=["phone"])
    lead.work_phone = "07700 900123"
    lead.save(update_fields=["work_phone"])
    agreed_plan.refresh_from_db()
    assert contact_sentence(agreed_plan) == f"You can contact {lead.get_full_name()} on 07700 900123."
