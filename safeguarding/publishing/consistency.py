"""Typed narrative against the live figures: before a report is generated, every sentence of its
editable text that names an action, a count of actions or a status is checked against the action
plan as it stands, and against the review's publication (docs/publishing.md "Checked against the
figures"). Each contradiction is listed for the person to confirm or edit; nothing is changed for them.

Also the sentences the figures themselves give (`figure_sentences`), which the person can insert.

What counts as "naming an action": its reference (AP-0001-A2, or A2), or two consecutive significant
words of its description ("neglect practice" of "…neglect practice guidance…"). Status words:
overdue / late / behind schedule; complete / completed / finished / delivered (not "will be
completed"); on track; at risk / off track; "not (yet) complete". Counts: "two actions are overdue",
"3 of 9 actions are complete", "3 out of 9 actions are complete", "all actions are complete".
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date

from safeguarding.actionplans.models import Action, ActionPlan
from safeguarding.actionplans.progress import Progress, plan_progress
from safeguarding.publishing.content import is_at_risk, status_with_rag
from safeguarding.publishing.enums import TEXT_FIELDS
from safeguarding.reviews.models import PracticeReview, Review

NUMBER_WORDS = {
    "no": 0,
    "none": 0,
    "zero": 0,
    "one": 1,
    "a single": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
STATUS_PATTERNS: dict[str, str] = {
    "open": r"\bnot\s+(?:yet\s+)?(?:been\s+)?(?:complete|completed|delivered|done|finished)\b|\bincomplete\b",
    "overdue": r"\boverdue\b|\blate\b|\bbehind\s+schedule\b|\bpast\s+(?:its|their)\s+due\s+date\b",
    # "will be completed", "being delivered" speak of what is still to come: no claim.
    "complete": r"(?<!not )(?<!not yet )(?<!in)(?<!be )(?<!being )\b(?:complete|completed|finished|delivered)\b",
    "on_track": r"\bon\s+track\b",
    "at_risk": r"\bat\s+risk\b|\boff\s+track\b",
}
STATUS_WORDS = {"open": "not complete", "overdue": "overdue", "complete": "complete", "on_track": "on track"}
STATUS_WORDS["at_risk"] = "at risk"
COUNT = re.compile(
    r"\b(?P<n>\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
    r"(?:\s+(?:out\s+)?of\s+(?:the\s+)?(?:\d+|\w+))?\s+(?:of\s+the\s+)?(?:\w+\s+)?actions?\s+"
    r"(?:(?:are|is|were|was|remain|remains|have\s+been|has\s+been|now)\s+)*(?:now\s+)?"
    r"(?P<status>overdue|late|complete|completed|delivered|on\s+track|at\s+risk)\b",
    re.IGNORECASE,
)
# "All actions are complete", "all six of the actions have been delivered", "every action is complete".
ALL_COMPLETE = re.compile(
    r"(?<!not )\b(?:all(?:\s+of)?(?:\s+the)?(?:\s+(?:\d+|\w+))?\s+actions|every\s+action)\s+"
    r"(?:(?:are|is|were|was|have\s+been|has\s+been|now)\s+)*(?:complete|completed|finished|delivered)\b",
    re.IGNORECASE,
)
PUBLISHED_REPORT = re.compile(r"\bpublished\s+(?:review\s+)?report\b|\bappendix\s+b\b", re.IGNORECASE)
STOP = frozenset(
    [
        "the",
        "and",
        "with",
        "from",
        "that",
        "this",
        "into",
        "their",
        "they",
        "them",
        "have",
        "been",
        "will",
        "which",
        "what",
        "when",
        "where",
        "while",
        "about",
        "after",
        "before",
        "every",
        "each",
        "more",
        "most",
        "other",
        "some",
        "such",
        "than",
        "then",
        "there",
        "these",
        "those",
        "through",
        "under",
        "until",
        "upon",
        "very",
        "should",
        "would",
        "could",
        "must",
        "also",
        "only",
        "over",
        "within",
        "without",
        "make",
        "makes",
        "made",
    ]
)
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
CLAUSE = re.compile(r"[;:,]|\s+(?:but|while|whereas)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Contradiction:
    field: str
    label: str
    quote: str
    says: str
    figures: str


@dataclass(frozen=True)
class Facts:
    today: date
    actions: tuple[Action, ...]
    counts: Progress
    at_risk: int
    published_on: date | None


def facts_for(plan: ActionPlan, review: Review, today: date) -> Facts:
    actions = tuple(plan.actions.select_related("plan").order_by("number"))
    practice = PracticeReview.objects.filter(review=review).first()
    return Facts(
        today=today,
        actions=actions,
        counts=plan_progress(plan, today, actions),
        at_risk=sum(1 for a in actions if is_at_risk(a, today)),
        published_on=practice.published_on if practice else None,
    )


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9'-]+", text.lower()) if len(w) >= 4 and w not in STOP]


def _bigrams(text: str) -> set[tuple[str, str]]:
    words = _words(text)
    return set(itertools.pairwise(words))


def _claims(text: str) -> set[str]:
    found = {status for status, pattern in STATUS_PATTERNS.items() if re.search(pattern, text, re.IGNORECASE)}
    if "open" in found:
        found.discard("complete")
    return found


def _by_reference(clause: str, actions: tuple[Action, ...]) -> list[Action]:
    return [a for a in actions if re.search(rf"\b(?:{re.escape(a.reference)}|A{a.number})\b", clause)]


def _named(clause: str, actions: tuple[Action, ...], by_reference: bool) -> list[Action]:
    """The actions a clause names: by reference when the sentence uses references (then only those),
    else by two consecutive significant words of their description."""
    if by_reference:
        return _by_reference(clause, actions)
    grams = _bigrams(clause)
    return [a for a in actions if grams & _bigrams(a.description)]


def _state(action: Action, today: date) -> set[str]:
    """Every status word true of the action now."""
    if action.is_complete:
        return {"complete"}
    state = {"open"}
    state.add("overdue" if action.is_overdue(today) else "on_track")
    if is_at_risk(action, today):
        state.discard("on_track")
        state.add("at_risk")
    return state


def _action_figures(action: Action, today: date) -> str:
    due = f"due {action.due_on:%d/%m/%Y}"
    note = ", overdue" if action.is_overdue(today) else ""
    return f"{action.reference} is {status_with_rag(action, today)}{note} ({due})."


def _check_actions(sentence: str, facts: Facts) -> list[tuple[str, str]]:
    """(says, figures) for each action the sentence names with a status the figures contradict."""
    out: list[tuple[str, str]] = []
    by_reference = bool(_by_reference(sentence, facts.actions))
    if by_reference:
        # "A2 (what it is)": what is in brackets describes the action and claims nothing.
        sentence = re.sub(r"\([^)]*\)", "", sentence)
    whole = _claims(sentence)
    for clause in CLAUSE.split(sentence):
        claims = _claims(clause) or (whole if len(whole) == 1 else set())
        for action in _named(clause, facts.actions, by_reference):
            wrong = sorted(claims - _state(action, facts.today))
            if wrong:
                says = f"It says {action.reference} ({action.description[:60]}…) is {STATUS_WORDS[wrong[0]]}."
                out.append((says, _action_figures(action, facts.today)))
    return out


def _count_now(status: str, facts: Facts) -> int:
    if status in ("overdue", "late"):
        return facts.counts.overdue
    if status.startswith("complete") or status == "delivered":
        return facts.counts.complete
    if status.startswith("at"):
        return facts.at_risk
    return facts.counts.total - facts.counts.complete - facts.counts.overdue - facts.at_risk


def _check_counts(sentence: str, facts: Facts) -> list[tuple[str, str]]:
    out = []
    for match in COUNT.finditer(sentence):
        raw = match.group("n").lower()
        said = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
        status = " ".join(match.group("status").lower().split())
        now = _count_now(status, facts)
        if said != now:
            out.append((f"It says {said} action{'s' if said != 1 else ''} {status}.", f"The figures: {now} {status}."))
    return out


def _check_all_complete(sentence: str, facts: Facts) -> list[tuple[str, str]]:
    total, complete = facts.counts.total, facts.counts.complete
    if ALL_COMPLETE.search(sentence) and complete != total:
        return [(f"It says all {total} actions complete.", f"The figures: {complete} complete.")]
    return []


def _check_published(sentence: str, facts: Facts) -> list[tuple[str, str]]:
    if facts.published_on is None and PUBLISHED_REPORT.search(sentence):
        return [("It refers to the published review report.", "The review is not yet published.")]
    return []


def check_text(values: dict[str, str], facts: Facts) -> list[Contradiction]:
    """Every contradiction between the typed text and the figures, in the order of the report."""
    found: list[Contradiction] = []
    for spec in TEXT_FIELDS:
        if spec.short:
            continue
        for sentence in SENTENCE.split(values.get(spec.key) or ""):
            sentence = sentence.strip().lstrip("-* ").strip()
            if not sentence:
                continue
            for says, figures in (
                _check_actions(sentence, facts)
                + _check_counts(sentence, facts)
                + _check_all_complete(sentence, facts)
                + _check_published(sentence, facts)
            ):
                found.append(Contradiction(spec.key, spec.label, sentence, says, figures))
    return found


def _count(n: int, noun: str = "action") -> str:
    words = {v: k for k, v in NUMBER_WORDS.items() if k not in ("no", "none", "zero", "a single")}
    number = "No" if n == 0 else words.get(n, str(n)).capitalize()
    return f"{number} {noun}{'s' if n != 1 else ''}"


def _listed(actions: list[Action]) -> str:
    return "; ".join(f"{a.reference} ({a.description.rstrip('.')})" for a in actions)


def figure_sentences(facts: Facts) -> list[str]:
    """Sentences that say what the figures say, ready to insert into the text."""
    c = facts.counts
    sentences = [
        f"The action plan has {c.total} action{'s' if c.total != 1 else ''}: {c.complete} complete "
        f"({c.percent_complete}%), {c.overdue} overdue and {facts.at_risk} at risk."
    ]
    overdue = [a for a in facts.actions if a.is_overdue(facts.today)]
    if overdue:
        verb = "is" if len(overdue) == 1 else "are"
        sentences.append(f"{_count(len(overdue))} {verb} overdue: {_listed(overdue)}.")
    at_risk = [a for a in facts.actions if is_at_risk(a, facts.today)]
    if at_risk:
        verb = "is" if len(at_risk) == 1 else "are"
        sentences.append(f"{_count(len(at_risk))} {verb} at risk: {_listed(at_risk)}.")
    complete = [a for a in facts.actions if a.is_complete]
    if complete:
        verb = "is" if len(complete) == 1 else "are"
        sentences.append(f"{_count(len(complete))} {verb} complete: {_listed(complete)}.")
    return sentences
