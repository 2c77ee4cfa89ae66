"""Linkage benchmark: how well `safeguarding.linking.engine` finds the same child in several agencies'
records, and how fast. No database: the population is generated with known truth.

**Population** (`random.Random(seed)`, synthetic names: made-up combinations of common first names
and surnames): children live in households (siblings share a surname — sometimes a double one —
a postcode and a household reference; some households have twins, with one date of birth and
different first names); a few children are namesakes of a child elsewhere (same name, another
date of birth). Each child appears in 2–5 agency records with noise: nicknames (Tom/Thomas),
misspelt surnames (Price/Pryce, Doherty/Docherty, a dropped or doubled letter), one part of a
double surname, day and month transposed (~3%), a one-digit slip in the date of birth (~2%), a
missing date of birth (~0.5%), an NHS number only on health and GP records (~40% of records),
school UPNs and social care LA IDs as agency references, postcodes sometimes missing or old,
odd capitals and the odd invisible character. The household reference stays with the generator:
it is not a child identifier, so it is not one of the engine's references.

**Measured**: `train()` on all the records, `find_pairs()` over them, automatic links (the "link"
band) clustered into connected components, then pairwise against the truth: precision and recall
of automatic links, of possible matches, and recall of both together; false automatic links
between twins and between namesakes (must be 0), and between "doubles" — two children in
different households who happen to share first name, surname and date of birth, whom nothing
but an NHS number or reference can tell apart. A second part times the import case:
`find_pairs()` for incoming records against existing children (`involving=` the incoming keys).
"""

from __future__ import annotations

import random
import string
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import combinations
from typing import Any

from bench.common import say
from safeguarding.linking.engine import PersonRecord, ScoredPair, band, default_model, find_pairs, train


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


