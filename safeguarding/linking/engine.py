"""Probabilistic child-record linkage: Splink 5 on an in-memory DuckDB, plus guards in Python.

Pure Python (no Django). `default_model()` is a usable model with prior m and u values;
`train()` re-estimates u by random sampling and m by expectation maximisation on the Hub's own
records; `find_pairs()` scores candidate pairs; `band()` turns a scored pair into what the
linkage may do with it. Names are compared on a normalised form (`normalise_name`).

The guards run after Splink's score, because the model adds up independent evidence and cannot
express "these two agree on everything except the thing that tells twins apart":
- both NHS numbers present and different: probability 0, never linked;
- twins (same date of birth, surnames that agree — equal, or a misspelling of one another — and first
  names that do not, by a stricter test than the model's: `_Features.first_names_agree`): never
  linked automatically;
- dates of birth both present and different, with no shared NHS number or agency reference: never
  linked automatically (a possible match at most);
- siblings: as twins, but with a date of birth missing (and no shared NHS number or reference),
  so that a brother or sister at the same address is never linked automatically either.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import jellyfish
import pyarrow as pa
from splink import DuckDBAPI, Linker
from splink.internals.exceptions import SplinkException

NICKNAMES_CSV = Path(__file__).resolve().parent / "data" / "nicknames.csv"

# The prior probability that two records picked at random are the same child. At import time a
# new record is compared with each existing child: with tens of thousands of children, and most
# incoming children already known, about 1 in 10,000 pairs. Training leaves it alone (EM's own
# estimate depends on how many duplicates the training records happen to hold).
PROBABILITY_TWO_RANDOM_RECORDS_MATCH = 1e-4

FIRST_NAME_SIMILAR = 0.92  # Jaro-Winkler: Jon/John, Ryan/Rian
FIRST_NAME_LOOSE = 0.8
SURNAME_SIMILAR = 0.9

GUARD_NHS = "different NHS numbers"
GUARD_TWINS = "twins"
GUARD_DOB = "different dates of birth"
GUARD_SIBLINGS = "siblings"  # like twins, but a date of birth is missing

# Random sampling for u: enough pairs for the rarer levels (a date of birth agrees about once in
# 6,500 random pairs), small enough to train in seconds.
U_MAX_PAIRS = 2e6
# On fewer records random sampling and EM estimate noise (EM even "finds" matches among 50
# strangers born on one day): the prior stays.
MIN_RECORDS_TO_TRAIN = 1000
# How many blocked pairs an EM rule needs before its estimates mean anything.
MIN_PAIRS_FOR_EM = 100
# A level's estimate is kept only from this up to 1; below it (or missing) the prior is used.
MIN_PROBABILITY = 1e-6
# Records of one child agree exactly on each field far more often than this (0.85-0.99):
# an estimate below it is EM gone wrong (see _with_prior_fallbacks).
PLAUSIBLE_M_SAME = 0.75

# Expectation maximisation over two blocking rules: each one trains the comparisons it does not use.
EM_BLOCKING_RULES = (
    "l.dob = r.dob",
    "l.first_name = r.first_name AND l.surname = r.surname",
)

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PersonRecord:
    key: str  # e.g. "c:123" (an existing child) or "n:7" (an incoming record)
    first_name: str
    last_name: str
    date_of_birth: date | None
    nhs_number: str = ""  # 10 digits or ""
    postcode: str = ""  # normalised upper, no spaces, or ""
    references: tuple[str, ...] = ()  # agency child identifiers as "AGENCYCODE:REF" (UPN, LA ID…)
    sex: str = ""  # carried for callers; not compared


@dataclass(frozen=True)
class ScoredPair:
    left: str  # the lower key of the two
    right: str
    probability: float  # Splink's match probability, after the guards
    weight: float  # Splink's match weight (before the guards)
    reasons: dict[str, str]  # per field, how it agreed: {"first name": "nickname (Tom / Thomas)"}
    guard: str  # "" or why it may never be linked automatically (GUARD_*)


# --- The model: comparisons, levels and their prior m and u ---------------------------------------


class _Level(NamedTuple):
    label: str  # label_for_charts in the model JSON; also how `reasons` names the level
    sql: str
    m: float
    u: float


class _Comparison(NamedTuple):
    column: str  # output_column_name in the model JSON
    field: str  # the field's name in `reasons`
    levels: tuple[_Level, ...]  # most alike first, ELSE last; the null level comes before them
    null_sql: str = ""  # default: either side NULL


_JW_FIRST = "jaro_winkler_similarity(first_name_l, first_name_r)"
_JW_SURNAME = "jaro_winkler_similarity(surname_l, surname_r)"
# fmt: off
_COMPARISONS = (
    _Comparison("first_name", "first name", (
        _Level("same", "first_name_l = first_name_r", 0.85, 0.008),
        _Level("nickname", "list_has_any(first_groups_l, first_groups_r)", 0.07, 0.002),
        _Level("similar spelling", f"{_JW_FIRST} >= {FIRST_NAME_SIMILAR}", 0.04, 0.003),
        _Level("loosely similar", f"{_JW_FIRST} >= {FIRST_NAME_LOOSE}", 0.02, 0.03),
        _Level("different", "ELSE", 0.02, 0.957),
    )),
    _Comparison("surname", "surname", (
        _Level("same", "surname_l = surname_r", 0.85, 0.004),
        _Level("one part of a double surname", "list_has_any(surname_parts_l, surname_parts_r)", 0.04, 0.0005),
        _Level("sounds alike", "surname_code_l = surname_code_r", 0.05, 0.002),
        _Level("similar spelling", f"{_JW_SURNAME} >= {SURNAME_SIMILAR}", 0.03, 0.004),
        _Level("different", "ELSE", 0.03, 0.9895),
    )),
    _Comparison("dob", "date of birth", (
        _Level("same", "dob_l = dob_r", 0.93, 0.00015),
        _Level("day and month swapped", "dob_l = dob_swapped_r", 0.02, 0.00005),
        _Level("one digit different", "damerau_levenshtein(dob_l, dob_r) <= 1", 0.025, 0.002),
        _Level("same year and month", "substr(dob_l, 1, 7) = substr(dob_r, 1, 7)", 0.01, 0.005),
        _Level("different", "ELSE", 0.015, 0.99280),
    )),
    _Comparison("nhs_number", "NHS number", (
        _Level("same", "nhs_number_l = nhs_number_r", 0.99, 0.00001),
        _Level("different", "ELSE", 0.01, 0.99999),
    )),
    _Comparison("postcode", "postcode", (
        _Level("same", "postcode_l = postcode_r", 0.7, 0.0005),
        _Level("different", "ELSE", 0.3, 0.9995),
    )),
    # Only references from an agency both records have are comparable: a school's UPN says
    # nothing against a social care LA ID.
    _Comparison("refs", "agency reference", (
        _Level("shared", "list_has_any(refs_l, refs_r)", 0.97, 0.00001),
        _Level("different", "ELSE", 0.03, 0.99999),
    ), null_sql="refs_l IS NULL OR refs_r IS NULL OR NOT list_has_any(ref_agencies_l, ref_agencies_r)"),
)
# fmt: on

_BLOCKING_RULES: tuple[dict[str, Any], ...] = (
    {"blocking_rule": "l.dob = r.dob"},
    {"blocking_rule": "l.dob = r.dob_swapped"},
    {"blocking_rule": "l.nhs_number = r.nhs_number"},
    {"blocking_rule": "l.surname_code = r.surname_code AND l.birth_year = r.birth_year"},
    {"blocking_rule": "l.postcode = r.postcode"},
    {"blocking_rule": "l.refs = r.refs", "arrays_to_explode": ["refs"]},
    # A date of birth that is missing, or wrong in its year, leaves the names to find a record by.
    {"blocking_rule": "l.first_name = r.first_name AND l.surname_code = r.surname_code"},
)


_LEVEL_KEYS = ("label_for_charts", "sql_condition", "m_probability", "u_probability")  # _Level's fields


def default_model() -> dict[str, Any]:
    """Splink's model JSON with prior m and u values: usable before any training."""
    comparisons = []
    for c in _COMPARISONS:
        null_sql = c.null_sql or f"{c.column}_l IS NULL OR {c.column}_r IS NULL"
        levels = [{"sql_condition": null_sql, "label_for_charts": "missing", "is_null_level": True}]
        levels += [dict(zip(_LEVEL_KEYS, level, strict=True)) for level in c.levels]
        comparisons.append(
            {"output_column_name": c.column, "comparison_description": c.field, "comparison_levels": levels}
        )
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": PROBABILITY_TWO_RANDOM_RECORDS_MATCH,
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": False,
        "sql_dialect": "duckdb",
        "blocking_rules_to_generate_predictions": [dict(rule, sql_dialect="duckdb") for rule in _BLOCKING_RULES],
        "comparisons": comparisons,
    }


