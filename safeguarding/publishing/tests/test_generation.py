"""Generation: the plan is frozen, the content built once and rendered as PDF (checked with
pdftotext) and DOCX (checked with python-docx), with the live figures and the time they were taken;
nothing identifying is printed; the committee's decision is recorded against the version it saw."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from safeguarding.actionplans.enums import CommitteeOutcome
from safeguarding.actionplans.models import ActionPlanVersion, CommitteeDecision
from safeguarding.core.models import ActivityLog
from safeguarding.publishing import services
from safeguarding.publishing.enums import GenerationStatus
from safeguarding.publishing.tests.conftest import ACTIONS, RECOMMENDATIONS, PublishingCast


def pdf_text(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        out = subprocess.run(["pdftotext", "-raw", handle.name, "-"], capture_output=True, check=True, text=True)
    return squash(out.stdout)


def docx_text(content: bytes) -> tuple[str, str]:
    from docx import Document

    doc = Document(io.BytesIO(content))
    paragraphs = squash(" ".join(p.text for p in doc.paragraphs))
    cells = squash(" ".join(cell.text for table in doc.tables for row in table.rows for cell in row.cells))
    return paragraphs, cells


def squash(text: str) -> str:
    """One space for any run of white space; a word broken at its hyphen across lines joined again."""
    text = re.sub(r"(\w)-\s+(\w)", r"\1-\2", text.replace("\u00ad", ""))
    return re.sub(r"\s+", " ", text).strip()


def moment() -> datetime:
    return timezone.make_aware(datetime(2026, 11, 20, 14, 35))


def test_generate_freezes_plan_and_stamps_time(pc: PublishingCast) -> None:
    report = pc.report(title="Learning from Child A and Child B")
    generated = services.generate_now(actor=pc.business, report=report, at=moment())
    assert generated.status == GenerationStatus.DONE
    assert generated.generated_at == moment()
    version = ActionPlanVersion.objects.get(plan=pc.plan)
    assert generated.plan_version == version
    assert version.reason == f"Committee report Learning from Child A and Child B {report.meeting_on.day} " + (
        f"{report.meeting_on:%B %Y}"
    )
    assert generated.text == report.latest_text()
    assert bytes(generated.pdf).startswith(b"%PDF")
    assert ActivityLog.objects.filter(action="publishing.report_generated").count() == 1


def test_pdf_holds_every_recommendation_and_action_row(pc: PublishingCast) -> None:
    generated = services.generate_now(actor=pc.business, report=pc.report(), at=moment())
    text = pdf_text(bytes(generated.pdf))
    for recommendation in RECOMMENDATIONS:
        assert squash(recommendation) in text
    for _, description in ACTIONS:
        assert squash(description) in text
    assert "Figures as at 20 November 2026, 14:35" in text
    assert "At risk (Amber)" in text
    assert "6 actions: 0 complete, 1 overdue" in text
    assert "How did agencies recognise neglect?" in text
    # The usual council sections, in order.
    headings = [
        "1 Executive summary",
        "2 Recommendations",
        "3 Introduction and background",
        "3.3 Key lines of enquiry",
        "3.4 The review's recommendations",
        "4 Issues and options",
        "5 Reasons for the recommendation",
        "6 Consultation",
        "7 Impact on policies and priorities",
        "8 Implications",
        "8.1 Financial implications",
        "8.3 Diversity and equality implications",
        "9 Appendices",
        "Report author",
    ]
    # The appendix itself comes last (section 9 lists it first).
    positions = [text.index(h) for h in headings] + [text.rindex("Appendix A: Action plan")]
    assert positions == sorted(positions)
    assert "Implications verified by" in text
    assert "Page 1 of" in text


def test_docx_holds_the_same(pc: PublishingCast) -> None:
    generated = services.generate_now(actor=pc.business, report=pc.report(), at=moment())
    paragraphs, cells = docx_text(bytes(generated.docx))
    for recommendation in RECOMMENDATIONS:
        assert squash(recommendation) in paragraphs  # quoted in full in section 3.4
        assert squash(recommendation) in cells  # and heading its group in the action plan table
    for _, description in ACTIONS:
        assert squash(description) in cells
    assert "At risk (Amber)" in cells
    assert "Figures as at 20 November 2026, 14:35" in paragraphs
    assert "Key decision" in cells
    assert pc.plan.reference in paragraphs


def test_docx_uses_real_headings(pc: PublishingCast) -> None:
    from docx import Document

    generated = services.generate_now(actor=pc.business, report=pc.report(), at=moment())
    doc = Document(io.BytesIO(bytes(generated.docx)))
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert "1 Executive summary" in headings
    assert "8.2 Legal implications" in headings
    assert len(doc.tables) == 2


def test_nothing_identifying_is_printed(pc: PublishingCast) -> None:
    child = pc.rc.cast.child  # Ellis Marsh, "Child A" in the review
    action = pc.actions[0]
    type(action).objects.filter(pk=action.pk).update(description=f"Meet {child.full_name}'s teachers about neglect.")
    generated = services.generate_now(actor=pc.business, report=pc.report(), at=moment())
    text = pdf_text(bytes(generated.pdf))
    paragraphs, cells = docx_text(bytes(generated.docx))
    for output in (text, paragraphs, cells):
        assert "Ellis" not in output
        assert "Marsh" not in output
        assert child.nhs_number not in output
    assert "Meet Child A's teachers about neglect." in text


def test_text_naming_a_child_is_refused(pc: PublishingCast) -> None:
    report = pc.report()
    fields = report.latest_text().values() | {"executive_summary": "Ellis was hungry at school."}  # type: ignore[union-attr]
    with pytest.raises(ValidationError) as error:
        services.edit_text(actor=pc.business, report=report, base_number=1, fields=fields)
    assert "executive_summary" in error.value.message_dict
    assert report.texts.count() == 1


def test_decision_recorded_against_the_version_the_report_carried(pc: PublishingCast) -> None:
    report = pc.report(meeting_on=timezone.localdate())
    first = services.generate_now(actor=pc.business, report=report)
    second = services.generate_now(actor=pc.business, report=report)
    assert first.plan_version != second.plan_version
    decision = services.record_decision(
        actor=pc.business,
        generated=first,
        outcome=CommitteeOutcome.REFERRED_BACK,
        questions="Why is the training overdue?",
        meeting_on=timezone.localdate(),
    )
    assert decision.plan_version == first.plan_version
    assert decision.committee == report.committee
    assert CommitteeDecision.objects.filter(plan_version=second.plan_version).count() == 0


def test_decision_referred_back_needs_questions(pc: PublishingCast) -> None:
    report = pc.report(meeting_on=timezone.localdate())
    generated = services.generate_now(actor=pc.business, report=report)
    with pytest.raises(ValidationError):
        services.record_decision(
            actor=pc.business, generated=generated, outcome=CommitteeOutcome.REFERRED_BACK, questions=""
        )
    assert not CommitteeDecision.objects.exists()


def test_scrutineer_cannot_generate(pc: PublishingCast) -> None:
    report = pc.report()
    with pytest.raises(services.NotAllowed):
        services.generate_now(actor=pc.rc.scrutineer, report=report)
    assert not ActionPlanVersion.objects.exists()


def test_management_command_writes_the_file(pc: PublishingCast, tmp_path: Path) -> None:
    report = pc.report()
    out = tmp_path / "report.docx"
    call_command("committee_report", str(report.pk), "--format", "docx", "--output", str(out), "--as", "business")
    paragraphs, _cells = docx_text(out.read_bytes())
    assert squash(RECOMMENDATIONS[4]) in paragraphs
    assert ActionPlanVersion.objects.filter(plan=pc.plan).count() == 1
    assert ActivityLog.objects.filter(action="publishing.report_downloaded").exists()


def test_appendix_says_when_a_change_is_to_be_rechecked_and_when_it_held(pc: PublishingCast) -> None:
    """A complete action whose date to check the change held has come is marked "re-check due";
    once the re-check found it held, the row says so with the date."""
    from safeguarding.actionplans import services as plan_services
    from safeguarding.actionplans.enums import ActionRag, ActionStatus
    from safeguarding.publishing.content import _plan_table

    today = timezone.localdate()
    action = pc.actions[0]
    plan_services.edit_action(actor=pc.business, action=action, version=action.version, recheck_on=today)
    plan_services.add_update(
        actor=action.lead_officer,
        action=action,
        written_on=today,
        narrative="Done.",
        status=ActionStatus.COMPLETE,
        rag=ActionRag.BLUE,
    )

    def row_status() -> str:
        groups, _ = _plan_table(pc.plan, [], today)
        return next(r.status for g in groups for r in g.rows if r.reference == action.reference)

    assert row_status() == "Complete (Blue) – re-check due"
    action.refresh_from_db()
    plan_services.record_recheck(
        actor=action.lead_officer,
        action=action,
        version=action.version,
        rechecked_on=today,
        held=True,
        narrative="Audit found it used.",
    )
    assert row_status() == f"Complete (Blue) – change held at re-check {today:%d/%m/%Y}"
