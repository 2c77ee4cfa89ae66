"""Learning briefings: written from a review's findings, published to everyone signed in, one A4 page
as PDF with its four sections; and case studies and briefings never show a child's real name."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from safeguarding.learning import briefings, services
from safeguarding.learning.exports import briefing_pdf
from safeguarding.learning.models import BRIEFING_SECTION_MAX, BRIEFING_TITLE_MAX, LearningBriefing
from safeguarding.learning.tests.conftest import LearnCast

SECTION_HEADINGS = ("What happened, in brief", "What we learned", "What to do differently", "Questions for supervision")
REAL_NAMES = ("Ellis", "Robin", "Marsh")


def _briefing(lc: LearnCast, publish: bool = True, **overrides: str) -> LearningBriefing:
    values = {
        "title": "Learning briefing: Child A and Child B",
        "what_happened": "Child B, aged 2, was taken to hospital; both brothers had been neglected for a year.",
        "what_we_learned": "No agency saw the whole picture of neglect.",
        "do_differently": "Treat repeated missed appointments as a safeguarding concern.",
        "supervision_questions": "What is the child's day like?\nWho else knows this family?",
        **overrides,
    }
    briefing = briefings.create_briefing(
        actor=lc.business, review=lc.review, findings=list(lc.review.findings.all()), **values
    )
    if publish:
        briefing = briefings.publish_briefing(actor=lc.business, briefing=briefing, version=briefing.version)
    return briefing


def _pdf_facts(pdf: bytes, tmp_path: Path) -> tuple[int, str]:
    path = tmp_path / "briefing.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return pages, text


def test_briefing_pdf_is_one_page_with_its_four_sections(lc: LearnCast, tmp_path: Path) -> None:
    pages, text = _pdf_facts(briefing_pdf(_briefing(lc)), tmp_path)
    assert pages == 1
    for heading in SECTION_HEADINGS:
        assert heading in text
    assert "No agency saw the whole picture of neglect." in text
    assert "Who else knows this family?" in text


def test_longest_allowed_briefing_still_fits_on_one_page(lc: LearnCast, tmp_path: Path) -> None:
    words = ("Practitioners should look at the whole picture " * 40)[: BRIEFING_SECTION_MAX - 1]
    briefing = _briefing(
        lc,
        title=("A long title about neglect and missed appointments " * 5)[:BRIEFING_TITLE_MAX],
        what_happened=words,
        what_we_learned=words,
        do_differently=words,
        supervision_questions=words,
    )
    pages, text = _pdf_facts(briefing_pdf(briefing), tmp_path)
    assert pages == 1
    assert all(heading in text for heading in SECTION_HEADINGS)


def test_briefing_that_would_run_over_one_page_is_refused(lc: LearnCast) -> None:
    words = ("Practitioners should look at the whole picture " * 40)[: BRIEFING_SECTION_MAX - 1]
    many_lines = "\n".join(["What did the child say?"] * 60)[:BRIEFING_SECTION_MAX]
    with pytest.raises(ValidationError, match="does not fit on one page"):
        _briefing(
            lc,
            what_happened=many_lines,
            what_we_learned=many_lines,
            do_differently=words,
            supervision_questions=many_lines,
        )
    assert not LearningBriefing.objects.exists()


def test_briefing_section_longer_than_the_page_allows_is_refused(lc: LearnCast) -> None:
    with pytest.raises(ValidationError) as error:
        _briefing(lc, publish=False, what_we_learned="x" * (BRIEFING_SECTION_MAX + 1))
    assert "fits on one page" in str(error.value)


def test_briefing_pdf_download_for_practitioner(lc: LearnCast, client_for) -> None:
    briefing = _briefing(lc)
    response = client_for(lc.cast.unrelated).get(f"/learning/briefings/{briefing.pk}/briefing.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "Child" not in response["Content-Disposition"]


def test_draft_briefing_is_hidden_from_practitioners_until_published(lc: LearnCast, client_for) -> None:
    draft = _briefing(lc, publish=False)
    for person in (lc.cast.involved, lc.cast.partner, lc.cast.unrelated, lc.scrutineer, lc.facilitator):
        client = client_for(person)
        assert client.get(f"/learning/briefings/{draft.pk}/").status_code == 404
        assert client.get(f"/learning/briefings/{draft.pk}/briefing.pdf").status_code == 404
        assert draft.title not in client.get("/learning/briefings/").content.decode()
    assert client_for(lc.business).get(f"/learning/briefings/{draft.pk}/").status_code == 200
    response = client_for(lc.business).post(
        f"/learning/briefings/{draft.pk}/publish/", {"version": draft.version}, follow=True
    )
    assert "Briefing published" in response.content.decode()
    for person in (lc.cast.involved, lc.cast.partner, lc.cast.unrelated, lc.scrutineer):
        body = client_for(person).get(f"/learning/briefings/{draft.pk}/").content.decode()
        for heading in SECTION_HEADINGS:
            assert heading in body
    published = LearningBriefing.objects.get(pk=draft.pk)
    assert (published.status, published.published_by) == ("published", lc.business)


def test_only_business_unit_writes_and_publishes(lc: LearnCast, client_for) -> None:
    draft = _briefing(lc, publish=False)
    for person in (lc.cast.involved, lc.scrutineer, lc.facilitator):
        with pytest.raises(services.NotAllowed):
            briefings.publish_briefing(actor=person, briefing=draft, version=draft.version)
        client = client_for(person)
        assert client.get(f"/learning/briefings/from-review/{lc.review.pk}/").status_code == 404
        assert client.post(f"/learning/briefings/{draft.pk}/publish/", {"version": draft.version}).status_code == 404
    assert LearningBriefing.objects.get(pk=draft.pk).status == "draft"


def test_stale_briefing_edit_is_refused(lc: LearnCast) -> None:
    draft = _briefing(lc, publish=False)
    briefings.update_briefing(actor=lc.business, briefing=draft, version=draft.version, title="New title")
    with pytest.raises(services.StaleVersion):
        briefings.update_briefing(actor=lc.business, briefing=draft, version=draft.version, title="Other title")


# ---- anonymisation ---------------------------------------------------------------------------------


def test_case_study_prefill_uses_pseudonyms_not_real_names(lc: LearnCast) -> None:
    prefill = services.case_study_from_review(lc.review)
    assert "Child A was not brought to three health appointments." in prefill.case_study
    assert "Nobody asked Child B what life at home was like." in prefill.case_study
    for name in REAL_NAMES:
        assert name not in prefill.case_study
        assert name not in prefill.title
    assert {t.code for t in prefill.themes} == {"neglect", "was-not-brought", "voice-of-the-child"}


def test_briefing_prefill_uses_pseudonyms(lc: LearnCast) -> None:
    prefill = briefings.briefing_prefill(lc.review)
    assert "Child A was not brought" in prefill["what_we_learned"]
    assert not any(name in text for text in prefill.values() for name in REAL_NAMES)


@pytest.mark.parametrize("text", ["Ellis Marsh was hungry.", "ELLIS was hungry.", "The Marsh home was cold."])
def test_real_child_names_are_refused_in_case_studies_and_briefings(lc: LearnCast, text: str) -> None:
    with pytest.raises(ValidationError) as error:
        lc.event(review=lc.review, case_study=text)
    assert "use the review's pseudonyms" in str(error.value)
    with pytest.raises(ValidationError):
        _briefing(lc, publish=False, what_happened=text)


def test_a_name_inside_another_word_is_not_a_name(lc: LearnCast) -> None:
    event = lc.event(review=lc.review, case_study="The marshland walk: Ellisons' bakery (a place, not a child).")
    assert event.case_study.startswith("The marshland")


def test_child_names_never_appear_on_event_briefing_pdf_or_api(lc: LearnCast, client_for, tmp_path: Path) -> None:
    prefill = services.case_study_from_review(lc.review)
    event = lc.event(review=lc.review, title=prefill.title, case_study=prefill.case_study, themes=prefill.themes)
    briefing = _briefing(lc)
    practitioner = client_for(lc.cast.involved)
    pages: list[Any] = [
        practitioner.get(f"/learning/events/{event.pk}/").content.decode(),
        practitioner.get(f"/learning/briefings/{briefing.pk}/").content.decode(),
        practitioner.get(f"/api/v1/learning-events/{event.pk}/").content.decode(),
        practitioner.get(f"/api/v1/learning-briefings/{briefing.pk}/").content.decode(),
        client_for(lc.business).get(f"/learning/events/from-review/{lc.review.pk}/").content.decode(),
        client_for(lc.business).get(f"/learning/briefings/from-review/{lc.review.pk}/").content.decode(),
        _pdf_facts(briefing_pdf(briefing), tmp_path)[1],
    ]
    assert "Child A was not brought" in pages[0]
    for body in pages:
        for name in REAL_NAMES:
            assert name not in body