# --- Normalising what is compared ---------------------------------------------------------------

_APOSTROPHES = dict.fromkeys(map(ord, "'’‘ʼ`´"), None)
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―.,_/]+")


@lru_cache(maxsize=65536)
def normalise_name(text: str) -> str:
    """Lower case, accents and invisible characters (categories Cf, Cc) removed, apostrophes dropped
    (O'Brien → obrien), hyphens and other separators turned into single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) not in {"Mn", "Cf", "Cc"})
    return _SEPARATORS.sub(" ", kept.casefold().translate(_APOSTROPHES)).strip()


def _clean_display(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch) not in {"Cf", "Cc"}).strip()


# Particles that begin many surnames: "de Souza" and "de Silva" share no part that counts.
_PARTICLES = frozenset(
    {"al", "ap", "bin", "da", "das", "de", "del", "della", "den", "der", "di", "dos", "du", "el", "la", "le"}
    | {"mac", "mc", "o", "st", "van", "von"}
)


@lru_cache(maxsize=65536)
def sound_alike(surname: str) -> str:
    """A sound-alike code for a normalised surname: Metaphone after folding spellings that English
    speakers say alike — Mac/Mc, a silent "ch" after a vowel (Docherty/Doherty), y for i (Pryce)."""
    letters = re.sub(r"[^a-z]", "", surname)
    letters = re.sub(r"^mac", "mc", letters)
    letters = re.sub(r"(?<=[aeiou])ch", "h", letters)
    letters = letters.replace("y", "i")
    return jellyfish.metaphone(letters) if letters else ""


@cache
def _nickname_table() -> tuple[dict[str, frozenset[int]], dict[str, frozenset[int]]]:
    """(every name → its groups, formal name → the groups it heads), from NICKNAMES_CSV."""
    groups: dict[str, set[int]] = {}
    formal: dict[str, set[int]] = {}
    lines = NICKNAMES_CSV.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if not line.strip() or line.startswith("#"):
            continue
        heads, *short_forms = line.split(",")
        for name in heads.split("/"):
            formal.setdefault(normalise_name(name), set()).add(number)
        for name in [*heads.split("/"), *short_forms]:
            groups.setdefault(normalise_name(name), set()).add(number)
    return (
        {name: frozenset(numbers) for name, numbers in groups.items()},
        {name: frozenset(numbers) for name, numbers in formal.items()},
    )


def nickname_groups() -> dict[str, frozenset[int]]:
    """Normalised given name → the numbers of the nickname groups it belongs to."""
    return _nickname_table()[0]


def _groups_of(first_name: str) -> frozenset[int]:
    table = nickname_groups()
    found = table.get(first_name, frozenset())
    if " " in first_name:  # "Tommy Lee": the first part's groups too
        found |= table.get(first_name.split(" ", 1)[0], frozenset())
    return found


# Names repeat a great deal across records: each distinct spelling is worked out once.
@lru_cache(maxsize=65536)
def _first_name_features(raw: str) -> tuple[str | None, tuple[str, ...], frozenset[int]]:
    """Normalised, its nickname groups (as DuckDB compares them) and the groups it is formal for."""
    first = normalise_name(raw)
    if not first:
        return None, (), frozenset()
    formal = _nickname_table()[1].get(first, frozenset())
    return first, tuple(str(group) for group in sorted(_groups_of(first))), formal


@lru_cache(maxsize=65536)
def _surname_features(raw: str) -> tuple[str | None, tuple[str, ...], str | None]:
    surname = normalise_name(raw)
    if not surname:
        return None, (), None
    parts = tuple(part for part in surname.split(" ") if part not in _PARTICLES)
    return surname, parts, sound_alike(surname) or None


def _digits(text: str) -> str | None:
    return (text if text.isdigit() else re.sub(r"\D", "", text)) or None


class _Features(NamedTuple):
    """One record as the model compares it (a named tuple: tens of thousands are made per call)."""

    first_name: str | None
    first_groups: tuple[str, ...]
    first_formal: frozenset[int]
    surname: str | None
    surname_parts: tuple[str, ...]
    surname_code: str | None
    dob: str | None
    dob_swapped: str | None
    nhs_number: str | None
    postcode: str | None
    refs: frozenset[str]

    @classmethod
    def of(cls, record: PersonRecord) -> _Features:
        dob = record.date_of_birth
        swapped = None
        if dob is not None and dob.day <= 12 and dob.day != dob.month:
            swapped = f"{dob.year:04d}-{dob.day:02d}-{dob.month:02d}"
        refs = frozenset(ref.strip().upper() for ref in record.references if ":" in ref) if record.references else _NONE
        postcode = record.postcode.replace(" ", "").upper() or None
        names = (*_first_name_features(record.first_name), *_surname_features(record.last_name))
        return cls(*names, dob.isoformat() if dob else None, swapped, _digits(record.nhs_number), postcode, refs)

    def surnames_agree(self, other: _Features) -> bool:
        """Equal, sharing a part, sounding alike or spelt nearly alike: the model's surname levels."""
        a, b = self.surname, other.surname
        if a is None or b is None:
            return False
        if a == b or set(self.surname_parts) & set(other.surname_parts) or self.surname_code == other.surname_code:
            return True
        return jellyfish.jaro_winkler_similarity(a, b) >= SURNAME_SIMILAR

    def first_names_agree(self, other: _Features) -> bool:
        """Equal, a formal name and one of its own short forms (Thomas/Tom), or a slip of one letter
        that Jaro-Winkler also finds alike (Jon/John): what twins' and siblings' names are not.
        Stricter than the model's levels, because parents choose alike names for their children:
        two pet forms of one name (Alfie/Freddie, Molly/Polly), one prefix (Jamie/Jasmine, 0.92)."""
        a, b = self.first_name, other.first_name
        if a is None or b is None or a == b:
            return True
        mine, theirs = {int(g) for g in self.first_groups}, {int(g) for g in other.first_groups}
        if mine & other.first_formal or theirs & self.first_formal:
            return True
        slip = jellyfish.damerau_levenshtein_distance(a, b) <= 1
        return slip and jellyfish.jaro_winkler_similarity(a, b) >= FIRST_NAME_SIMILAR


