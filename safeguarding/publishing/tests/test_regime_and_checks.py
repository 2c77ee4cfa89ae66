"""Committee reports in the regime of the review's date, the overdue RAG rule, the risks section, the
text checked against the live figures, Appendix B only once published, and the documents' accessibility
and metadata (PDF/UA, DOCX core properties, page numbers, repeating header rows)."""

from __future__ import annotations

import io
import subprocess
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from safeguarding.actionplans import services as plan_services
from safeguarding.actionplans.enums import ActionRag, ActionSource, ActionStatus
from safeguarding.core.models import ActivityLog
from safeguarding.publishing import prefill, services
from safeguarding.publishing.content import build_content
from safeguarding.publishing.models import CommitteeReport, GeneratedReport
from safeguarding.publishing.tests.conftest import PublishingCast
from safeguarding.publishing.tests.test_generation import docx_text, pdf_text
from safeguarding.reviews import services as review_services
from safeguarding.reviews.models import PracticeReview


def _complete_first_action(pc: PublishingCast) -> None:
    plan_services.add_update(
        actor=pc.rc.health_lead,
        action=pc.actions[0],
        written_on=timezone.localdate(),
        narrative="Guidance published.",
        status=ActionStatus.COMPLETE,
        rag=ActionRag.BLUE,
    )


def _edit(pc: PublishingCast, report: CommitteeReport, **fields: str) -> None:
    latest = report.latest_text()
    assert latest is not None
    services.edit_text(actor=pc.business, report=report, base_number=latest.number, fields=latest.values() | fields)


def _scr_report(pc: PublishingCast) -> CommitteeReport:
    """A serious case review decided by the LSCB in 2017, with an action plan, and a report on it."""
    review = review_services.open_legacy_review(
        actor=pc.business,
        title="Child R",
        decided_on=date(2017, 11, 6),
        children=[review_services.ChildInput(pc.rc.cast.child, "Child R")],
    )
    recommendation = review_services.add_recommendation(
        actor=pc.business, review=review, text="The LSCB should issue guidance on bruising in non-mobile babies."
    )
    plan = plan_services.create_plan(
        actor=pc.business,
        title="Action plan: Child R",
        source=ActionSource.REVIEW,
        owner_group="Case review subgroup",
        chair=pc.chair,
        review=review,
    )
    plan_services.add_action(
        actor=pc.business,
        plan=plan,
        recommendation=recommendation,
        description="Publish a protocol for bruising in non-mobile babies.",
        lead_agency=pc.rc.cast.agency,
        lead_officer=pc.rc.health_lead,
        start_on=timezone.localdate() - timedelta(days=30),
        due_on=timezone.localdate() + timedelta(days=30),
        success_measure="An audit finds the protocol followed.",
    )
    header = prefill.header_for(review, pc.business) | {"title": "Serious case review Child R: the action plan"}
    return services.create_report(actor=pc.business, review=review, header=services.Header(**header))


# ---- regime ------------------------------------------------------------------------------------------


def test_a_local_practice_review_speaks_of_the_partners_and_the_2018_law(pc: PublishingCast) -> None:
    text = prefill.text_for(pc.review)
    assert (
        "The rapid review recommended, and the safeguarding partners decided on 20 March 2026" in text["commissioning"]
    )
    assert "within five working days of becoming aware of it" in text["commissioning"]
    assert "of the incident." not in text["commissioning"]
    assert "sections 16B to 16C and 16E to 16F of the Children Act 2004" in text["legal"]
    assert "(SI 2018/789)" in text["legal"]
    assert "Working Together to Safeguard Children 2023 (chapter 5)" in text["legal"]
    assert text["background_papers"] == "Working Together to Safeguard Children 2023"
    for field in ("commissioning", "legal"):
        assert "LSCB" not in text[field]


def test_a_local_practice_review_decided_in_2021_cites_working_together_2018(pc: PublishingCast) -> None:
    PracticeReview.objects.filter(review=pc.review).update(decided_on=date(2021, 3, 1))
    pc.review.refresh_from_db()
    legal = prefill.text_for(pc.review)["legal"]
    assert "Working Together to Safeguard Children 2018 (chapter 4)" in legal
    assert "2023" not in legal


