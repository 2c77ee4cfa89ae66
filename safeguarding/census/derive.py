"""Census codes the Hub does not store, derived from what it holds (docs/cin-census.md, "Derived
codes"). Used by the exporter only when an entry's census details do not say."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from safeguarding.agencies.enums import AgencyKind
from safeguarding.census.codes import AbuseCategory, AssessmentFactor, ReferralSource

# Entries this long before a referral can still say what the assessment found (factors, categories).
LOOK_BACK = timedelta(days=365)

# The referring agency's kind → the census's source of referral.
SOURCE_BY_KIND = {
    AgencyKind.SCHOOL: ReferralSource.SCHOOLS,
    AgencyKind.EARLY_YEARS: ReferralSource.EDUCATION,
    AgencyKind.HEALTH: ReferralSource.OTHER_HEALTH,
    AgencyKind.MENTAL_HEALTH: ReferralSource.OTHER_HEALTH,
    AgencyKind.GP: ReferralSource.GP,
    AgencyKind.POLICE: ReferralSource.POLICE,
    AgencyKind.HOUSING: ReferralSource.HOUSING,
    AgencyKind.EARLY_HELP: ReferralSource.EARLY_HELP,
    AgencyKind.CHILDRENS_SOCIAL_CARE: ReferralSource.LA_SOCIAL_CARE,
    AgencyKind.PROBATION: ReferralSource.LEGAL,
    AgencyKind.YOUTH_JUSTICE: ReferralSource.LEGAL,
}


@dataclass(frozen=True)
class Signal:
    """An entry of any agency about the child that says something the census codes: a concern's
    category, an injury, a domestic abuse incident, a missing episode."""

    day: date
    type_code: str
    category: str


# (type, category) → (assessment factor, category of abuse); "" category: any.
_SIGNALS: dict[tuple[str, str], tuple[str, str]] = {
    ("concern_raised", "neglect"): (AssessmentFactor.NEGLECT, AbuseCategory.NEG),
    ("concern_raised", "hygiene"): (AssessmentFactor.NEGLECT, AbuseCategory.NEG),
    ("concern_raised", "home_conditions"): (AssessmentFactor.NEGLECT, AbuseCategory.NEG),
    ("concern_raised", "emotional"): (AssessmentFactor.EMOTIONAL_ABUSE, AbuseCategory.EMO),
    ("concern_raised", "physical"): (AssessmentFactor.PHYSICAL_ABUSE_ADULT, AbuseCategory.PHY),
    ("concern_raised", "sexual"): (AssessmentFactor.SEXUAL_ABUSE_ADULT, AbuseCategory.SAB),
    ("concern_raised", "domestic_abuse"): (AssessmentFactor.DOMESTIC_ABUSE_PARENT, AbuseCategory.EMO),
    ("concern_raised", "parental_mental_health"): (AssessmentFactor.MENTAL_HEALTH_PARENT, ""),
    ("concern_raised", "substance_misuse"): (AssessmentFactor.DRUGS_PARENT, ""),
    ("injury", ""): (AssessmentFactor.PHYSICAL_ABUSE_ADULT, AbuseCategory.PHY),
    ("police_domestic_abuse_incident", ""): (AssessmentFactor.DOMESTIC_ABUSE_PARENT, AbuseCategory.EMO),
    ("missing_episode", ""): (AssessmentFactor.MISSING, ""),
}
SIGNAL_TYPES = frozenset(type_code for type_code, _ in _SIGNALS)


def _coded(signal: Signal) -> tuple[str, str] | None:
    return _SIGNALS.get((signal.type_code, signal.category)) or _SIGNALS.get((signal.type_code, ""))


def _between(signals: Iterable[Signal], start: date, end: date) -> list[tuple[str, str]]:
    return [coded for s in signals if start <= s.day <= end and (coded := _coded(s)) is not None]


def factors(signals: Iterable[Signal], start: date, end: date) -> list[str]:
    """The factors the entries between `start` and `end` show, in the code list's order; none: 21."""
    found = {factor for factor, _ in _between(signals, start, end)}
    ordered = [code for code in AssessmentFactor.values if code in found]
    return ordered or [AssessmentFactor.NONE.value]


def abuse_category(signals: Iterable[Signal], start: date, end: date) -> str:
    """The category seen most between `start` and `end` (neglect first on a tie); none seen: neglect.
    Never MUL, which is not used for new plans."""
    counts = Counter(category for _, category in _between(signals, start, end) if category)
    if not counts:
        return AbuseCategory.NEG.value
    order = [AbuseCategory.NEG, AbuseCategory.PHY, AbuseCategory.EMO, AbuseCategory.SAB]
    return max(order, key=lambda c: (counts.get(c.value, 0), -order.index(c))).value


def referral_source(kind: str | None) -> str:
    if kind is None:
        return ReferralSource.UNKNOWN.value
    return SOURCE_BY_KIND.get(kind, ReferralSource.OTHER).value  # type: ignore[call-overload]