_NONE: frozenset[str] = frozenset()
# Column types other than text, given so that a column of NULLs still has its type.
_TYPES = {"birth_year": pa.int32(), "involved": pa.bool_()}
_TYPES |= dict.fromkeys(["first_groups", "surname_parts", "refs", "ref_agencies"], pa.list_(pa.string()))


def _table(features: dict[str, _Features], involved: Collection[str] | None) -> pa.Table:
    """The records as DuckDB sees them (empty lists as NULL, so that list_has_any is NULL too)."""
    fs = list(features.values())
    refs = [sorted(f.refs) if f.refs else None for f in fs]
    columns = {
        "unique_id": list(features),
        "first_name": [f.first_name for f in fs],
        "first_groups": [list(f.first_groups) or None for f in fs],
        "surname": [f.surname for f in fs],
        "surname_parts": [list(f.surname_parts) or None for f in fs],
        "surname_code": [f.surname_code for f in fs],
        "dob": [f.dob for f in fs],
        "dob_swapped": [f.dob_swapped for f in fs],
        "birth_year": [int(f.dob[:4]) if f.dob else None for f in fs],
        "nhs_number": [f.nhs_number for f in fs],
        "postcode": [f.postcode for f in fs],
        "refs": refs,
        "ref_agencies": [sorted({ref.split(":", 1)[0] for ref in r}) if r else None for r in refs],
        "involved": [True] * len(fs) if involved is None else [key in involved for key in features],
    }
    return pa.Table.from_pydict(columns, schema=pa.schema([(name, _TYPES.get(name, pa.string())) for name in columns]))


