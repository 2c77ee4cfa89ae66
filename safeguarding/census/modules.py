"""The modules inside one CINdetails (assessments, CIN plans, section 47 enquiries, child protection
plans and their reviews) from an episode's entries, kept to what the census year holds: nothing
after its reference date (an end after it is still open), nothing that ended before it began."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from safeguarding.census import codes, derive
from safeguarding.census.episodes import Entry
from safeguarding.census.records import Assessment, CINPlan, CPPlan, Episode, Section47
from safeguarding.core.calendar import add_working_days

if TYPE_CHECKING:
    from safeguarding.census.episodes import Holdings, RawEpisode
    from safeguarding.census.years import CensusYear

ICPC_WITHIN_WORKING_DAYS = 15


@dataclass(frozen=True)
class Window:
    start: date  # the census year's first day
    reference: date  # its last
    closure: date | None  # the episode's, when in the year

    def end_in_year(self, end: date | None) -> date | None:
        """An end after the reference date has not happened yet; a plan open at closure ends there."""
        if end is not None and end > self.reference:
            end = None
        return end if end is not None else self.closure


def fill(episode: Episode, raw: RawEpisode, holdings: Holdings, year: CensusYear) -> None:
    window = Window(year.collection_start, year.reference_date, episode.closure)
    entries = [e for e in raw.entries if e.day <= window.reference]
    episode.assessments = _assessments(entries, raw, holdings, window)
    episode.cin_plans = _plans(entries, codes.CHILD_IN_NEED, window)
    conferences = _conferences(entries)
    episode.section47s, episode.icpc_at_episode_level = _section47s(entries, conferences, raw, window)
    episode.cp_plans = _cp_plans(entries, conferences, raw, holdings, window)


def _assessments(entries: list[Entry], raw: RawEpisode, holdings: Holdings, window: Window) -> list[Assessment]:
    found: list[tuple[Assessment, Entry | None]] = []
    current: Assessment | None = None
    current_entry: Entry | None = None
    for entry in entries:
        if entry.code == codes.ASSESSMENT_STARTED and current is None:
            current, current_entry = Assessment(start=entry.day), entry
        elif entry.code == codes.ASSESSMENT_COMPLETED:
            if current is None:
                decided = raw.outcome
                assess = decided is not None and decided.category == "assessment" and decided.day <= entry.day
                current = Assessment(start=decided.day if assess and decided else raw.referral)
            current.authorised = entry.day
            found.append((current, (entry.detail and entry) or current_entry))
            current, current_entry = None, None
    if current is not None:
        found.append((current, current_entry))
    kept = []
    for assessment, source in found:
        detail = source.detail if source else None
        if assessment.authorised is not None and assessment.authorised < window.start:
            continue  # completed before the year
        if detail is not None:
            assessment.internal_review = detail.internal_review_date
        if assessment.authorised is not None:
            stored = list(detail.factors) if detail is not None and detail.factors else []
            assessment.factors = stored or derive.factors(
                holdings.signals, raw.referral - derive.LOOK_BACK, assessment.authorised
            )
        kept.append(assessment)
    return kept


def _plans(entries: list[Entry], kind: str, window: Window) -> list[CINPlan]:
    plans: list[CINPlan] = []
    for entry in entries:
        if entry.code == codes.PLAN_STARTED and entry.category == kind:
            if not plans or plans[-1].end is not None:
                plans.append(CINPlan(start=entry.day))
        elif entry.code == codes.PLAN_ENDED and entry.category == kind and plans and plans[-1].end is None:
            plans[-1].end = entry.day
    kept = []
    for plan in plans:
        if plan.end is not None and plan.end < window.start:
            continue
        plan.end = window.end_in_year(plan.end)
        kept.append(plan)
    return kept


def _conferences(entries: list[Entry]) -> list[tuple[Entry, str]]:
    """Each conference with its kind: its category, else a review while a CP plan is open, else initial."""
    found: list[tuple[Entry, str]] = []
    plan_open_since: date | None = None
    for entry in entries:
        if entry.code == codes.PLAN_STARTED and entry.category == codes.CHILD_PROTECTION:
            plan_open_since = plan_open_since or entry.day
        elif entry.code == codes.PLAN_ENDED and entry.category == codes.CHILD_PROTECTION:
            plan_open_since = None
        elif entry.code == codes.CONFERENCE:
            kind = entry.category
            if kind not in (codes.INITIAL, codes.REVIEW):
                kind = codes.REVIEW if plan_open_since is not None and plan_open_since < entry.day else codes.INITIAL
            found.append((entry, kind))
    return found


def _section47s(
    entries: list[Entry], conferences: list[tuple[Entry, str]], raw: RawEpisode, window: Window
) -> tuple[list[Section47], date | None]:
    initials = [c for c, kind in conferences if kind == codes.INITIAL]
    at_episode = next((c for c in initials if c.detail is not None and c.detail.at_episode_level), None)
    initials = [c for c in initials if c is not at_episode]
    starts = [e for e in entries if e.code == codes.SECTION_47]
    strategies = [e.day for e in entries if e.code == codes.STRATEGY_DISCUSSION]
    # An initial conference with no enquiry before it (since the last conference): the enquiry began
    # at the strategy discussion before the conference (or on the conference's day).
    previous = raw.referral
    for conference in initials:
        if not any(previous <= s.day <= conference.day for s in starts):
            before = [d for d in strategies if previous <= d <= conference.day]
            starts.append(Entry(day=max(before) if before else conference.day, code=codes.SECTION_47, category=""))
        previous = conference.day
    starts.sort(key=lambda e: e.day)
    enquiries = []
    for index, start in enumerate(starts):
        following = starts[index + 1].day if index + 1 < len(starts) else None
        icpc = next((c.day for c in initials if c.day >= start.day and (following is None or c.day < following)), None)
        enquiries.append(_enquiry(start, icpc, following, strategies, window))
    episode_icpc = at_episode.day if at_episode is not None and window.start <= at_episode.day else None
    return [e for e in enquiries if e is not None], episode_icpc


def _enquiry(
    start: Entry, icpc: date | None, following: date | None, strategies: list[date], window: Window
) -> Section47 | None:
    detail = start.detail
    if icpc is not None and icpc < window.start:
        return None  # concluded at a conference before the year
    if detail is not None and detail.icpc_not_required is not None:
        not_required = detail.icpc_not_required
    else:
        not_required = icpc is None and (following is not None or window.closure is not None)
    if icpc is None and not_required and start.day < window.start:
        return None  # concluded without a conference, before the year as far as the Hub knows
    target = detail.icpc_target if detail is not None else None
    if target is None:
        discussed = [d for d in strategies if d <= start.day]
        target = add_working_days(max(discussed) if discussed else start.day, ICPC_WITHIN_WORKING_DAYS)
    return Section47(start=start.day, icpc_target=target, icpc=icpc, icpc_not_required=not_required)


def _cp_plans(
    entries: list[Entry], conferences: list[tuple[Entry, str]], raw: RawEpisode, holdings: Holdings, window: Window
) -> list[CPPlan]:
    starts = [e for e in entries if e.code == codes.PLAN_STARTED and e.category == codes.CHILD_PROTECTION]
    all_starts = sorted(
        e.day for e in holdings.entries if e.code == codes.PLAN_STARTED and e.category == codes.CHILD_PROTECTION
    )
    plans: list[CPPlan] = []
    for plan in _plans(entries, codes.CHILD_PROTECTION, Window(date.min, window.reference, None)):
        started = next(e for e in starts if e.day == plan.start)
        if plan.end is not None and plan.end < window.start:
            continue
        plan.end = window.end_in_year(plan.end)
        detail = started.detail
        initial = (detail.initial_category if detail else "") or derive.abuse_category(
            holdings.signals, raw.referral - derive.LOOK_BACK, plan.start
        )
        latest = (detail.latest_category if detail else "") or initial
        previous = detail.previous_plans if detail and detail.previous_plans is not None else None
        reviews = [
            c.day
            for c, kind in conferences
            if kind == codes.REVIEW and plan.start < c.day <= (plan.end or window.reference) and c.day >= window.start
        ]
        plans.append(
            CPPlan(
                start=plan.start,
                end=plan.end,
                initial_category=initial,
                latest_category=latest,
                previous_plans=previous if previous is not None else sum(1 for d in all_starts if d < plan.start),
                reviews=reviews,
            )
        )
    return plans
