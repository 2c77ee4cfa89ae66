"""The statutory regime of a practice review, by its kind and the date it was decided: one table that
every generated text (committee report prefill, legal sections, the review page) reads.

Two regimes (docs/reviews.md "Regime by date"):
- **LSCB** — a serious case review decided by the Local Safeguarding Children Board under the Children
  Act 2004 (sections 13–14, with 14B on the supply of information) and regulation 5 of the Local
  Safeguarding Children Boards Regulations 2006 (SI 2006/90, in force 1 April 2006). No rapid review:
  the LSCB decided whether the case met the serious case review criteria. Possible until the LSCB
  ended in the area, on 29 September 2019 at the latest (the end of the transition to the new
  arrangements).
- **Partners** — a rapid review and a local child safeguarding practice review by the three
  safeguarding partners under the Children Act 2004, sections 16B–16C (the national Panel; notifying
  it) and 16E–16F (the partners; local reviews), and the Child Safeguarding Practice Review and
  Relevant Agency (England) Regulations 2018 (SI 2018/789). Possible from the day the area's new
  arrangements began: 29 June 2018 at the earliest nationally, or the partnership's own start date
  (setting `PARTNERSHIP_ARRANGEMENTS_BEGAN_ON`).

The guidance edition follows the date of the decision: Working Together 2010 / 2013 / 2015 for LSCB
reviews (2015 as kept in force for LSCBs by the 2018 transitional guidance), Working Together 2018
for partners' reviews decided before 15 December 2023, Working Together 2023 from that day.

Interface for other modules: `regime_for(kind, decided_on)`, `of_review(review)` (a `ReviewRegime`
or None before the decision), `check_decision(kind, decided_on)` (a ValidationError naming the
field), `RULES[regime]` and `guidance_for(regime, decided_on)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from safeguarding.core.dates import long_date
from safeguarding.reviews.enums import ReviewKind

if TYPE_CHECKING:
    from safeguarding.reviews.models import PracticeReview, Review

# The LSCB Regulations 2006 came into force on 1 April 2006 (reg. 1).
LSCB_REGULATIONS_FROM = date(2006, 4, 1)
# SI 2018/789 and the new arrangements could begin from 29 June 2018 (the earliest area start date).
NEW_ARRANGEMENTS_EARLIEST = date(2018, 6, 29)
# Every area had moved to the new arrangements by 29 September 2019: the last day an LSCB existed.
LSCB_LAST_DAY = date(2019, 9, 29)
# Working Together 2023 came into force on 15 December 2023.
WORKING_TOGETHER_2023_FROM = date(2023, 12, 15)


class Regime(models.TextChoices):
    LSCB = "lscb", "Local Safeguarding Children Board (Regulations 2006)"
    PARTNERS = "partners", "Safeguarding partners (Regulations 2018)"


@dataclass(frozen=True)
class Guidance:
    """An edition of the statutory guidance and the chapter on reviews."""

    title: str
    in_force_from: date
    chapter: str

    @property
    def citation(self) -> str:
        return f"{self.title} ({self.chapter})"


@dataclass(frozen=True)
class Rules:
    """What a regime is called and rests on, as the generated texts say it."""

    regime: Regime
    decider: str  # "the LSCB", "the safeguarding partners"
    decider_full: str
    review_name: str  # the kind of review this regime holds for serious cases
    legal_basis: str  # the statutes and regulations, in one sentence fragment
    legal_short: str
    has_rapid_review: bool
    notified_to: str  # who the local authority notified of a serious incident
    guidance: tuple[Guidance, ...]  # newest last


RULES: dict[Regime, Rules] = {
    Regime.LSCB: Rules(
        regime=Regime.LSCB,
        decider="the LSCB",
        decider_full="the Local Safeguarding Children Board (LSCB)",
        review_name="serious case review",
        legal_basis=(
            "sections 13 and 14 of the Children Act 2004 (with section 14B, the supply of information to the "
            "LSCB) and regulation 5 of the Local Safeguarding Children Boards Regulations 2006 (SI 2006/90)"
        ),
        legal_short="Children Act 2004, s.14B; LSCB Regulations 2006, reg. 5",
        has_rapid_review=False,
        notified_to="Ofsted and the Department for Education",
        guidance=(
            Guidance("Working Together to Safeguard Children 2010", date(2010, 3, 26), "chapter 8"),
            Guidance("Working Together to Safeguard Children 2013", date(2013, 4, 15), "chapter 4"),
            Guidance("Working Together to Safeguard Children 2015", date(2015, 3, 26), "chapter 4"),
        ),
    ),
    Regime.PARTNERS: Rules(
        regime=Regime.PARTNERS,
        decider="the safeguarding partners",
        decider_full="the three safeguarding partners (the local authority, the police and health)",
        review_name="local child safeguarding practice review",
        legal_basis=(
            "sections 16B to 16C and 16E to 16F of the Children Act 2004 and the Child Safeguarding Practice "
            "Review and Relevant Agency (England) Regulations 2018 (SI 2018/789)"
        ),
        legal_short="Children Act 2004, ss.16B–16C and 16E–16F; SI 2018/789",
        has_rapid_review=True,
        notified_to="the national Child Safeguarding Practice Review Panel",
        guidance=(
            Guidance("Working Together to Safeguard Children 2018", NEW_ARRANGEMENTS_EARLIEST, "chapter 4"),
            Guidance("Working Together to Safeguard Children 2023", WORKING_TOGETHER_2023_FROM, "chapter 5"),
        ),
    ),
}


def arrangements_began() -> date | None:
    """The day this partnership's safeguarding arrangements began (None: not configured)."""
    value = getattr(settings, "PARTNERSHIP_ARRANGEMENTS_BEGAN_ON", None)
    return value if isinstance(value, date) else None