def test_a_serious_case_review_speaks_of_the_lscb_and_the_2006_law(pc: PublishingCast) -> None:
    report = _scr_report(pc)
    text = report.latest_text().values()  # type: ignore[union-attr]
    assert text["commissioning"].startswith(
        "On 6 November 2017, the Local Safeguarding Children Board (LSCB) decided that the case met the criteria "
        "for a serious case review under regulation 5 of the Local Safeguarding Children Boards Regulations 2006"
    )
    assert "section 14B" in text["legal"]
    assert "Working Together to Safeguard Children 2015 (chapter 4)" in text["legal"]
    assert "individual management reviews" in text["method"]
    everything = " ".join(text.values())
    for wrong in ("rapid review", "Rapid review", "SI 2018/789", "Working Together to Safeguard Children 2023"):
        assert wrong not in everything, wrong
    assert "the safeguarding partners decided" not in everything
    generated = services.generate_now(actor=pc.business, report=report)
    pdf = pdf_text(bytes(generated.pdf))
    assert "regulation 5 of the Local Safeguarding Children Boards Regulations 2006" in pdf
    assert "rapid review" not in pdf.lower()
    paragraphs, _ = docx_text(bytes(generated.docx))
    assert "section 14B" in paragraphs
    assert "Working Together to Safeguard Children 2023" not in paragraphs


# ---- the overdue RAG rule and the risks --------------------------------------------------------------


def _status_of(report: CommitteeReport, reference: str) -> str:
    content = build_content(report, report.latest_text())  # type: ignore[arg-type]
    return next(row.status for group in content.plan_groups for row in group.rows if row.reference == reference)


def test_an_overdue_action_is_shown_red_by_default(pc: PublishingCast) -> None:
    report = pc.report()
    assert pc.actions[1].rag == ActionRag.GREEN
    assert _status_of(report, pc.actions[1].reference) == "Not started (Red) – overdue"
    assert _status_of(report, pc.actions[2].reference) == "At risk (Amber)"  # not overdue: its own RAG


@pytest.mark.parametrize(
    ("rule", "shown"), [("amber", "Not started (Amber) – overdue"), ("own", "Not started (Green) – overdue")]
)
def test_the_overdue_rag_is_a_setting(pc: PublishingCast, rule: str, shown: str) -> None:
    report = pc.report()
    with override_settings(COMMITTEE_REPORT_OVERDUE_RAG=rule):
        assert _status_of(report, pc.actions[1].reference) == shown


def test_the_risks_section_lists_overdue_and_at_risk_actions_and_the_typed_text(pc: PublishingCast) -> None:
    report = pc.report()
    _edit(pc, report, risks="Health visiting is short of staff; the subgroup reviews it monthly.")
    content = build_content(report, report.latest_text())  # type: ignore[arg-type]
    section = next(s for s in content.sections if s.number == "3.6")
    assert section.title == "Risks to delivering the action plan"
    said = " ".join(b.text + " ".join(b.items) for b in section.blocks)
    assert f"{pc.actions[1].reference} (overdue, due" in said
    assert f"{pc.actions[2].reference} (At risk (Amber), due" in said
    assert pc.actions[3].reference not in said
    assert "Health visiting is short of staff" in said


# ---- checked against the figures -------------------------------------------------------------------


