"""The timeline SVG: one lane per agency, a mark per entry, highlights shaded, no style attributes."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.chronology.merged import merged_chronology
from safeguarding.chronology.models import EventType
from safeguarding.chronology.timeline import lanes, render_timeline
from safeguarding.testing import factories as f
from safeguarding.testing.recording import record_as_involved

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
D0 = dt.date(2024, 1, 6)


def add(actor: Any, agency: Any, child: Any, code: str, days: int, summary: str = "Entry") -> None:
    record_as_involved(
        actor=actor,
        agency=agency,
        children=[child],
        event_type=EventType.objects.get(code=code),
        occurred_on=D0 + dt.timedelta(days=days),
        summary=summary,
    )


def test_timeline_has_one_lane_per_agency_and_a_mark_per_entry(cast):
    officer = f.member(cast.partner_agency, Role.PRACTITIONER)
    school = f.AgencyFactory(code="SCH", name="Test <School> & Co", kind=AgencyKind.SCHOOL)
    teacher = f.member(school, Role.PRACTITIONER)
    add(cast.involved, cast.agency, cast.child, "health_visitor_contact", 0)
    add(cast.involved, cast.agency, cast.child, "was_not_brought", 40)
    add(cast.involved, cast.agency, cast.child, "was_not_brought", 80)
    add(officer, cast.partner_agency, cast.child, "police_attendance", 200)
    add(teacher, school, cast.child, "school_absence", 500)
    chronology = merged_chronology(cast.involved, cast.child)
    svg = render_timeline(chronology)

    root = ET.fromstring(svg)  # well-formed: names are escaped
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title") is not None
    assert "Timeline of 5 entries from 3 agencies" in (root.find(f"{SVG}title").text or "")
    lane_labels = [t.get("data-agency") for t in root.iter(f"{SVG}text") if t.get("data-agency")]
    assert lane_labels == ["HV", "POL", "SCH"]
    assert [len(lane.marks) for lane in lanes(chronology)] == [3, 1, 1]
    # A circle per entry, a red diamond for those in a highlight (here the run and the gaps), and one
    # of each in the legend, with the legend's struck-through circle for an entry in error.
    marks = len(list(root.iter(f"{SVG}circle"))) + len(list(root.iter(f"{SVG}path")))
    assert marks == 5 + 3
    kinds = {r.get("data-kind") for r in root.iter(f"{SVG}rect") if r.get("data-kind")}
    assert {"was_not_brought_run", "gap"} <= kinds
    assert "Test &lt;School&gt; &amp; Co" in svg
    assert not re.search(r"\sstyle=", svg)


def test_timeline_is_empty_without_rows(cast):
    assert render_timeline(merged_chronology(cast.involved, cast.child)) == ""


def test_timeline_over_a_short_span_labels_months(cast):
    add(cast.involved, cast.agency, cast.child, "home_visit", 0)
    add(cast.involved, cast.agency, cast.child, "home_visit", 70)
    root = ET.fromstring(render_timeline(merged_chronology(cast.involved, cast.child)))
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "middle"]
    assert labels == ["Feb 2024", "Mar"]


def test_timeline_caption_counts_the_tables_rows_when_agencies_recorded_the_same_event(cast):
    """Issue 17: the caption said 37 entries over a table of 36 (one event recorded by two agencies)."""
    from safeguarding.chronology.timeline import summary

    officer = f.member(cast.partner_agency, Role.PRACTITIONER)
    add(cast.involved, cast.agency, cast.child, "health_visitor_contact", 0)
    add(cast.involved, cast.agency, cast.child, "strategy_discussion", 30, summary="Strategy discussion held")
    add(officer, cast.partner_agency, cast.child, "strategy_discussion", 30, summary="Strategy discussion held")
    chronology = merged_chronology(cast.involved, cast.child)
    assert sum(len(row.sources) for row in chronology.rows) == 3
    assert len(chronology.rows) == 2  # the shared event is one row, with both agencies
    assert summary(chronology).startswith("Timeline of 2 entries from 2 agencies")
    assert [len(lane.marks) for lane in lanes(chronology)] == [2, 1]  # a mark in each agency's lane