BOYS = _words(
    "Oliver Thomas William James Jack Harry George Charlie Jacob Alfie Noah Oscar Leo Henry Joshua "
    "Freddie Archie Ethan Isaac Alexander Joseph Edward Samuel Max Logan Lucas Daniel Theo Arthur Mohammed "
    "Harrison Benjamin Mason Finley Sebastian Adam Dylan Zachary Riley Teddy Kyle Jayden Tyler Reuben "
    "Nathan Luke Callum Connor Liam Aaron Ryan Jamie Lewis Owen Rhys Matthew Michael Christopher Anthony "
    "Nicholas Patrick Richard Robert Stephen David Frederick Louis Toby Elliot Ronnie Jenson Kai Bobby"
)
GIRLS = _words(
    "Olivia Amelia Isla Ava Emily Isabella Mia Poppy Ella Lily Sophie Grace Evie Charlotte Jessica "
    "Freya Sophia Ruby Daisy Chloe Alice Florence Matilda Phoebe Scarlett Millie Harriet Elizabeth "
    "Eleanor Rosie Imogen Lucy Holly Erin Megan Katie Hannah Abigail Jasmine Layla Maisie Zara Amber "
    "Leah Niamh Caitlin Bethany Courtney Shannon Jade Paige Rebecca Victoria Samantha Natalie Rachel "
    "Danielle Alexandra Josephine Catherine Penelope Georgia Madison Summer Willow Aria Esme Lola"
)
SURNAMES = _words(
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson "
    "Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin "
    "Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips "
    "Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey "
    "Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams Singh "
    "Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell Matthews "
    "Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray "
    "Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart Elliott Reynolds "
    "Saunders Payne Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill Dawson "
    "Ball Burton Doherty Reid Hutchinson Stephenson MacDonald Byrne Ryan Gallagher Quinn Nolan Kennedy"
)
# Nicknames the generator uses (the engine has its own table, data/nicknames.csv).
NICKNAMES = {
    "Thomas": ["Tom", "Tommy"], "William": ["Will", "Billy", "Liam"], "James": ["Jim", "Jamie"],
    "Jack": ["Jackie"], "Harry": ["Haz"], "Charlie": ["Charles"], "Jacob": ["Jake"], "Alfie": ["Alfred"],
    "Alexander": ["Alex"], "Joseph": ["Joe", "Joey"], "Edward": ["Ed", "Eddie", "Ted"], "Samuel": ["Sam"],
    "Max": ["Maxwell"], "Daniel": ["Dan", "Danny"], "Theo": ["Theodore"], "Benjamin": ["Ben", "Benji"],
    "Zachary": ["Zach", "Zak"], "Nathan": ["Nate"], "Matthew": ["Matt"], "Michael": ["Mike", "Mikey"],
    "Christopher": ["Chris"], "Anthony": ["Tony"], "Nicholas": ["Nick"], "Patrick": ["Pat", "Paddy"],
    "Richard": ["Rich", "Ricky"], "Robert": ["Rob", "Bobby"], "Stephen": ["Steve"], "David": ["Dave"],
    "Frederick": ["Fred", "Freddie"], "Olivia": ["Liv"], "Amelia": ["Millie"], "Isabella": ["Bella", "Izzy"],
    "Sophie": ["Sophia"], "Charlotte": ["Lottie", "Charlie"], "Jessica": ["Jess"], "Matilda": ["Tilly"],
    "Elizabeth": ["Liz", "Beth", "Lizzie"], "Eleanor": ["Ellie", "Nell"], "Katie": ["Kate"],
    "Abigail": ["Abi", "Abbie"], "Rebecca": ["Becky"], "Victoria": ["Vicky", "Tori"], "Samantha": ["Sam"],
    "Natalie": ["Nat"], "Alexandra": ["Alex", "Lexi"], "Josephine": ["Josie", "Jo"], "Catherine": ["Kate"],
    "Penelope": ["Penny"], "Georgia": ["Georgie"], "Madison": ["Maddie"], "Harriet": ["Hattie"],
}  # fmt: skip
MISSPELT = {
    "Price": "Pryce", "Doherty": "Docherty", "Thompson": "Thomson", "Smith": "Smyth", "Clarke": "Clark",
    "Phillips": "Philips", "Stephenson": "Stevenson", "MacDonald": "McDonald", "Reid": "Reed", "Gray": "Grey",
    "Brown": "Browne", "Matthews": "Mathews", "Davies": "Davis", "Hussain": "Hussein",
}  # fmt: skip
# Agency, its share of records, and the chance its record carries an NHS number.
AGENCIES: tuple[tuple[str, float, float], ...] = (
    ("GP", 0.2, 0.97), ("ED", 0.1, 0.9), ("CHS", 0.12, 0.95),
    ("EDU", 0.25, 0.0), ("CSC", 0.15, 0.0), ("POL", 0.18, 0.0),
)  # fmt: skip
FIRST_DATE, LAST_DATE = date(2008, 1, 1), date(2025, 12, 31)


@dataclass(frozen=True)
class Child:
    number: int
    first_name: str
    surname: str
    date_of_birth: date
    sex: str
    nhs_number: str
    postcode: str
    household: str
    upn: str
    la_id: str


@dataclass
class Population:
    children: list[Child]
    records: list[PersonRecord]
    child_of: dict[str, int]  # record key → child number
    twins: set[frozenset[int]]  # pairs of child numbers
    namesakes: set[frozenset[int]]  # same first name and surname, different dates of birth
    doubles: set[frozenset[int]]  # same first name, surname and date of birth, yet two children


