"""The learning reports (domain.md §8), for the business unit and scrutineers. No child is named.

1. Attendance against invitations: for the published events held in a period (started by now), by agency and by role,
   how many events invited them, how many places they took and how many came — walk-ins (people who came
   without registering) included and counted apart — and the % of those registered who came; by event, the
   waiting list left when it was held.
2. Evaluation results: confidence before and after (1–5) — means, distribution and change — and the
   follow-up survey's answers.
3. Themes: events held on each theme against the escalations flagged for learning and the review
   findings on that theme, so the learning group sees themes with learning flags but no event.

Charts are small SVGs from `core.svgcharts` (inline in pages and exports), each with a data table beside it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from statistics import mean
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency
from safeguarding.core import svgcharts
from safeguarding.escalations.models import Escalation
from safeguarding.escalations.reports import Period
from safeguarding.learning.enums import Confidence, EventStatus, PracticeChanged
from safeguarding.learning.models import (
    Attendance,
    Evaluation,
    FollowUpResponse,
    Invitation,
    LearningEvent,
    ReasonTheme,
    Registration,
)
from safeguarding.reviews.models import Finding, Theme

__all__ = ["Period", "build_reports"]


def _bounds(period: Period) -> tuple[datetime | None, datetime | None]:
    start = timezone.make_aware(datetime.combine(period.start, time.min)) if period.start else None
    end = timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min)) if period.end else None
    return start, end


def _in_period(qs: QuerySet[Any], field_name: str, period: Period) -> QuerySet[Any]:
    start, end = _bounds(period)
    if start:
        qs = qs.filter(**{f"{field_name}__gte": start})
    if end:
        qs = qs.filter(**{f"{field_name}__lt": end})
    return qs


def events_in(period: Period) -> QuerySet[LearningEvent]:
    """Published events that start in the period (drafts and cancelled events are not counted)."""
    return _in_period(LearningEvent.objects.filter(status=EventStatus.PUBLISHED), "starts_at", period)


def held_in(period: Period) -> QuerySet[LearningEvent]:
    """Of those, the events that have started: attendance and evaluations are about these only."""
    return events_in(period).filter(starts_at__lte=timezone.now())


# ---- charts ---------------------------------------------------------------------------------------


def chart_data_uri(svg: str) -> str:
    return svgcharts.data_uri(svg)


def grouped_bar_svg(title: str, labels: list[str], series: list[tuple[str, list[float]]], unit: str) -> str:
    """Horizontal bars, one group per label and one bar per series, as SVG text (`core.svgcharts`)."""
    return svgcharts.bar_chart(
        title,
        f"Bar chart: {title[:1].lower()}{title[1:]}. The table gives the same figures.",
        labels,
        series,
        unit=unit,
        empty="Nothing in this period",
    )


# ---- attendance -----------------------------------------------------------------------------------


class PercentAttended:
    registered: int
    attended: int
    walk_ins: int

    @property
    def registered_attended(self) -> int:
        """Of those who came, the ones who had registered (walk-ins took no place)."""
        return self.attended - self.walk_ins

    @property
    def percent_attended(self) -> int | None:
        """Of the places taken, the share who came (whole per cent), or None when nobody registered.
        Walk-ins are not in it: they are counted in `attended` and shown apart."""
        return round(100 * self.registered_attended / self.registered) if self.registered else None


@dataclass
class AttendanceRow(PercentAttended):
    label: str
    invited_events: int
    registered: int
    attended: int
    walk_ins: int = 0


@dataclass
class EventRow(PercentAttended):
    event: LearningEvent
    invited_agencies: int
    agencies_attended: int
    registered: int
    attended: int
    walk_ins: int = 0
    waiting: int = 0


@dataclass
class AttendanceReport:
    by_agency: list[AttendanceRow]
    by_role: list[AttendanceRow]
    events: list[EventRow]
    chart_svg: str = ""

    @property
    def chart_data_uri(self) -> str:
        return chart_data_uri(self.chart_svg)

    @property
    def total(self) -> AttendanceRow:
        return AttendanceRow(
            "All agencies",
            len(self.events),
            sum(r.registered for r in self.events),
            sum(r.attended for r in self.events),
            sum(r.walk_ins for r in self.events),
        )


def invited_agencies(invitations: Iterable[Invitation], agencies: list[Agency]) -> set[int]:
    """The ids of the agencies an event's invitations cover (one agency, or each active one of a kind)."""
    ids: set[int] = set()
    for invitation in invitations:
        if invitation.agency_id:
            ids.add(invitation.agency_id)
        else:
            ids |= {a.pk for a in agencies if a.kind == invitation.agency_kind}
    return ids