def test_a_narrative_naming_a_complete_action_as_overdue_is_listed(pc: PublishingCast) -> None:
    _complete_first_action(pc)
    report = pc.report()
    _edit(
        pc,
        report,
        issues_and_options="Two actions are overdue: the neglect practice guidance waits for training, "
        "and the cumulative neglect training waits for a trainer.",
    )
    found = services.contradictions(report)
    says = [c.says for c in found]
    assert (
        f"It says {pc.actions[0].reference} (Write and launch multi-agency neglect practice guidance with…) is overdue."
        in says[0]
    )
    assert "Complete (Blue)" in found[0].figures
    assert found[0].label == "Issues and options"
    assert "It says 2 actions overdue." in says  # the figures: 1 overdue
    assert all(pc.actions[1].reference not in s for s in says)  # the training is overdue: that is right
    with pytest.raises(services.FiguresContradicted):
        services.request_generation(actor=pc.business, report=report)
    assert not GeneratedReport.objects.exists()
    services.request_generation(actor=pc.business, report=report, confirmed=True)
    log = ActivityLog.objects.filter(action="publishing.generation_requested").get()
    assert log.changes["contradictions_confirmed"] == [None, len(found)]


def test_the_check_reads_all_out_of_delivered_and_what_is_still_to_be_done(pc: PublishingCast) -> None:
    _complete_first_action(pc)  # 6 actions: 1 complete, 1 overdue (actions[1]), 1 at risk
    report = pc.report()
    overdue, running = pc.actions[1].reference, pc.actions[2].reference
    _edit(
        pc,
        report,
        issues_and_options="All actions are complete. Not all actions are complete. 1 out of 6 actions are "
        f"complete. {overdue} has been delivered. {running} will be completed in the spring.",
    )
    found = services.contradictions(report)
    assert len(found) == 2, [c.says for c in found]
    assert (found[0].says, found[0].figures) == ("It says all 6 actions complete.", "The figures: 1 complete.")
    assert found[1].says.startswith(f"It says {overdue} (")
    assert found[1].says.endswith("is complete.")


def test_the_figures_own_sentences_contradict_nothing(pc: PublishingCast) -> None:
    _complete_first_action(pc)
    report = pc.report()
    sentences = services.figure_sentences(report)
    assert sentences[0] == "The action plan has 6 actions: 1 complete (17%), 1 overdue and 1 at risk."
    assert sentences[1].startswith(f"One action is overdue: {pc.actions[1].reference} (Train 400 practitioners")
    _edit(pc, report, issues_and_options=" ".join(sentences))
    assert services.contradictions(report) == []


def test_the_check_page_lists_contradictions_and_needs_confirmation(pc: PublishingCast, client_for: Any) -> None:
    _complete_first_action(pc)
    report = pc.report()
    _edit(pc, report, reasons="The neglect practice guidance is overdue.")
    client = client_for(pc.business)
    url = reverse("publishing:generate", args=[report.pk])
    page = client.get(url).content.decode()
    assert "The text says 1 thing the figures contradict." in page
    assert "The neglect practice guidance is overdue." in page
    assert "Sentences from the figures" in page
    refused = client.post(url, {}).content.decode()
    assert "<title>Error:" in refused
    assert "Check each one, then edit the text or confirm that it is right." in refused
    assert not GeneratedReport.objects.exists()
    done = client.post(url, {"confirm": "on"}, follow=True).content.decode()
    assert "Report generated" in done
    assert client_for(pc.rc.cast.unrelated).get(url).status_code == 404


def test_the_sentences_from_the_figures_can_be_inserted(pc: PublishingCast, client_for: Any) -> None:
    report = pc.report()
    response = client_for(pc.business).post(
        reverse("publishing:insert-figures", args=[report.pk]), {"base_number": 1, "field": "risks"}
    )
    assert response.status_code == 302
    latest = report.latest_text()
    assert latest is not None
    assert latest.number == 2
    assert latest.value("risks").startswith("The action plan has 6 actions: 0 complete (0%), 1 overdue and 1 at risk.")
    stale = client_for(pc.business).post(
        reverse("publishing:insert-figures", args=[report.pk]), {"base_number": 1, "field": "risks"}, follow=True
    )
    assert "Someone else saved a newer version" in stale.content.decode()


