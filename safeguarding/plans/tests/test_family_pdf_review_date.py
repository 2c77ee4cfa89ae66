"""The family PDF's "when we will meet again": the latest review's next review date is preferred over the
version's review date, and a date that has passed is never shown to the family."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import time_machine
from django.urls import reverse
from pypdf import PdfReader

from safeguarding.plans import services
from safeguarding.plans.family import next_check_date
from safeguarding.plans.tests.conftest import agree, draft_plan

# After the cast is set up: the fixtures use the process's clock (real, or faketime's in `make
# test-dates`), so every date here counts from it.
START = date.today() + timedelta(days=30)
REVIEW = START + timedelta(days=60)
EARLIER, LATER = START + timedelta(days=28), START + timedelta(days=162)


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _pdf_text(client, plan) -> str:
    response = client.get(reverse("plans:family-pdf", args=[plan.pk]))
    assert response.status_code == 200
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(response.content)).pages)
    return re.sub(r"\s+", " ", text)


def _plan(pc):
    return agree(draft_plan(pc.lead, pc.cast.child, pc.cast.agency, review_date=START + timedelta(days=60)), pc.lead)


def test_version_review_date_is_shown_until_it_has_passed(pc, client_for):
    with time_machine.travel(START, tick=False):
        plan = _plan(pc)
        assert next_check_date(plan, plan.current_version()) == REVIEW
        assert f"We will meet to check the plan on {_long(REVIEW)}" in _pdf_text(client_for(pc.lead), plan)
    with time_machine.travel(REVIEW + timedelta(days=1), tick=False):
        assert next_check_date(plan, plan.current_version()) is None
        text = _pdf_text(client_for(pc.lead), plan)
        assert "We will agree a date to check the plan." in text
        assert _long(REVIEW) not in text


def test_latest_review_next_review_date_wins_and_is_hidden_once_past(pc, client_for):
    with time_machine.travel(START, tick=False):
        plan = _plan(pc)
    with time_machine.travel(START + timedelta(days=1), tick=False):
        plan.refresh_from_db()
        for held, following in ((START, EARLIER), (START + timedelta(days=1), LATER)):
            services.record_review(
                actor=pc.lead,
                plan=plan,
                version=plan.version,
                held_on=held,
                attendance="All",
                decisions="Carry on",
                next_review_on=following,
            )
    with time_machine.travel(START + timedelta(days=2), tick=False):
        text = _pdf_text(client_for(pc.lead), plan)
        assert f"We will meet to check the plan on {_long(LATER)}" in text
        assert _long(REVIEW) not in text
    with time_machine.travel(LATER + timedelta(days=1), tick=False):
        text = _pdf_text(client_for(pc.lead), plan)
        assert "We will agree a date to check the plan." in text
        assert _long(LATER) not in text