def _nhs_number(rng: random.Random) -> str:
    """Ten digits with a valid modulus-11 check digit."""
    while True:
        digits = [rng.randrange(10) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def _postcode(rng: random.Random) -> str:
    area = rng.choice(["LS", "BD", "HX", "WF", "HD", "YO", "S", "M"])
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"{area}{rng.randint(1, 29)}{rng.randint(0, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def _random_date(rng: random.Random) -> date:
    return FIRST_DATE + timedelta(days=rng.randrange((LAST_DATE - FIRST_DATE).days + 1))


def _household(rng: random.Random, number: int, household: str, next_child: int) -> list[Child]:
    """One household's children: siblings a year or more apart, sometimes twins."""
    size = rng.choices([1, 2, 3, 4], weights=[40, 35, 18, 7])[0]
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.06:
        surname = f"{surname}-{rng.choice(SURNAMES)}"
    postcode = _postcode(rng)
    births: list[date] = []
    while len(births) < size:
        born = _random_date(rng)
        if all(abs((born - other).days) > 300 for other in births):
            births.append(born)
    if size >= 2 and rng.random() < 0.08:
        births[1] = births[0]  # twins
    children: list[Child] = []
    used: set[str] = set()
    for born in births:
        sex = rng.choice("MF")
        first = rng.choice(BOYS if sex == "M" else GIRLS)
        while first in used:
            first = rng.choice(BOYS if sex == "M" else GIRLS)
        used.add(first)
        own_surname = surname if rng.random() < 0.9 else rng.choice(SURNAMES)  # half-siblings
        n = next_child + len(children)
        children.append(
            Child(n, first, own_surname, born, sex, _nhs_number(rng), postcode, household, f"U{n:07d}", f"{n:06d}")
        )
    return children


def _typo(rng: random.Random, name: str) -> str:
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 1)
    kind = rng.random()
    if kind < 0.5:
        return name[:i] + name[i + 1 :]  # dropped letter
    if kind < 0.8:
        return name[:i] + name[i] + name[i:]  # doubled letter
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]  # two letters swapped


def _noisy_first_name(rng: random.Random, name: str) -> str:
    if name in NICKNAMES and rng.random() < 0.12:
        return rng.choice(NICKNAMES[name])
    if rng.random() < 0.02:
        return _typo(rng, name)
    return name


def _noisy_surname(rng: random.Random, surname: str) -> str:
    if "-" in surname and rng.random() < 0.3:
        return rng.choice(surname.split("-"))  # one part of a double surname
    if surname in MISSPELT and rng.random() < 0.15:
        return MISSPELT[surname]
    if rng.random() < 0.03:
        return _typo(rng, surname)
    return surname


def _slipped(rng: random.Random, born: date) -> date:
    """The same date with one digit of its ISO form changed (still a real date)."""
    text = born.isoformat()
    for _ in range(50):
        i = rng.choice([2, 3, 5, 6, 8, 9])
        candidate = text[:i] + rng.choice(string.digits.replace(text[i], "")) + text[i + 1 :]
        try:
            slipped = date.fromisoformat(candidate)
        except ValueError:
            continue
        if FIRST_DATE.year - 1 <= slipped.year <= LAST_DATE.year:
            return slipped
    return born + timedelta(days=1)


def _noisy_dob(rng: random.Random, born: date) -> date | None:
    roll = rng.random()
    if roll < 0.03 and born.day <= 12 and born.day != born.month:
        return date(born.year, born.day, born.month)
    if roll < 0.05:
        return _slipped(rng, born)
    if roll < 0.055:
        return None
    return born


def _record(rng: random.Random, key: str, child: Child) -> PersonRecord:
    agency, nhs_chance = rng.choices([(a, n) for a, _, n in AGENCIES], weights=[w for _, w, _ in AGENCIES])[0]
    references = []
    if agency == "EDU" or (agency == "CSC" and rng.random() < 0.3):
        references.append(f"EDU:{child.upn}")
    if agency == "CSC":
        references.append(f"CSC:{child.la_id}")
    first, surname = _noisy_first_name(rng, child.first_name), _noisy_surname(rng, child.surname)
    if rng.random() < 0.1:
        surname = surname.upper()
    if rng.random() < 0.005:
        first = first[:2] + "\u200b" + first[2:]  # a zero-width space pasted in from somewhere
    postcode = child.postcode if rng.random() < 0.85 else ""
    if postcode and rng.random() < 0.05:
        postcode = _postcode(rng)  # an old address
    return PersonRecord(
        key=key,
        first_name=first,
        last_name=surname,
        date_of_birth=_noisy_dob(rng, child.date_of_birth),
        nhs_number=child.nhs_number if rng.random() < nhs_chance else "",
        postcode=postcode,
        references=tuple(references),
        sex=child.sex,
    )


