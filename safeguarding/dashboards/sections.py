"""The dashboard's figures laid out as sections of headline figures and tables, each table with its
chart. The page, the PDF and the XLSX all render these same objects, so they show the same figures;
the tables are the source of truth and the charts only draw them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from safeguarding.dashboards import charts
from safeguarding.dashboards.figures import Figures, ReviewFigures

Cell = str | int | float | date | None


@dataclass
class Chart:
    title: str
    desc: str
    svg: str

    @property
    def data_uri(self) -> str:
        return charts.data_uri(self.svg)


@dataclass
class Table:
    slug: str
    caption: str
    columns: list[str]
    rows: list[list[Cell]]
    numeric: set[int] = field(default_factory=set)  # column indexes holding numbers
    chart: Chart | None = None
    empty: str = "None in this period."

    def cells(self) -> list[list[tuple[Cell, bool]]]:
        """Each row as (value, is_numeric) pairs, for templates."""
        return [[(value, i in self.numeric) for i, value in enumerate(row)] for row in self.rows]


@dataclass
class Section:
    slug: str
    sheet: str  # the XLSX sheet's name (at most 31 characters)
    title: str
    intro: str
    headline: list[tuple[str, Cell]]
    tables: list[Table]


def _chart(title: str, desc: str, rows: Sequence[tuple[str, float]], unit: str, **kwargs: Any) -> Chart:
    labels = [label for label, _ in rows]
    svg = charts.bar_chart(title, desc, labels, [(unit, [value for _, value in rows])], unit=unit, **kwargs)
    return Chart(title, desc, svg)


def _days(value: float | None) -> Cell:
    return "–" if value is None else value


def build_sections(figures: Figures, *, with_charts: bool = True) -> list[Section]:
    """The dashboard's sections, in order (`SECTIONS`): each from its own builder."""
    as_at = f"{figures.as_at:%-d %B %Y}"
    return [build(figures, as_at, with_charts) for build in SECTIONS]


def _reviews_section(figures: Figures, as_at: str, with_charts: bool) -> Section:
    """Case reviews in progress by stage, and the statutory clocks."""
    r = figures.reviews
    stage_rows = [(row.label, row.reviews) for row in r.by_stage]
    return Section(
        "reviews",
        "Case reviews",
        "Case reviews",
        f"Reviews in progress on {as_at}, by stage, and how each statutory clock running in the period "
        "was kept (working days exclude weekends and England bank holidays).",
        [
            ("Reviews in progress", r.in_progress),
            ("Serious incidents notified in the period", r.notified_in_period),
            ("Practice reviews published in the period", r.published_in_period),
            ("Statutory clocks overdue", sum(c.overdue for c in r.clocks)),
        ],
        [
            Table(
                "reviews-by-stage",
                f"Reviews in progress on {as_at}, by stage",
                ["Stage", "Reviews"],
                [[label, n] for label, n in stage_rows],
                {1},
                _chart(
                    "Reviews in progress by stage", "Bar chart of reviews in progress by stage.", stage_rows, "Reviews"
                )
                if with_charts
                else None,
            ),
            _timeliness_table(r, with_charts),
            Table(
                "reviews-overdue",
                f"Statutory clocks running past their due date on {as_at}",
                ["Review", "Title", "Clock", "Due on", "Days overdue"],
                [[o.review, o.title, o.clock, o.due_on, o.days_overdue] for o in r.overdue_clocks],
                {4},
                empty="None.",
            ),
        ],
    )


def _timeliness_table(r: ReviewFigures, with_charts: bool) -> Table:
    """How each statutory clock running in the period was kept."""
    return Table(
        "reviews-timeliness",
        "Timeliness against each statutory clock",
        [
            "Clock",
            "Rule",
            "Met on time",
            "Met late",
            "Running, on time",
            "Running, overdue",
            "On time",
            "Overdue",
        ],
        [
            [
                c.clock,
                c.rule,
                c.met_on_time,
                c.met_late,
                c.running_on_time,
                c.running_overdue,
                c.on_time,
                c.overdue,
            ]
            for c in r.clocks
        ],
        {2, 3, 4, 5, 6, 7},
        Chart(
            "Timeliness against each statutory clock",
            "Bar chart of clocks on time and overdue, for each statutory clock.",
            charts.bar_chart(
                "Timeliness against each statutory clock",
                "Bar chart of clocks on time and overdue, for each statutory clock.",
                [c.clock for c in r.clocks],
                [("On time", [c.on_time for c in r.clocks]), ("Overdue", [c.overdue for c in r.clocks])],
                unit="Reviews",
            ),
        )
        if with_charts
        else None,
    )


