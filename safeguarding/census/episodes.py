"""A child's CIN episodes from children's social care's entries (docs/cin-census.md, "The XML mapping"):
`segment` cuts the agency's entries into episodes (a referral and what followed it, up to its
closure); `build` turns one into the census's CINdetails module for a census year."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from safeguarding.census import codes, derive
from safeguarding.census.records import Episode
from safeguarding.census.years import CensusYear

if TYPE_CHECKING:
    from safeguarding.census.models import CensusDetail

# A referral another agency made this many days before social care's decision is the one decided.
REFERRAL_WINDOW = timedelta(days=14)
ACTIVITY = frozenset(
    {
        codes.ASSESSMENT_STARTED,
        codes.ASSESSMENT_COMPLETED,
        codes.SECTION_47,
        codes.CONFERENCE,
        codes.PLAN_STARTED,
        codes.PLAN_ENDED,
    }
)


@dataclass(frozen=True)
class Entry:
    """One of the agency's current entries about the child, as the census reads it."""

    day: date
    code: str
    category: str
    detail: CensusDetail | None = None


@dataclass
class Holdings:
    """What the Hub holds about one child that the census reads."""

    entries: list[Entry]  # the exporting agency's, in date order
    referrals_in: list[tuple[date, str]] = field(default_factory=list)  # other agencies' referrals: (day, kind)
    signals: list[derive.Signal] = field(default_factory=list)
    involvements: list[tuple[date, date | None]] = field(default_factory=list)  # the agency's, (start, end)


@dataclass
class RawEpisode:
    referral: date
    referral_entry: Entry | None = None
    outcome: Entry | None = None
    source_kind: str | None = None
    closure: date | None = None
    closure_reason: str = ""
    closed_by_entry: bool = False
    entries: list[Entry] = field(default_factory=list)

    @property
    def nfa_outcome(self) -> bool:
        return self.outcome is not None and self.outcome.category == codes.NFA

    def has_activity(self) -> bool:
        return any(e.code in ACTIVITY for e in self.entries)

    def over_by(self, day: date) -> bool:
        """Whether an entry on `day` comes after this episode ended."""
        if self.closure is not None and day > self.closure:
            return True
        return self.nfa_outcome and not self.has_activity() and self.outcome is not None and day > self.outcome.day


def _involvement_end(holdings: Holdings, referral: date) -> date | None:
    """The end of the agency's involvement this referral belongs to (None: it has not ended)."""
    covering = [
        (start, end)
        for start, end in holdings.involvements
        if start <= referral + REFERRAL_WINDOW and (end is None or end >= referral)
    ]
    if not covering:
        return None
    _start, end = max(covering, key=lambda pair: pair[0])
    return end


def _open(holdings: Holdings, day: date, **kwargs: object) -> RawEpisode:
    episode = RawEpisode(referral=day, **kwargs)  # type: ignore[arg-type]
    episode.closure = _involvement_end(holdings, day)
    return episode


def _referral_in(holdings: Holdings, decided: date, after: date | None) -> tuple[date, str] | None:
    found = [
        (day, kind)
        for day, kind in holdings.referrals_in
        if decided - REFERRAL_WINDOW <= day <= decided and (after is None or day > after)
    ]
    return max(found) if found else None


def segment(holdings: Holdings, reference: date) -> list[RawEpisode]:
    episodes: list[RawEpisode] = []
    current: RawEpisode | None = None
    for entry in holdings.entries:
        if entry.day > reference:
            break
        ended = current is None or current.over_by(entry.day)
        if entry.code == codes.REFERRAL and ended:
            current = _open(holdings, entry.day, referral_entry=entry)
            episodes.append(current)
        elif entry.code == codes.REFERRAL_OUTCOME and ended:
            previous = current.closure if current is not None else None
            found = _referral_in(holdings, entry.day, previous)
            day, kind = found if found else (entry.day, None)
            current = _open(holdings, day, outcome=entry, source_kind=kind)
            episodes.append(current)
        elif current is None or ended:
            continue  # outside every episode
        elif entry.code == codes.REFERRAL_OUTCOME and current.outcome is None:
            current.outcome = entry
        elif entry.code == codes.CIN_CLOSED:
            current.closure, current.closure_reason, current.closed_by_entry = entry.day, entry.category, True
        else:
            current.entries.append(entry)
    return episodes


def build(raw: RawEpisode, holdings: Holdings, year: CensusYear) -> Episode | None:
    """The episode's CINdetails for the census year, or None when it falls outside it."""
    from safeguarding.census import modules

    start, reference = year.collection_start, year.reference_date
    closure = raw.closure if raw.closure is not None and raw.closure <= reference else None
    if raw.referral > reference or (raw.closure is not None and raw.closure < start):
        return None
    detail = raw.referral_entry.detail if raw.referral_entry else None
    nfa = detail.referral_nfa if detail and detail.referral_nfa is not None else raw.nfa_outcome
    nfa = bool(nfa) and not raw.has_activity()
    decided = raw.outcome.day if raw.outcome is not None else raw.referral
    if nfa and decided < start:
        return None  # a referral with no further action, decided before the year: not in its return
    episode = Episode(referral=raw.referral, nfa=nfa, closure=closure)
    episode.source = _source(raw)
    if closure is not None:
        episode.closure_reason = raw.closure_reason if raw.closed_by_entry else ""
    modules.fill(episode, raw, holdings, year)
    if closure is not None and not episode.closure_reason:
        episode.closure_reason = _closure_reason(episode)
    episode.primary_need = (detail.primary_need if detail else "") or _primary_need(episode, raw, holdings)
    return episode


def _source(raw: RawEpisode) -> str:
    category = raw.referral_entry.category if raw.referral_entry else ""
    if category in codes.ReferralSource.values:
        return category
    return derive.referral_source(raw.source_kind)


def _closure_reason(episode: Episode) -> str:
    """Closed when the involvement ended, with no closure entry: after an assessment and nothing
    more, RC8 (closed after assessment, no further action); otherwise RC7 (services ceased)."""
    assessed = any(a.authorised for a in episode.assessments)
    if assessed and not (episode.cin_plans or episode.section47s or episode.cp_plans):
        return codes.ClosureReason.RC8.value
    return codes.ClosureReason.RC7.value


def _primary_need(episode: Episode, raw: RawEpisode, holdings: Holdings) -> str:
    if episode.section47s or episode.cp_plans:
        return codes.PrimaryNeed.N1.value
    return codes.PrimaryNeed.N0.value