def attendance_report(period: Period, *, charts: bool = True) -> AttendanceReport:
    events = list(held_in(period).prefetch_related("invitations").order_by("starts_at", "pk"))
    ids = [e.pk for e in events]
    agencies = list(Agency.objects.filter(is_active=True))
    names = {a.pk: a.name for a in Agency.objects.all()}
    registrations = list(
        Registration.objects.with_place().filter(event_id__in=ids).values_list("event_id", "agency_id", "role")
    )
    waiting = Counter(Registration.objects.waiting().filter(event_id__in=ids).values_list("event_id", flat=True))
    # Everyone who came, walk-ins (who came without registering) included: (event, agency, role, walk-in).
    attended = list(
        Attendance.objects.filter(event_id__in=ids, attended=True).values_list(
            "event_id", "agency_id", "role", "walk_in"
        )
    )

    agency_invited: Counter[int] = Counter()
    role_invited: Counter[str] = Counter()
    explicit_roles: set[str] = set()
    event_rows = []
    for event in events:
        invitations = list(event.invitations.all())
        covered = invited_agencies(invitations, agencies)
        agency_invited.update(covered)
        roles = {i.role for i in invitations}
        explicit_roles |= roles - {""}
        for role in Role:
            if "" in roles or role in roles:
                role_invited[role] += 1
        came = [row for row in attended if row[0] == event.pk]
        event_rows.append(
            EventRow(
                event=event,
                invited_agencies=len(covered),
                agencies_attended=len({a for _, a, _, _ in came}),
                registered=sum(1 for e, _, _ in registrations if e == event.pk),
                attended=len(came),
                walk_ins=sum(1 for row in came if row[3]),
                waiting=waiting[event.pk],
            )
        )

    reg_by_agency = Counter(a for _, a, _ in registrations)
    att_by_agency = Counter(a for _, a, _, _ in attended)
    walk_by_agency = Counter(a for _, a, _, walk_in in attended if walk_in)
    agency_ids = set(agency_invited) | set(reg_by_agency) | set(att_by_agency)
    by_agency = sorted(
        (
            AttendanceRow(
                names.get(a, "Unknown"), agency_invited[a], reg_by_agency[a], att_by_agency[a], walk_by_agency[a]
            )
            for a in agency_ids
        ),
        key=lambda r: r.label,
    )
    reg_by_role = Counter(r for _, _, r in registrations)
    att_by_role = Counter(r for _, _, r, _ in attended)
    walk_by_role = Counter(r for _, _, r, walk_in in attended if walk_in)
    shown_roles = [r for r in Role if r in explicit_roles or reg_by_role[r] or att_by_role[r]]
    by_role = [
        AttendanceRow(Role(r).label, role_invited[r], reg_by_role[r], att_by_role[r], walk_by_role[r])
        for r in shown_roles
    ]
    report = AttendanceReport(by_agency=by_agency, by_role=by_role, events=event_rows)
    if charts:
        report.chart_svg = grouped_bar_svg(
            "Places taken and attendance by agency",
            [r.label for r in by_agency],
            [("Registered", [r.registered for r in by_agency]), ("Attended", [r.attended for r in by_agency])],
            "People",
        )
    return report


# ---- evaluations ----------------------------------------------------------------------------------


@dataclass
class EvaluationEventRow:
    event: LearningEvent
    count: int
    mean_before: float
    mean_after: float

    @property
    def mean_change(self) -> float:
        return round(self.mean_after - self.mean_before, 2)


@dataclass
class EvaluationReport:
    count: int
    mean_before: float | None
    mean_after: float | None
    # (score label, evaluations giving it before, after), for scores 1 to 5.
    distribution: list[tuple[str, int, int]]
    improved: int
    same: int
    worse: int
    events: list[EvaluationEventRow]
    follow_ups: list[tuple[str, int]]
    chart_svg: str = ""

    @property
    def mean_change(self) -> float | None:
        if self.mean_before is None or self.mean_after is None:
            return None
        return round(self.mean_after - self.mean_before, 2)

    @property
    def chart_data_uri(self) -> str:
        return chart_data_uri(self.chart_svg)


def _mean(values: list[int]) -> float | None:
    return round(mean(values), 2) if values else None