def partners_from() -> date:
    """The first day the safeguarding partners could decide a review here."""
    return arrangements_began() or NEW_ARRANGEMENTS_EARLIEST


def lscb_until() -> date:
    """The last day the LSCB could decide a serious case review here."""
    began = arrangements_began()
    return min(LSCB_LAST_DAY, began - timedelta(days=1)) if began else LSCB_LAST_DAY


def regime_for(kind: str, decided_on: date) -> Regime:
    """A serious case review is the LSCB's; a local practice review the partners'; another learning
    review is the LSCB's if decided before the partners' arrangements began, else the partners'."""
    if kind == ReviewKind.SCR:
        return Regime.LSCB
    if kind == ReviewKind.LCSPR:
        return Regime.PARTNERS
    return Regime.LSCB if decided_on < partners_from() else Regime.PARTNERS


def guidance_for(regime: Regime, decided_on: date) -> Guidance:
    """The edition in force on the day of the decision (the earliest edition for earlier dates)."""
    editions = RULES[regime].guidance
    current = editions[0]
    for edition in editions:
        if decided_on >= edition.in_force_from:
            current = edition
    return current


def check_decision(kind: str, decided_on: date) -> None:
    """Refuse a kind that the law did not allow on that date (a ValidationError on `decided_on`)."""
    if kind == ReviewKind.SCR:
        if decided_on < LSCB_REGULATIONS_FROM:
            raise ValidationError(
                {
                    "decided_on": (
                        "Serious case reviews under the Local Safeguarding Children Boards Regulations 2006 began "
                        f"on {long_date(LSCB_REGULATIONS_FROM)}. Enter a decision on or after that date."
                    )
                }
            )
        last = lscb_until()
        if decided_on > last:
            reason = (
                f"this partnership's safeguarding arrangements began on {long_date(partners_from())}"
                if arrangements_began() and last < LSCB_LAST_DAY
                else f"LSCBs ended on {long_date(LSCB_LAST_DAY)} at the latest"
            )
            raise ValidationError(
                {
                    "decided_on": (
                        f"A serious case review was decided by the LSCB, and {reason}. A review decided on "
                        f"{long_date(decided_on)} is a local child safeguarding practice review decided by the "
                        "safeguarding partners: choose that kind."
                    )
                }
            )
    elif kind == ReviewKind.LCSPR and decided_on < partners_from():
        began = arrangements_began()
        start = (
            f"this partnership's safeguarding arrangements began on {long_date(began)}"
            if began
            else f"the new safeguarding arrangements began on {long_date(NEW_ARRANGEMENTS_EARLIEST)} at the earliest"
        )
        raise ValidationError(
            {
                "decided_on": (
                    f"Local child safeguarding practice reviews are decided by the safeguarding partners, and {start} "
                    f"(SI 2018/789). A review decided on {long_date(decided_on)} was a serious case review decided by "
                    "the LSCB: record it as one."
                )
            }
        )


@dataclass(frozen=True)
class ReviewRegime:
    """A practice review's regime, with what its texts say."""

    regime: Regime
    kind: str
    decided_on: date
    rules: Rules
    guidance: Guidance

    @property
    def is_lscb(self) -> bool:
        return self.regime == Regime.LSCB

    @property
    def decider(self) -> str:
        return self.rules.decider

    @property
    def review_name(self) -> str:
        """What this review is called in prose: its kind's own name."""
        return str(ReviewKind(self.kind).label).replace(" (before 2018)", "").lower()

    @property
    def legal_sentence(self) -> str:
        return f"{self.review_name.capitalize()} decided by {self.rules.decider} under {self.rules.legal_basis}."

    @property
    def guidance_sentence(self) -> str:
        sentence = self.guidance.citation
        if self.is_lscb and self.decided_on >= NEW_ARRANGEMENTS_EARLIEST:
            sentence += ", as kept in force for LSCBs by the Working Together transitional guidance (2018)"
        return sentence


def of(kind: str, decided_on: date) -> ReviewRegime:
    regime = regime_for(kind, decided_on)
    return ReviewRegime(regime, kind, decided_on, RULES[regime], guidance_for(regime, decided_on))


def of_practice(practice: PracticeReview) -> ReviewRegime:
    return of(practice.kind, practice.decided_on)


def of_review(review: Review) -> ReviewRegime | None:
    """The review's regime once the practice review is decided (None before)."""
    from safeguarding.reviews.models import PracticeReview

    try:
        return of_practice(review.practice_review)
    except PracticeReview.DoesNotExist:
        return None
