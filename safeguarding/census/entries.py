"""What each census episode becomes in the chronology: one entry per thing that happened, of
children's social care's vocabulary (`census.codes`, installed by `census.defaults`), with the values
the census holds beyond an entry's type, date and category kept beside it (`details`: the fields of
`census.CensusDetail`) so that the export gives them back (docs/cin-census.md, "The XML mapping").

Every entry has a reference of its own, `cin:<LAchildID>:<referral date>:<what>[:<date>]`, stable for
the same episode in any later file: a re-import finds it and adds nothing (the chronology's unique
agency reference), and a correction of the entry keeps it (a correction stays in its lineage).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from safeguarding.census import codes as v
from safeguarding.census.reading import CensusChild, Episode, ProtectionPlan, Section47


@dataclass(frozen=True)
class PlannedEntry:
    event_type: str
    category: str
    occurred_on: dt.date
    summary: str
    reference: str
    details: dict[str, Any] = field(default_factory=dict)


def _label(choices: Any, code: str) -> str:
    """The code's label in a census code set ("" for a code it does not hold)."""
    return str(dict(choices.choices).get(code, ""))


def _given(value: Any) -> bool:
    """A value the file gave (0 and False are values; None, "" and [] are absences)."""
    return value is not None and value != "" and value != []


def episode_key(child: CensusChild, episode: Episode) -> str:
    referral = episode.referral_date.isoformat() if episode.referral_date else "no-referral-date"
    return f"cin:{child.la_child_id}:{referral}"


class _Planner:
    def __init__(self, child: CensusChild, episode: Episode) -> None:
        self.key = episode_key(child, episode)
        self.episode = episode
        self.entries: list[PlannedEntry] = []
        self.seen: set[str] = set()

    def add(self, event_type: str, category: str, day: dt.date | None, summary: str, what: str, **details: Any) -> None:
        if day is None:
            return
        reference = f"{self.key}:{what}"
        n = 2
        while reference in self.seen:  # the same thing twice on one day in one episode
            reference = f"{self.key}:{what}:{n}"
            n += 1
        self.seen.add(reference)
        self.entries.append(
            PlannedEntry(event_type, category, day, summary, reference, {k: x for k, x in details.items() if _given(x)})
        )

    def referral(self) -> None:
        e = self.episode
        source = _label(v.ReferralSource, e.referral_source)
        need = _label(v.PrimaryNeed, e.primary_need)
        summary = "Referral to children's social care"
        summary += f" from {source.lower()} ({e.referral_source})" if source else ""
        summary += f". Primary need: {need} ({e.primary_need})." if need else "."
        self.add(
            v.REFERRAL,
            e.referral_source,
            e.referral_date,
            summary,
            "referral",
            primary_need=e.primary_need,
            referral_nfa=e.referral_nfa,
        )
        if e.referral_nfa:
            self.add(v.REFERRAL_OUTCOME, v.NFA, e.referral_date, "Referral: no further action.", "referral-nfa")

    def assessments(self) -> None:
        for a in self.episode.assessments:
            started = a.start.isoformat() if a.start else "no-start"
            factors = ", ".join(a.factors)
            # The factors and internal review date go with the completion, or the start while it is open.
            open_details: dict[str, Any] = {} if a.authorised else {"internal_review_date": a.internal_review}
            self.add(
                v.ASSESSMENT_STARTED,
                "",
                a.start,
                "Assessment started.",
                f"assessment:{started}:started",
                **open_details,
            )
            summary = "Assessment completed" + (f". Factors identified at assessment: {factors}." if factors else ".")
            self.add(
                v.ASSESSMENT_COMPLETED,
                "",
                a.authorised,
                summary,
                f"assessment:{started}:completed",
                factors=list(a.factors),
                internal_review_date=a.internal_review,
            )

    def cin_plans(self) -> None:
        for plan in self.episode.cin_plans:
            started = plan.start.isoformat() if plan.start else "no-start"
            self.add(v.PLAN_STARTED, v.CHILD_IN_NEED, plan.start, "Child in need plan started.", f"cin-plan:{started}")
            self.add(v.PLAN_ENDED, v.CHILD_IN_NEED, plan.end, "Child in need plan ended.", f"cin-plan:{started}:ended")

    def section47(self, s47: Section47) -> None:
        started = s47.start.isoformat() if s47.start else "no-start"
        summary = "Section 47 enquiry started."
        if s47.icpc_not_required:
            summary += " Initial child protection conference not required."
        self.add(
            v.SECTION_47,
            "",
            s47.start,
            summary,
            f"s47:{started}",
            icpc_target=s47.icpc_target,
            icpc_not_required=s47.icpc_not_required,
        )
        self.add(
            v.CONFERENCE,
            v.INITIAL,
            s47.icpc_date,
            "Initial child protection conference.",
            f"s47:{started}:icpc",
        )

    def plan(self, plan: ProtectionPlan) -> None:
        started = plan.start.isoformat() if plan.start else "no-start"
        category = _label(v.AbuseCategory, plan.initial_category) or plan.initial_category
        summary = "Child protection plan started" + (f" (category of abuse: {category.lower()})." if category else ".")
        self.add(
            v.PLAN_STARTED,
            v.CHILD_PROTECTION,
            plan.start,
            summary,
            f"cp-plan:{started}",
            initial_category=plan.initial_category,
            latest_category=plan.latest_category,
            previous_plans=plan.previous_plans,
        )
        latest = _label(v.AbuseCategory, plan.latest_category) or plan.latest_category
        ended = "Child protection plan ended" + (f" (latest category of abuse: {latest.lower()})." if latest else ".")
        self.add(v.PLAN_ENDED, v.CHILD_PROTECTION, plan.end, ended, f"cp-plan:{started}:ended")
        for review in plan.reviews:
            self.add(
                v.CONFERENCE,
                v.REVIEW,
                review,
                "Review child protection conference.",
                f"cp-plan:{started}:review:{review.isoformat()}",
            )

    def closure(self) -> None:
        e = self.episode
        reason = _label(v.ClosureReason, e.closure_reason)
        summary = "Case closed" + (f": {reason.lower()} ({e.closure_reason})." if reason else ".")
        self.add(v.CIN_CLOSED, e.closure_reason, e.closure_date, summary, "closure")
        if e.initial_cpc is not None:
            # An initial conference given at the episode's level (not inside a Section47 module).
            self.add(
                v.CONFERENCE,
                v.INITIAL,
                e.initial_cpc,
                "Initial child protection conference.",
                "icpc",
                at_episode_level=True,
            )


def planned_entries(child: CensusChild) -> list[PlannedEntry]:
    """The chronology entries of one child's episodes, in the census's order."""
    entries: list[PlannedEntry] = []
    for episode in child.episodes:
        planner = _Planner(child, episode)
        planner.referral()
        planner.assessments()
        planner.cin_plans()
        for s47 in episode.section47s:
            planner.section47(s47)
        for plan in episode.plans:
            planner.plan(plan)
        planner.closure()
        entries.extend(planner.entries)
    return entries