def _action_plans_section(figures: Figures, as_at: str, with_charts: bool) -> Section:
    """Progress of the action plans in force, and overdue actions."""
    a = figures.action_plans
    plan_rows = [(f"{p.reference} {p.title}", p.percent_complete) for p in a.plans]
    return Section(
        "action-plans",
        "Action plans",
        "Action plans",
        f"Progress of action plans in force in the period, counted on {as_at}: an action is overdue when it is "
        "past its due date and not complete.",
        [
            ("Action plans", len(a.plans)),
            ("Actions", a.actions),
            ("Actions complete", a.complete),
            ("Percentage complete", f"{a.percent_complete}%"),
            ("Actions overdue", a.overdue),
            ("Actions due in the period", a.due_in_period),
            ("Actions completed in the period", a.completed_in_period),
        ],
        [
            Table(
                "plans-progress",
                "Progress of each action plan",
                ["Plan", "Title", "Source", "Owner group", "Actions", "Complete", "% complete", "Overdue"],
                [
                    [p.reference, p.title, p.source, p.owner_group, p.actions, p.complete, p.percent_complete,
                     p.overdue]
                    for p in a.plans
                ],
                {4, 5, 6, 7},
                _chart("Action plans: % complete", "Bar chart of the percentage of each plan's actions complete.",
                       plan_rows, "% complete", maximum=100)
                if with_charts
                else None,
            ),
            Table(
                "overdue-by-agency",
                f"Overdue actions on {as_at}, by lead agency",
                ["Lead agency", "Overdue actions"],
                [[name, n] for name, n in a.overdue_by_agency],
                {1},
                _chart("Overdue actions by lead agency", "Bar chart of overdue actions by lead agency.",
                       a.overdue_by_agency, "Overdue actions")
                if with_charts
                else None,
                empty="None.",
            ),
            Table(
                "overdue-actions",
                f"Overdue actions on {as_at}",
                ["Action", "Plan", "What will be done", "Lead agency", "Lead officer", "Due on", "Days overdue",
                 "Status", "RAG"],
                [
                    [o.reference, o.plan, o.description, o.lead_agency, o.lead_officer, o.due_on, o.days_overdue,
                     o.status, o.rag]
                    for o in a.overdue_actions
                ],
                {6},
                empty="None.",
            ),
        ],
    )  # fmt: skip


def _escalations_section(figures: Figures, as_at: str, with_charts: bool) -> Section:
    """Escalations raised in the period: stages, outcomes and agencies."""
    e = figures.escalations
    stage_chart_rows = [(row.stage, row.reached) for row in e.by_stage]
    return Section(
        "escalations",
        "Escalations",
        "Escalations (resolving professional differences)",
        "Escalations raised in the period, from the partnership's escalation log: the stage each reached, "
        "how it ended, and the agencies that raised and received them.",
        [
            ("Escalations raised", e.raised),
            ("Resolved", e.resolved),
            ("Closed without resolution", e.closed_unresolved),
            ("Still open", e.still_open),
            ("Waiting with an overdue response now", e.overdue_now),
            ("Median working days to resolve", _days(e.median_working_days_to_resolve)),
        ],
        [
            Table(
                "escalations-by-stage",
                "Escalations by stage reached",
                ["Stage", "Reached (stage at the end)", "Resolved at this stage", "Median working days at the stage"],
                [[s.stage, s.reached, s.resolved_here, _days(s.median_working_days)] for s in e.by_stage],
                {1, 2, 3},
                _chart("Escalations by stage reached", "Bar chart of escalations by the stage they reached.",
                       stage_chart_rows, "Escalations")
                if with_charts
                else None,
            ),
            Table(
                "escalations-by-outcome",
                "Escalations by outcome",
                ["Outcome", "Escalations"],
                [[label, n] for label, n in e.by_outcome],
                {1},
            ),
            Table(
                "escalations-by-agency",
                "Escalations by agency",
                ["Agency", "Raised", "Received"],
                [[row.agency, row.raised, row.received] for row in e.by_agency],
                {1, 2},
                Chart(
                    "Escalations by agency",
                    "Bar chart of escalations raised and received by each agency.",
                    charts.bar_chart(
                        "Escalations by agency",
                        "Bar chart of escalations raised and received by each agency.",
                        [row.agency for row in e.by_agency],
                        [("Raised", [row.raised for row in e.by_agency]),
                         ("Received", [row.received for row in e.by_agency])],
                        unit="Escalations",
                    ),
                )
                if with_charts
                else None,
            ),
        ],
    )  # fmt: skip


def _learning_section(figures: Figures, as_at: str, with_charts: bool) -> Section:
    """Learning-flagged review findings and escalations."""
    learning = figures.learning
    return Section(
        "learning",
        "Learning",
        "Learning-flagged items",
        "Review findings recorded in the period, by learning theme (a finding with several themes counts "
        "under each), and escalations flagged for the learning group in the period, by reason.",
        [
            ("Learning-flagged items", learning.total),
            ("Review findings", learning.findings),
            ("Escalations flagged for learning", learning.escalations_flagged),
        ],
        [
            Table(
                "learning-by-theme",
                "Review findings by learning theme",
                ["Theme", "Findings"],
                [[name, n] for name, n in learning.findings_by_theme],
                {1},
                _chart("Review findings by theme", "Bar chart of review findings by learning theme.",
                       learning.findings_by_theme, "Findings")
                if with_charts
                else None,
            ),
            Table(
                "learning-escalations",
                "Escalations flagged for learning, by reason",
                ["Reason", "Escalations"],
                [[name, n] for name, n in learning.escalations_by_reason],
                {1},
                _chart("Escalations flagged for learning", "Bar chart of escalations flagged for learning by reason.",
                       learning.escalations_by_reason, "Escalations")
                if with_charts
                else None,
            ),
        ],
    )  # fmt: skip


# The dashboard's sections in the order the page, the PDF and the XLSX show them.
SECTIONS: tuple[Callable[[Figures, str, bool], Section], ...] = (
    _reviews_section,
    _action_plans_section,
    _escalations_section,
    _learning_section,
)