# --- Running Splink ----------------------------------------------------------------------------

# Splink logs its progress at INFO and warns that random sampling could take more pairs: keep that
# out of imports, unless the project's LOGGING gives the "splink" logger a level of its own.
if logging.getLogger("splink").level == logging.NOTSET:
    logging.getLogger("splink").setLevel(logging.ERROR)


@contextmanager
def _linker(table: pa.Table, settings: dict[str, Any]) -> Iterator[Linker]:
    """One in-memory DuckDB connection for one call, closed afterwards."""
    connection = duckdb.connect()
    try:
        api = DuckDBAPI(connection)
        frame = api.register(table)
        yield Linker(frame, deepcopy(settings), log_level=None, validate_settings=False)
    finally:
        connection.close()


def _index(records: Sequence[PersonRecord]) -> dict[str, PersonRecord]:
    by_key: dict[str, PersonRecord] = {}
    for record in records:
        if record.key in by_key:
            raise ValueError(f"Two records have the key {record.key!r}: give every record its own key.")
        by_key[record.key] = record
    return by_key


def _attempt(what: str, step: Any) -> None:
    """Run one training step; a step that cannot estimate on this data leaves the prior in place."""
    try:
        step()
    except (SplinkException, duckdb.Error, ArithmeticError, ValueError, KeyError) as error:
        _log.info("Linkage training: %s kept the prior values (%s)", what, error)


