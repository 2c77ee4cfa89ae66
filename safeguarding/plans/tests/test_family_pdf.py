"""The family version: an accessible PDF of the agreed version, in plain words and large type, holding
nothing from restricted chronology entries."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.urls import reverse

from safeguarding.chronology.models import EventType
from safeguarding.chronology.services import record_event
from safeguarding.core.enums import Confidentiality
from safeguarding.core.models import ActivityLog
from safeguarding.plans.family import GLOSSARY, plain_words
from safeguarding.plans.tests.conftest import agree, draft_plan, today

SECRET = "Zanzibar restricted disclosure"


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_plain_words_swaps_jargon():
    assert plain_words("The contingency is a strategy discussion.") == (
        "What will happen if the plan is not followed is a meeting between professionals about the children's safety."
    )
    assert plain_words("There was an MASH referral and a LADO call.") == (
        "There was a team that looks at new worries about children referral and a person who looks at "
        "concerns about adults who work with children call."
    )
    assert plain_words("a DA incident; an s47") == "a domestic abuse incident; a child protection enquiry"
    assert (
        plain_words("The CP plan; cpu is not an abbreviation")
        == "The child protection plan; cpu is not an abbreviation"
    )


_DOUBLED = re.compile(r"\b(a|an|the)\s+(a|an|the|what)\b", re.IGNORECASE)


@pytest.mark.parametrize("article", ["a", "an", "the", "A", "An", "The"])
@pytest.mark.parametrize("term", sorted(GLOSSARY))
def test_plain_words_never_doubles_an_article(term, article):
    out = plain_words(f"We had {article} {term} today. {article} {term} helped.")
    assert not _DOUBLED.search(out), out
    assert not re.search(r"\ba\s+[aeiou]", out, re.IGNORECASE), out
    assert not re.search(r"\ban\s+[^aeiou\s]", out, re.IGNORECASE), out
    assert term not in out or term.lower() in GLOSSARY[term].lower(), out


def test_family_pdf_is_plain_large_and_holds_nothing_restricted(pc, client_for, tmp_path):
    record_event(
        actor=pc.lead,
        agency=pc.cast.agency,
        children=[pc.cast.child],
        event_type=EventType.objects.get(code="other"),
        occurred_on=today(),
        summary=SECRET,
        confidentiality=Confidentiality.RESTRICTED,
        restricted_to_roles=["safeguarding_lead"],
    )
    plan = agree(
        draft_plan(pc.lead, pc.cast.child, pc.cast.agency, complicating_factors="A core group will meet; CIN review."),
        pc.lead,
    )
    response = client_for(pc.lead).get(reverse("plans:family-pdf", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Ellis" not in response["Content-Disposition"]
    pdf = response.content
    text = _text(pdf, tmp_path)
    assert SECRET not in text
    assert "Our plan for Ellis" in text
    assert "What we are worried about" in text
    assert "Who will do what, by when" in text
    assert "What will happen if the plan is not followed" in text
    assert "We want Ellis to be healthy." in text  # the family's own words
    assert "When we will meet again" in text
    assert "A group of people who meet to check the plan will meet" in text
    for jargon in ("Contingency", "Danger statement", "CIN", "core group", "Signs of Safety"):
        assert jargon not in text, jargon
    path = tmp_path / "plan.pdf"
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert any(line.split() == ["Tagged:", "yes"] for line in info.splitlines())  # a tagged PDF (PDF/UA-1)
    assert ActivityLog.objects.filter(action="care_plan.exported", subject_child_id=pc.cast.child.pk).exists()


def test_family_pdf_body_type_is_at_least_16pt():
    from pathlib import Path

    template = (Path(__file__).resolve().parents[1] / "templates" / "plans" / "family_pdf.html").read_text()
    assert "font-size: 16pt" in template


def test_family_pdf_needs_an_agreed_version_and_access(plan, pc, client_for):
    assert client_for(pc.lead).get(reverse("plans:family-pdf", args=[plan.pk])).status_code == 302
    assert client_for(pc.cast.unrelated).get(reverse("plans:family-pdf", args=[plan.pk])).status_code == 404
