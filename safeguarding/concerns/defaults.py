"""The default rule pack (shared/domain.md §3), shipped as data: the data migrations and
`install_defaults()` (idempotent: a rule the partnership already has, edited or not, is left alone).

`0002_default_rules` installs the pack switched on, except the rules in `PREVIEW_FIRST`, which every
install (new or existing, `0003_gap_rule` on an existing one) ships switched off for the partnership
to preview on its own data and switch on at /alerts/rules/:
- `long-gap-no-contact` would raise an alert, at the next nightly scan, for every child whose last
  recorded contact is more than six months old, closed cases and imported history included; and it
  reads every contact entry, so switching it on roughly doubles the nightly scan's time (docs/concerns.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

CONCERN_TAGS = ["neglect", "concern", "domestic_abuse", "physical"]
# Entries that mean a professional saw the child (the default vocabulary): a home visit, a health
# visitor contact, a health appointment the child was brought to, a GP consultation, an emergency
# department attendance, a school's attendance figure for a term. Not: a no-access visit, "was not
# brought", a police attendance, a referral or a concern raised (the child may not have been seen).
SEEN_TYPES = [
    "home_visit",
    "health_visitor_contact",
    "health_appointment_attended",
    "gp_consultation",
    "emergency_department_attendance",
    "school_attendance",
]
GAP_RULE = "long-gap-no-contact"
PREVIEW_FIRST = frozenset({GAP_RULE})
NEGLECT_SIGNALS = {
    "tags": ["neglect"],
    "types": ["concern_raised:neglect", "concern_raised:hygiene", "concern_raised:home_conditions"],
}

RULES: list[dict[str, Any]] = [
    {
        "code": "repeated-was-not-brought",
        "name": "Repeatedly not brought to health appointments",
        "explanation": (
            "The child was not brought to three or more health appointments within twelve months. A child "
            "missing appointments is the carer's failure, not the child's, and repeated misses are a neglect signal."
        ),
        "severity": "medium",
        "kind": "count_in_window",
        "parameters": {"types": ["was_not_brought"], "count": 3, "within_days": 365},
        "notifies": ["lead_professional", "safeguarding_lead"],
    },
    {
        "code": "neglect-several-agencies",
        "name": "Neglect signals from several agencies",
        "explanation": (
            "Three or more agencies recorded neglect signals (missed appointments, school absence, hygiene or "
            "home-conditions concerns, housing complaints) within six months. No single signal crosses a "
            "threshold; together they may show persistent neglect."
        ),
        "severity": "high",
        "kind": "spread_across_agencies",
        "parameters": {**NEGLECT_SIGNALS, "agencies": 3, "within_days": 183},
        "notifies": ["lead_professional", "safeguarding_lead"],
    },
    {
        "code": "start-again",
        "name": "Referral closed with no further action, then new neglect concerns",
        "explanation": (
            "A referral to children's social care was closed with no further action and a new neglect concern "
            "followed within twelve months. Each new referral risks being assessed afresh with its history lost "
            '("start-again syndrome").'
        ),
        "severity": "high",
        "kind": "sequence",
        "parameters": {
            "first": {"types": ["referral_outcome"], "categories": ["nfa"]},
            "then": NEGLECT_SIGNALS,
            "within_days": 365,
        },
        "notifies": ["lead_professional", "safeguarding_lead"],
    },
    {
        "code": "closed-non-engagement-concerns-continue",
        "name": "Early help closed for non-engagement, then concerns continue",
        "explanation": (
            "Early help was closed because the family did not engage, and agencies recorded further concerns "
            "within six months: the help ended but the worries did not. Look again at whether the threshold "
            "for a referral to children's social care is met."
        ),
        "severity": "high",
        "kind": "sequence",
        "parameters": {
            "first": {"types": ["early_help_closed_non_engagement"]},
            "then": {"tags": CONCERN_TAGS},
            "within_days": 183,
        },
        "notifies": ["lead_professional", "safeguarding_lead"],
    },
    {
        "code": "wnb-during-cp-plan",
        "name": "Not brought to a health appointment during a child protection plan",
        "explanation": (
            "The child was not brought to a health appointment while a child protection plan was in place. "
            "A missed appointment matters most when the child already has a plan."
        ),
        "severity": "high",
        "kind": "state_plus_event",
        "parameters": {
            "opens": {"types": ["plan_started"], "categories": ["child_protection"]},
            "closes": {"types": ["plan_ended"], "categories": ["child_protection"]},
            "event": {"types": ["was_not_brought"]},
        },
        "notifies": ["lead_professional", "safeguarding_lead", "manager"],
    },
    {
        "code": "low-school-attendance",
        "name": "School attendance below 90%",
        "explanation": (
            "The school recorded attendance below 90% (persistent absence). Absence can be a sign of neglect or "
            "of caring responsibilities at home."
        ),
        "severity": "low",
        "kind": "value_threshold",
        "parameters": {"types": ["school_attendance"], "below": 90},
        "notifies": ["safeguarding_lead"],
    },
    {
        "code": "repeated-domestic-abuse-callouts",
        "name": "Repeated police call-outs for domestic abuse",
        "explanation": (
            "The police attended three or more domestic abuse incidents at the child's home within twelve "
            "months. Living with domestic abuse harms children even when they are not the target."
        ),
        "severity": "high",
        "kind": "count_in_window",
        "parameters": {"types": ["police_domestic_abuse_incident"], "count": 3, "within_days": 365},
        "notifies": ["lead_professional", "safeguarding_lead"],
    },
    {
        "code": "objective-overdue-concerns-continue",
        "name": "Plan objective overdue while concerns continue",
        "explanation": (
            "An objective in the child's plan became overdue and agencies recorded further concerns within 60 "
            "days. The plan may not be making the difference it should."
        ),
        "severity": "medium",
        "kind": "sequence",
        "parameters": {
            "first": {"types": ["plan_objective_overdue"]},
            "then": {"tags": CONCERN_TAGS},
            "within_days": 60,
        },
        "notifies": ["lead_professional"],
    },
    {
        "code": GAP_RULE,
        "name": "No agency has seen the child for 6 months",
        "explanation": (
            "No agency recorded seeing the child for more than six months (183 days). Seeing the child means a "
            "home visit, a health visitor contact, a health appointment the child was brought to, a GP "
            "consultation, an emergency department attendance or a school attendance figure for a term. A "
            "no-access visit, a missed appointment, a police call-out, a referral or a concern reported about "
            "the child does not count: the child may not have been seen. Long periods when no professional sees "
            "a child are a recurring finding of practice reviews.\n\n"
            "The gap counts from the last time an agency saw the child: a child nobody has recorded seeing at all "
            "does not raise it. The alert shows the last entry before the gap and, once someone sees the child "
            "again, the entry that ended it. A gap still going on is found by the nightly scan, not when an "
            "entry is recorded, so the alert may arrive up to a day after the gap reached six months."
        ),
        "severity": "medium",
        "kind": "gap",
        "parameters": {"types": SEEN_TYPES, "days": 183},
        "notifies": ["lead_professional", "safeguarding_lead"],
    },
]


def install(rule_model: Any, *, codes: Sequence[str] | None = None, active: bool = True) -> int:
    """Create the default rules (or those in `codes`) missing from `rule_model`'s table (the real or
    a migration's model), switched on unless `active` is false or the rule is one to preview first."""
    from safeguarding.core.restriction import encode_roles

    created = 0
    for values in RULES:
        if codes is not None and values["code"] not in codes:
            continue
        if rule_model.objects.filter(code=values["code"]).exists():
            continue
        rule_model.objects.create(
            **{
                **values,
                "notifies": encode_roles(values["notifies"]),
                "is_active": active and values["code"] not in PREVIEW_FIRST,
            }
        )
        created += 1
    return created


def install_defaults() -> None:
    from safeguarding.concerns.models import Rule

    install(Rule)