def generate(children: int, *, seed: int, records_per_child: tuple[int, int] = (2, 5)) -> Population:
    """`children` children in households, each in `records_per_child` agency records."""
    rng = random.Random(seed)
    people: list[Child] = []
    while len(people) < children:
        people.extend(_household(rng, len(people), f"H{len(people):06d}", len(people)))
    people = people[:children]
    namesakes: set[frozenset[int]] = set()
    for i in rng.sample(range(children), children // 100):  # 1% share a name with another child
        other = people[rng.randrange(children)]
        if other.household != people[i].household and other.date_of_birth.year != people[i].date_of_birth.year:
            people[i] = replace(people[i], first_name=other.first_name, surname=other.surname)
    by_name: dict[tuple[str, str], list[Child]] = {}
    for child in people:
        by_name.setdefault((child.first_name, child.surname), []).append(child)
    doubles: set[frozenset[int]] = set()
    for same in by_name.values():
        for a, b in combinations(same, 2):
            if a.household != b.household:
                (namesakes if a.date_of_birth != b.date_of_birth else doubles).add(frozenset((a.number, b.number)))
    twins: set[frozenset[int]] = set()
    households: dict[str, list[Child]] = {}
    for child in people:
        households.setdefault(child.household, []).append(child)
    for members in households.values():
        twins |= {
            frozenset((a.number, b.number)) for a, b in combinations(members, 2) if a.date_of_birth == b.date_of_birth
        }
    records: list[PersonRecord] = []
    child_of: dict[str, int] = {}
    for child in people:
        for _ in range(rng.randint(*records_per_child)):
            key = f"r:{len(records)}"
            records.append(_record(rng, key, child))
            child_of[key] = child.number
    rng.shuffle(records)
    return Population(people, records, child_of, twins, namesakes, doubles)


# --- Measuring ------------------------------------------------------------------------------------


def _components(edges: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Connected components (union-find): record key → its component's representative."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for left, right in edges:
        parent[root(left)] = root(right)
    return {key: root(key) for key in parent}


def _pairs_within(component_of: dict[str, str]) -> set[frozenset[str]]:
    members: dict[str, list[str]] = {}
    for key, component in component_of.items():
        members.setdefault(component, []).append(key)
    return {frozenset(pair) for keys in members.values() for pair in combinations(keys, 2)}


def _edge(pair: frozenset[str]) -> tuple[str, str]:
    left, right = sorted(pair)
    return left, right


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _truth_pairs(population: Population) -> set[frozenset[str]]:
    by_child: dict[int, list[str]] = {}
    for key, child in population.child_of.items():
        by_child.setdefault(child, []).append(key)
    return {frozenset(pair) for keys in by_child.values() for pair in combinations(keys, 2)}


def evaluate(
    population: Population, pairs: Sequence[ScoredPair], *, link_at: float, possible_at: float
) -> dict[str, Any]:
    """Pairwise precision and recall of each band against the truth."""
    truth = _truth_pairs(population)
    bands = {(pair.left, pair.right): band(pair, link_at=link_at, possible_at=possible_at) for pair in pairs}
    links = [edge for edge, name in bands.items() if name == "link"]
    component_of = _components(links)
    linked = _pairs_within(component_of)
    possible = {frozenset(edge) for edge, name in bands.items() if name == "possible"} - linked
    true_possible = possible & truth
    reviewed = _pairs_within(_components([*links, *(_edge(pair) for pair in true_possible)]))
    child = population.child_of

    def children_of(pair: frozenset[str]) -> frozenset[int]:
        return frozenset(child[key] for key in pair)

    false_links = list(linked - truth)
    missed = truth - linked - possible
    return {
        "true_pairs": len(truth),
        "scored_pairs": len(pairs),
        "bands": dict(Counter(bands.values())),
        "link": {
            "pairs_in_clusters": len(linked),
            "precision": _ratio(len(linked & truth), len(linked)),
            "recall": _ratio(len(linked & truth), len(truth)),
            "false_links": len(false_links),
        },
        "possible": {
            "pairs": len(possible),
            "precision": _ratio(len(true_possible), len(possible)),
            "recall_of_pairs_not_linked": _ratio(len(true_possible), len(truth - linked)),
            **_questions(population, component_of, possible),
        },
        "link_or_possible": {
            "recall_direct": _ratio(len(truth & (linked | possible)), len(truth)),
            "recall_after_review": _ratio(len(truth & reviewed), len(truth)),
        },
        "false_links_between_twins": sum(children_of(pair) in population.twins for pair in false_links),
        "false_links_between_namesakes": sum(children_of(pair) in population.namesakes for pair in false_links),
        "false_links_between_doubles": sum(children_of(pair) in population.doubles for pair in false_links),
        "missed_true_pairs": len(missed),
        "missed_examples": _examples(population, missed, 8),
    }


def _questions(population: Population, component_of: dict[str, str], possible: set[frozenset[str]]) -> dict[str, Any]:
    """Possible matches as a data steward meets them: one question per pair of records after the
    automatic links (each link cluster counts once), and how many of those are one child."""
    members: dict[str, list[int]] = {}
    for key, component in component_of.items():
        members.setdefault(component, []).append(population.child_of[key])
    child_of_cluster = {component: Counter(children).most_common(1)[0][0] for component, children in members.items()}

    def child(key: str) -> int:
        component = component_of.get(key)
        return population.child_of[key] if component is None else child_of_cluster[component]

    questions = {frozenset(component_of.get(key, key) for key in pair) for pair in possible}
    right = sum(len({child(key) for key in question}) == 1 for question in questions)
    return {"questions_for_a_steward": len(questions), "questions_precision": _ratio(right, len(questions))}


def _examples(population: Population, pairs: Iterable[frozenset[str]], limit: int) -> list[str]:
    records = {record.key: record for record in population.records}
    shown = []
    for pair in sorted(pairs, key=sorted)[:limit]:
        a, b = (records[key] for key in sorted(pair))
        shown.append(
            f"{a.first_name} {a.last_name} {a.date_of_birth} {a.nhs_number or '-'} {a.postcode or '-'} | "
            f"{b.first_name} {b.last_name} {b.date_of_birth} {b.nhs_number or '-'} {b.postcode or '-'}"
        )
    return shown


def _timed(step: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = step()
    return result, round(time.perf_counter() - started, 3)


def _import_case(
    existing: int, incoming: int, model: dict[str, Any], *, seed: int, link_at: float, possible_at: float
) -> dict[str, Any]:
    """Incoming records against existing children, scored with `involving=` the incoming keys: one
    record per existing child; incoming, another record of an existing child (four in five) or the
    record of a new child."""
    new_children = incoming // 5
    population = generate(existing + new_children, seed=seed + 1, records_per_child=(2, 2))
    by_child: dict[int, list[PersonRecord]] = {}
    for record in population.records:
        by_child.setdefault(population.child_of[record.key], []).append(record)
    rng = random.Random(seed + 2)
    known = rng.sample(range(existing), incoming - new_children)
    records = [replace(by_child[n][0], key=f"c:{n}") for n in range(existing)]
    records += [replace(by_child[n][1], key=f"n:{n}") for n in known]
    records += [replace(by_child[n][0], key=f"n:{n}") for n in range(existing, existing + new_children)]
    involving = {record.key for record in records[existing:]}
    pairs, seconds = _timed(lambda: find_pairs(records, model, min_probability=possible_at, involving=involving))
    bands = {(pair.left, pair.right): band(pair, link_at=link_at, possible_at=possible_at) for pair in pairs}
    expected = {(f"c:{n}", f"n:{n}") for n in known}
    false_links = [edge for edge, name in bands.items() if name == "link" and edge not in expected]
    two = [records[0], records[existing]]
    find_pairs(two, model, min_probability=0.0)  # the first call of a process also imports and warms up
    timings = sorted(_timed(lambda: find_pairs(two, model, min_probability=0.0))[1] for _ in range(11))
    return {
        "existing": existing,
        "incoming": len(involving),
        "incoming_about_existing_children": len(known),
        "seconds": seconds,
        "pairs_returned": len(pairs),
        "pairs_with_two_existing": sum(left not in involving and right not in involving for left, right in bands),
        "linked_to_their_child": sum(bands.get(edge) == "link" for edge in expected),
        "possible_with_their_child": sum(bands.get(edge) == "possible" for edge in expected),
        "false_links": len(false_links),
        "false_links_between_doubles": sum(
            frozenset(int(key.split(":")[1]) for key in edge) in population.doubles for edge in false_links
        ),
        "two_record_call_seconds": {"median": timings[len(timings) // 2], "max": timings[-1]},
    }


def run(
    *,
    children: int = 5_000,
    seed: int = 1,
    link_at: float = 0.99,
    possible_at: float = 0.80,
    existing: int = 46_000,
    incoming: int = 5_000,
) -> dict[str, Any]:
    say(f"Generating {children:,} children and their agency records (seed {seed})")
    population = generate(children, seed=seed)
    say(f"  {len(population.records):,} records, {len(population.twins)} twin pairs, "
        f"{len(population.namesakes)} namesake pairs, {len(population.doubles)} pairs of doubles")  # fmt: skip
    model, train_seconds = _timed(lambda: train(population.records, seed=seed))
    say(f"Trained in {train_seconds} s; scoring")
    pairs, score_seconds = _timed(lambda: find_pairs(population.records, model, min_probability=possible_at))
    trained = evaluate(population, pairs, link_at=link_at, possible_at=possible_at)
    say(f"  trained model: {_summary(trained)}")
    sweep = []
    for threshold in sorted({0.95, 0.99, 0.995, 0.999, link_at}):
        figures = evaluate(population, pairs, link_at=threshold, possible_at=possible_at)
        sweep.append({"link_at": threshold, **figures["link"], "both_recall": figures["link_or_possible"]})
    untrained_pairs = find_pairs(population.records, default_model(), min_probability=possible_at)
    untrained = evaluate(population, untrained_pairs, link_at=link_at, possible_at=possible_at)
    say(f"  default model: {_summary(untrained)}")
    say(f"Import case: {incoming:,} incoming against {existing:,} existing children")
    import_case = _import_case(existing, incoming, model, seed=seed, link_at=link_at, possible_at=possible_at)
    say(f"  {import_case['seconds']} s; a call with two records: {import_case['two_record_call_seconds']}")
    return {
        "parameters": {"children": children, "seed": seed, "link_at": link_at, "possible_at": possible_at},
        "records": len(population.records),
        "twin_pairs": len(population.twins),
        "namesake_pairs": len(population.namesakes),
        "double_pairs": len(population.doubles),
        "train_seconds": train_seconds,
        "score_seconds": score_seconds,
        "trained_model": trained,
        "trained_model_link_thresholds": sweep,
        "default_model": untrained,
        "import_case": import_case,
        "model": model,
    }


def _summary(figures: dict[str, Any]) -> str:
    link, possible, both = figures["link"], figures["possible"], figures["link_or_possible"]
    return (
        f"link precision {link['precision']} recall {link['recall']}; possible precision {possible['precision']}; "
        f"link+possible recall {both['recall_direct']} (after review {both['recall_after_review']}); "
        f"false links twins {figures['false_links_between_twins']} namesakes {figures['false_links_between_namesakes']}"
        f" doubles {figures['false_links_between_doubles']}"
    )