def test_the_command_refuses_a_contradicted_text_unless_confirmed(pc: PublishingCast, tmp_path: Any) -> None:
    _complete_first_action(pc)
    report = pc.report()
    _edit(pc, report, reasons="The neglect practice guidance is overdue.")
    out = tmp_path / "report.pdf"
    errors = io.StringIO()
    with pytest.raises(CommandError, match="--confirm-text"):
        call_command("committee_report", str(report.pk), "--output", str(out), stderr=errors)
    assert "The neglect practice guidance is overdue." in errors.getvalue()
    call_command("committee_report", str(report.pk), "--output", str(out), "--confirm-text", stdout=io.StringIO())
    assert out.read_bytes().startswith(b"%PDF")


# ---- Appendix B --------------------------------------------------------------------------------------


def _appendices(report: CommitteeReport) -> tuple[str, ...]:
    content = build_content(report, report.latest_text())  # type: ignore[arg-type]
    return next(s for s in content.sections if s.number == "9").blocks[0].items


def test_appendix_b_is_listed_only_once_the_review_is_published(pc: PublishingCast) -> None:
    report = pc.report()
    assert not any("Appendix B" in item for item in _appendices(report))
    _edit(pc, report, appendices="Appendix B: The published review report")
    assert [c.figures for c in services.contradictions(report)] == ["The review is not yet published."]
    PracticeReview.objects.filter(review=pc.review).update(
        published_on=date(2026, 10, 1), may_come_down_on=date(2027, 10, 1)
    )
    _edit(pc, report, appendices="")
    report = CommitteeReport.objects.get(pk=report.pk)
    assert (
        _appendices(report)[1]
        == f"Appendix B: The published review report ({pc.review.reference}, published 1 October 2026)"
    )
    assert services.contradictions(report) == []


# ---- the documents -----------------------------------------------------------------------------------


def test_the_pdf_is_tagged_pdf_ua(pc: PublishingCast, tmp_path: Any) -> None:
    report = pc.report(title="Learning from Child A and Child B")
    pdf = bytes(services.generate_now(actor=pc.business, report=report).pdf)
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)

    def pdfinfo(*options: str) -> str:
        return subprocess.run(["pdfinfo", *options, str(path)], capture_output=True, text=True, check=True).stdout

    info = pdfinfo()
    # "Tagged: yes" is the catalogue's /MarkInfo << /Marked true >>.
    assert any(line.split() == ["Tagged:", "yes"] for line in info.splitlines())
    # The logical structure (the /StructTreeRoot): real headings, paragraphs and tables.
    structure = pdfinfo("-struct")
    for tag in ("H1", "H2", "P", "Table"):
        assert tag in structure, tag
    assert "pdfuaid:part" in pdfinfo("-meta")  # the PDF/UA identification in the XMP metadata
    fields = {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in info.splitlines())}
    assert fields["Title"] == "Learning from Child A and Child B"
    assert fields["Author"] == report.author_name


def test_the_docx_has_its_title_author_dates_page_numbers_and_repeating_header_rows(pc: PublishingCast) -> None:
    from docx import Document
    from docx.oxml.ns import qn

    report = pc.report(title="Learning from Child A and Child B", author_name="Jo Whitfield")
    generated = services.generate_now(actor=pc.business, report=report)
    doc = Document(io.BytesIO(bytes(generated.docx)))
    properties = doc.core_properties
    assert properties.title == "Learning from Child A and Child B"
    assert properties.author == "Jo Whitfield"
    assert properties.last_modified_by == "Jo Whitfield"
    assert properties.created == generated.generated_at.replace(microsecond=0).astimezone(properties.created.tzinfo)
    assert properties.modified == properties.created
    footer = doc.sections[0].footer.paragraphs[0]
    assert footer.text.startswith("Page ")
    codes = [el.text.strip() for el in footer._p.iter(qn("w:instrText"))]
    assert codes == ["PAGE", "NUMPAGES"]
    plan_table = doc.tables[-1]
    assert plan_table.rows[0].cells[0].text == "Action"
    header_flags = plan_table.rows[0]._tr.findall(f"{qn('w:trPr')}/{qn('w:tblHeader')}")
    assert len(header_flags) == 1
    assert not plan_table.rows[1]._tr.findall(f"{qn('w:trPr')}/{qn('w:tblHeader')}")