def evaluation_report(period: Period, *, charts: bool = True) -> EvaluationReport:
    events = held_in(period)
    rows = list(Evaluation.objects.filter(event__in=events).select_related("event").order_by("event__starts_at", "pk"))
    before = Counter(e.confidence_before for e in rows)
    after = Counter(e.confidence_after for e in rows)
    distribution = [(label, before[value], after[value]) for value, label in Confidence.choices]
    by_event: dict[int, list[Evaluation]] = defaultdict(list)
    for row in rows:
        by_event[row.event_id].append(row)
    event_rows = [
        EvaluationEventRow(
            event=items[0].event,
            count=len(items),
            mean_before=round(mean(e.confidence_before for e in items), 2),
            mean_after=round(mean(e.confidence_after for e in items), 2),
        )
        for items in by_event.values()
    ]
    answers = Counter(FollowUpResponse.objects.filter(event__in=events).values_list("practice_changed", flat=True))
    report = EvaluationReport(
        count=len(rows),
        mean_before=_mean([e.confidence_before for e in rows]),
        mean_after=_mean([e.confidence_after for e in rows]),
        distribution=distribution,
        improved=sum(1 for e in rows if e.change > 0),
        same=sum(1 for e in rows if e.change == 0),
        worse=sum(1 for e in rows if e.change < 0),
        events=event_rows,
        follow_ups=[(label, answers[value]) for value, label in PracticeChanged.choices],
    )
    if charts:
        report.chart_svg = grouped_bar_svg(
            "Confidence before and after (number of evaluations at each score)",
            [label for label, _, _ in distribution],
            [("Before", [b for _, b, _ in distribution]), ("After", [a for _, _, a in distribution])],
            "Evaluations",
        )
    return report


# ---- themes ---------------------------------------------------------------------------------------


@dataclass
class ThemeRow:
    theme: Theme
    events: int
    learning_flags: int
    findings: int

    @property
    def gap(self) -> bool:
        """Learning flags or findings on the theme, and no event on it in the period."""
        return self.events == 0 and (self.learning_flags + self.findings) > 0


@dataclass
class ThemeReport:
    rows: list[ThemeRow] = field(default_factory=list)
    chart_svg: str = ""

    @property
    def gaps(self) -> list[ThemeRow]:
        return [r for r in self.rows if r.gap]

    @property
    def chart_data_uri(self) -> str:
        return chart_data_uri(self.chart_svg)


def flag_themes(escalation: Escalation, reason_themes: dict[int, set[int]], themes: list[Theme]) -> set[int]:
    """The themes a learning flag counts under: those its reason maps to (`ReasonTheme`), and any theme
    whose name its learning note mentions (e.g. "was not brought")."""
    ids = set(reason_themes.get(escalation.reason_id, set()))
    note = (escalation.learning_note or "").lower()
    ids |= {t.pk for t in themes if t.name.lower() in note}
    return ids


def theme_report(period: Period, *, charts: bool = True) -> ThemeReport:
    themes = list(Theme.objects.filter(is_active=True).order_by("order", "name"))
    events = Counter(events_in(period).values_list("themes", flat=True))
    reason_themes: dict[int, set[int]] = defaultdict(set)
    for reason_id, theme_id in ReasonTheme.objects.values_list("reason_id", "theme_id"):
        reason_themes[reason_id].add(theme_id)
    flags: Counter[int] = Counter()
    flagged = _in_period(Escalation.objects.filter(flagged_for_learning=True), "flagged_at", period)
    for escalation in flagged.only("pk", "reason_id", "learning_note"):
        flags.update(flag_themes(escalation, reason_themes, themes))
    findings = Counter(_in_period(Finding.objects.all(), "created_at", period).values_list("themes", flat=True))
    rows = [ThemeRow(t, events[t.pk], flags[t.pk], findings[t.pk]) for t in themes]
    rows.sort(key=lambda r: (not r.gap, -r.learning_flags, -r.findings, r.theme.order))
    report = ThemeReport(rows)
    if charts:
        report.chart_svg = grouped_bar_svg(
            "Events, learning flags and review findings by theme",
            [r.theme.name for r in rows],
            [
                ("Events", [r.events for r in rows]),
                ("Learning flags", [r.learning_flags for r in rows]),
                ("Findings", [r.findings for r in rows]),
            ],
            "Number",
        )
    return report


@dataclass(frozen=True)
class Reports:
    period: Period
    attendance: AttendanceReport
    evaluations: EvaluationReport
    themes: ThemeReport


def build_reports(period: Period, *, charts: bool = True) -> Reports:
    return Reports(
        period=period,
        attendance=attendance_report(period, charts=charts),
        evaluations=evaluation_report(period, charts=charts),
        themes=theme_report(period, charts=charts),
    )