# --- Training -----------------------------------------------------------------------------------


def _em_pair_counts(features: Sequence[_Features]) -> dict[str, int]:
    """How many pairs each rule in EM_BLOCKING_RULES blocks (counted here, not in DuckDB)."""
    by_dob: Counter[Any] = Counter(f.dob for f in features if f.dob)
    by_name: Counter[Any] = Counter((f.first_name, f.surname) for f in features if f.first_name and f.surname)
    counts = [sum(n * (n - 1) // 2 for n in counter.values()) for counter in (by_dob, by_name)]
    return dict(zip(EM_BLOCKING_RULES, counts, strict=True))


def train(records: Sequence[PersonRecord], *, seed: int = 1) -> dict[str, Any]:
    """Re-estimate the model on `records`: u by random sampling, then m by expectation maximisation
    over EM_BLOCKING_RULES. Whatever cannot be estimated on this data keeps the prior from
    `default_model()`: everything below MIN_RECORDS_TO_TRAIN records, an EM rule that blocks too
    few pairs, a level that no pair reached. It never raises for lack of data. Returns Splink's
    model JSON (`linker.misc.save_model_to_json()`), with the prior probability that two records
    match left as it was."""
    prior = default_model()
    features = {key: _Features.of(record) for key, record in _index(records).items()}
    if len(features) < MIN_RECORDS_TO_TRAIN:
        _log.info("Linkage training: %d records are too few to estimate anything; the prior stays", len(features))
        return prior
    pair_counts = _em_pair_counts(list(features.values()))
    with _linker(_table(features, None), prior) as linker:
        training = linker.training
        _attempt("u by random sampling", lambda: training.estimate_u_using_random_sampling(U_MAX_PAIRS, seed=seed))
        em = training.estimate_parameters_using_expectation_maximisation
        for rule in EM_BLOCKING_RULES:
            if pair_counts[rule] >= MIN_PAIRS_FOR_EM:
                _attempt(f"m by EM on {rule}", lambda rule=rule: em(rule))
        trained = linker.misc.save_model_to_json()
    return _with_prior_fallbacks(trained, prior)


def _usable(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and MIN_PROBABILITY <= value <= 1


def _with_prior_fallbacks(trained: dict[str, Any], prior: dict[str, Any]) -> dict[str, Any]:
    """Put the prior back wherever training left a level without a usable m or u, and keep each
    comparison's m and u summing to 1 over its levels. A comparison whose records of one child
    would then agree exactly less than PLAUSIBLE_M_SAME of the time gets its prior m back whole:
    that is EM on records with few duplicates (taking brothers and sisters for matches), or on
    pairs that never reached the level."""
    model = deepcopy(trained)
    priors = {c["output_column_name"]: c["comparison_levels"] for c in prior["comparisons"]}
    for comparison in model["comparisons"]:
        prior_levels = {level["label_for_charts"]: level for level in priors[comparison["output_column_name"]]}
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        for name in ("m_probability", "u_probability"):
            for level in levels:
                if not _usable(level.get(name)):
                    level[name] = prior_levels[level["label_for_charts"]][name]
            total = sum(level[name] for level in levels)
            for level in levels:
                level[name] = level[name] / total
        if levels[0]["m_probability"] < PLAUSIBLE_M_SAME:
            for level in levels:
                level["m_probability"] = prior_levels[level["label_for_charts"]]["m_probability"]
    model["probability_two_random_records_match"] = prior["probability_two_random_records_match"]
    return model


# --- Scoring ------------------------------------------------------------------------------------


def _scoring_settings(model: dict[str, Any], *, involving: bool, any_refs: bool) -> dict[str, Any]:
    """The model as find_pairs runs it. Matching columns are kept (Splink returns the levels,
    `gamma_*`, only with them). With `involving`, every blocking rule also asks for at least one
    involved record, so pairs of two others are never built. Without any references, the rule
    that explodes them is left out (it costs a table of its own even when empty)."""
    settings = deepcopy(model)
    settings["retain_matching_columns"] = True
    settings["retain_intermediate_calculation_columns"] = False
    rules = settings["blocking_rules_to_generate_predictions"]
    if not any_refs:
        rules[:] = [rule for rule in rules if not rule.get("arrays_to_explode")]
    if involving:
        for rule in rules:
            rule["blocking_rule"] = f"({rule['blocking_rule']}) AND (l.involved OR r.involved)"
    return settings


def _gamma_labels(model: dict[str, Any]) -> list[tuple[str, str, dict[int, str]]]:
    """(output column, field name, gamma value → level label) for each comparison of `model`.
    Splink numbers the non-null levels from the most to the least alike down to 0, and null -1."""
    fields = {comparison.column: comparison.field for comparison in _COMPARISONS}
    found = []
    for comparison in model["comparisons"]:
        plain = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        labels = {len(plain) - 1 - i: level.get("label_for_charts", "") for i, level in enumerate(plain)}
        labels[-1] = "missing"
        column = comparison["output_column_name"]
        found.append((column, fields.get(column, column.replace("_", " ")), labels))
    return found


def _reason(field: str, label: str, left: PersonRecord, right: PersonRecord, shared: frozenset[str]) -> str:
    if field in {"first name", "surname"} and label not in {"same", "missing"}:
        names = (left.first_name, right.first_name) if field == "first name" else (left.last_name, right.last_name)
        return f"{label} ({_clean_display(names[0])} / {_clean_display(names[1])})"
    if field == "agency reference":
        if label == "shared":
            return f"shared ({', '.join(sorted({ref.split(':', 1)[0] for ref in shared}))})"
        if label == "missing":
            return "none from the same agency"
    return label


def _guard(a: _Features, b: _Features) -> str:
    if a.nhs_number and b.nhs_number and a.nhs_number != b.nhs_number:
        return GUARD_NHS
    shared_identifier = (a.nhs_number is not None and a.nhs_number == b.nhs_number) or bool(a.refs & b.refs)
    if a.surnames_agree(b) and not a.first_names_agree(b):
        if a.dob and a.dob == b.dob:
            return GUARD_TWINS
        if (a.dob is None or b.dob is None) and not shared_identifier:
            return GUARD_SIBLINGS
    if a.dob and b.dob and a.dob != b.dob and not shared_identifier:
        return GUARD_DOB
    return ""


def find_pairs(
    records: Sequence[PersonRecord],
    model: dict[str, Any],
    *,
    min_probability: float,
    involving: Collection[str] | None = None,
) -> list[ScoredPair]:
    """Score the candidate pairs among `records` with `model` and apply the guards.

    With `involving`, only pairs with at least one key in it are built (at import time: incoming
    records against each other and against existing children, never two existing children).
    Returns the pairs whose probability (after the guards) is at least `min_probability`, most
    likely first; each pair has its lower key on the left."""
    by_key = _index(records)
    wanted = None if involving is None else frozenset(involving) & by_key.keys()
    if len(by_key) < 2 or wanted == frozenset():
        return []
    features = {key: _Features.of(record) for key, record in by_key.items()}
    any_refs = any(f.refs for f in features.values())
    settings = _scoring_settings(model, involving=wanted is not None, any_refs=any_refs)
    labels = _gamma_labels(settings)
    columns = ["unique_id_l", "unique_id_r", "match_probability", "match_weight"]
    columns += [f"gamma_{column}" for column, _, _ in labels]
    with _linker(_table(features, wanted), settings) as linker:
        # Splink filters on the match weight: a little below the threshold, so that rounding there
        # cannot drop a pair exactly at it (the exact filter is below).
        threshold = min_probability * 0.999 if min_probability > 0 else None
        predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
        rows = predictions.as_duckdbpyrelation().project(", ".join(columns)).fetchall()
    pairs = []
    for left_key, right_key, probability, weight, *gammas in rows:
        left_key, right_key = sorted((left_key, right_key))
        if wanted is not None and left_key not in wanted and right_key not in wanted:
            continue
        a, b = features[left_key], features[right_key]
        guard = _guard(a, b)
        if guard == GUARD_NHS:
            probability = 0.0
        if probability < min_probability:
            continue
        left, right = by_key[left_key], by_key[right_key]
        reasons = {
            field: _reason(field, names.get(gamma, "missing"), left, right, a.refs & b.refs)
            for (_, field, names), gamma in zip(labels, gammas, strict=True)
        }
        pairs.append(ScoredPair(left_key, right_key, float(probability), float(weight), reasons, guard))
    pairs.sort(key=lambda pair: (-pair.probability, pair.left, pair.right))
    return pairs


def band(pair: ScoredPair, *, link_at: float, possible_at: float) -> str:
    """ "link", "possible" or "new" for a scored pair. A pair with a guard is never linked
    automatically (a possible match at most); one with different NHS numbers is always new."""
    if pair.guard == GUARD_NHS:
        return "new"
    if pair.probability >= link_at and not pair.guard:
        return "link"
    if pair.probability >= possible_at:
        return "possible"
    return "new"
