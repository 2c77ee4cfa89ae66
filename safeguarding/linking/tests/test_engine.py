"""The linkage engine on its own (no database): bands for the cases that matter in safeguarding,
the guards, training on small and larger data, and the order of records not mattering."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeguarding.linking.engine import (
    GUARD_DOB,
    GUARD_NHS,
    GUARD_SIBLINGS,
    GUARD_TWINS,
    PersonRecord,
    ScoredPair,
    band,
    default_model,
    find_pairs,
    nickname_groups,
    normalise_name,
    sound_alike,
    train,
)

LINK_AT = 0.99
POSSIBLE_AT = 0.80
BORN = date(2015, 3, 4)


def person(key: str, first: str, last: str, born: date | None = BORN, **fields: Any) -> PersonRecord:
    return PersonRecord(key=key, first_name=first, last_name=last, date_of_birth=born, **fields)


def only_pair(records: list[PersonRecord], model: dict[str, Any] | None = None) -> ScoredPair:
    pairs = find_pairs(records, model or default_model(), min_probability=0.0)
    assert len(pairs) == 1, pairs
    return pairs[0]


def band_of(pair: ScoredPair) -> str:
    return band(pair, link_at=LINK_AT, possible_at=POSSIBLE_AT)


# --- A generated population to train on -----------------------------------------------------------


def population(children: int, *, seed: int, records_per_child: tuple[int, int] = (2, 5)) -> list[PersonRecord]:
    """The linkage benchmark's synthetic population: households, twins, namesakes, noisy agency
    records (bench/linkage.py)."""
    from bench.linkage import generate

    return generate(children, seed=seed, records_per_child=records_per_child).records


def levels(model: dict[str, Any]) -> list[tuple[float, float]]:
    """(m, u) of every level but the null ones."""
    return [
        (level["m_probability"], level["u_probability"])
        for comparison in model["comparisons"]
        for level in comparison["comparison_levels"]
        if not level.get("is_null_level")
    ]


@pytest.fixture(scope="module")
def trained_model() -> dict[str, Any]:
    # 2,000 of the 17,500 records of 5,000 children: like the Hub's own records, few of them are
    # duplicates of one another. (Random sampling takes its pairs as non-matches: on records that
    # are mostly duplicates it overstates u and the model grows cautious.)
    records = population(5_000, seed=7)[:2_000]
    return train(records, seed=1)


# --- The cases ------------------------------------------------------------------------------------


def test_find_pairs_links_tom_price_and_thomas_pryce_with_the_default_model() -> None:
    pair = only_pair([person("a", "Tom", "Price"), person("b", "Thomas", "Pryce")])

    assert band_of(pair) == "link"
    assert pair.guard == ""
    assert pair.probability >= LINK_AT
    assert pair.reasons["first name"] == "nickname (Tom / Thomas)"
    assert pair.reasons["surname"] == "sounds alike (Price / Pryce)"
    assert pair.reasons["date of birth"] == "same"


def test_find_pairs_links_tom_price_and_thomas_pryce_with_a_trained_model(trained_model: dict[str, Any]) -> None:
    pair = only_pair([person("a", "Tom", "Price"), person("b", "Thomas", "Pryce")], trained_model)

    assert band_of(pair) == "link"
    assert pair.probability >= LINK_AT


def test_find_pairs_day_and_month_swapped_is_a_possible_match_never_a_link() -> None:
    pair = only_pair([person("a", "Tom", "Price", date(2015, 3, 4)), person("b", "Tom", "Price", date(2015, 4, 3))])

    assert pair.reasons["date of birth"] == "day and month swapped"
    assert pair.guard == GUARD_DOB
    assert pair.probability >= LINK_AT  # the model alone would link it: the guard stops that
    assert band_of(pair) == "possible"


def test_find_pairs_one_digit_slip_in_the_date_of_birth_is_a_possible_match() -> None:
    pair = only_pair([person("a", "Tom", "Price", date(2015, 3, 4)), person("b", "Tom", "Price", date(2015, 3, 7))])

    assert pair.reasons["date of birth"] == "one digit different"
    assert pair.guard == GUARD_DOB
    assert band_of(pair) == "possible"


@pytest.mark.parametrize("model_name", ["default", "trained"])
def test_find_pairs_twins_are_never_linked(model_name: str, trained_model: dict[str, Any]) -> None:
    model = default_model() if model_name == "default" else trained_model
    kyle = person("a", "Kyle", "Mason", postcode="LS11AA")
    sam = person("b", "Sam", "Mason", postcode="LS11AA")

    pair = only_pair([kyle, sam], model)

    assert pair.guard == GUARD_TWINS
    assert band_of(pair) == "possible"


def test_find_pairs_twins_would_be_linked_without_the_guard() -> None:
    pair = only_pair([person("a", "Kyle", "Mason", postcode="LS11AA"), person("b", "Sam", "Mason", postcode="LS11AA")])

    assert pair.probability >= LINK_AT  # surname, date of birth and address outweigh the first names
    assert band(replace(pair, guard=""), link_at=LINK_AT, possible_at=POSSIBLE_AT) == "link"


def test_find_pairs_twins_guard_holds_when_one_surname_is_misspelt() -> None:
    pair = only_pair([person("a", "Kyle", "Price", postcode="LS11AA"), person("b", "Sam", "Pryce", postcode="LS11AA")])

    assert pair.guard == GUARD_TWINS
    assert band_of(pair) == "possible"


def test_find_pairs_twins_with_two_pet_forms_of_one_name_are_never_linked() -> None:
    # Alfie and Freddie are both short for Alfred (one nickname group), but not each other.
    alfie = person("a", "Alfie", "Johnson", postcode="YO132PD")
    freddie = person("b", "Freddie", "Johnson", postcode="YO132PD")

    pair = only_pair([alfie, freddie])

    assert pair.reasons["first name"] == "nickname (Alfie / Freddie)"
    assert pair.guard == GUARD_TWINS
    assert band_of(pair) == "possible"


def test_find_pairs_sibling_without_a_date_of_birth_is_never_linked() -> None:
    # Jamie and Jasmine are alike to Jaro-Winkler (0.92); surname and address agree, as siblings' do.
    jamie = person("a", "Jamie", "Pearce", date(2011, 8, 25), postcode="BD282FX")
    jasmine = person("b", "Jasmine", "Pearce", None, postcode="BD282FX")

    pair = only_pair([jamie, jasmine])

    assert pair.reasons["first name"] == "similar spelling (Jamie / Jasmine)"
    assert pair.guard == GUARD_SIBLINGS
    assert band_of(pair) == "possible"


def test_find_pairs_links_a_short_form_with_its_formal_name_at_one_address() -> None:
    pair = only_pair(
        [person("a", "Tom", "Mason", postcode="LS11AA"), person("b", "Thomas", "Mason", postcode="LS11AA")]
    )

    assert pair.guard == ""
    assert band_of(pair) == "link"


def test_find_pairs_namesakes_born_years_apart_are_not_linked() -> None:
    pair = only_pair(
        [person("a", "Oliver", "Smith", date(2010, 5, 1)), person("b", "Oliver", "Smith", date(2016, 9, 12))]
    )

    assert pair.reasons["date of birth"] == "different"
    assert pair.guard == GUARD_DOB
    assert pair.probability < POSSIBLE_AT
    assert band_of(pair) == "new"


def test_find_pairs_different_nhs_numbers_are_new_with_probability_zero() -> None:
    records = [
        person("a", "Tom", "Price", nhs_number="9434765919"),
        person("b", "Tom", "Price", nhs_number="9434765870"),
    ]

    pair = only_pair(records)

    assert pair.guard == GUARD_NHS
    assert pair.probability == 0.0
    assert pair.reasons["NHS number"] == "different"
    assert band_of(pair) == "new"
    assert find_pairs(records, default_model(), min_probability=0.01) == []


def test_find_pairs_links_a_double_surname_with_one_of_its_parts() -> None:
    # "link", not only "possible": first name and date of birth agree exactly, and one part of the
    # double surname is the other record's whole surname — strong evidence, and no guard applies.
    pair = only_pair([person("a", "Amy", "Smith-Jones"), person("b", "Amy", "Jones")])

    assert pair.reasons["surname"] == "one part of a double surname (Smith-Jones / Jones)"
    assert pair.guard == ""
    assert band_of(pair) == "link"


def test_find_pairs_ignores_invisible_characters() -> None:
    clean = only_pair([person("a", "Mason", "Doherty"), person("b", "Mason", "Doherty")])
    pasted = only_pair([person("a", "Ma\u200bson", "Doh\u202eerty\u0007"), person("b", "Mason", "Doherty")])

    assert pasted.reasons["first name"] == "same"
    assert pasted.reasons["surname"] == "same"
    assert pasted.probability == pytest.approx(clean.probability, abs=1e-12)


def test_normalise_name_folds_case_accents_apostrophes_hyphens_and_controls() -> None:
    assert normalise_name("  O’Brien-SMITH\u200b ") == "obrien smith"
    assert normalise_name("Zoë\u2066") == "zoe"
    assert normalise_name("Mary - Jane") == "mary jane"


def test_sound_alike_codes() -> None:
    assert sound_alike("price") == sound_alike("pryce")
    assert sound_alike("doherty") == sound_alike("docherty")
    assert sound_alike("price") != sound_alike("prince")


def test_nickname_table_groups() -> None:
    groups = nickname_groups()
    group_count = len(set().union(*groups.values()))

    assert 80 <= group_count <= 150
    assert groups["tom"] & groups["thomas"]
    assert groups["liam"] & groups["william"]
    assert not groups["alexander"] & groups["alexandra"]
    assert "kyle" not in groups


def test_find_pairs_involving_returns_only_pairs_with_an_involved_record() -> None:
    records = [
        person("c:1", "Tom", "Price"),
        person("c:2", "Thomas", "Price"),
        person("n:1", "Tommy", "Price"),
        person("n:2", "Grace", "Hall", date(2012, 1, 9)),
    ]

    everything = find_pairs(records, default_model(), min_probability=0.0)
    incoming = find_pairs(records, default_model(), min_probability=0.0, involving={"n:1", "n:2", "unknown"})

    assert {(p.left, p.right) for p in everything} == {("c:1", "c:2"), ("c:1", "n:1"), ("c:2", "n:1")}
    assert {(p.left, p.right) for p in incoming} == {("c:1", "n:1"), ("c:2", "n:1")}
    assert find_pairs(records, default_model(), min_probability=0.0, involving=[]) == []


def test_find_pairs_compares_records_without_a_date_of_birth_by_names_and_nhs_number() -> None:
    with_nhs = only_pair(
        [
            person("a", "Tom", "Price", None, nhs_number="9434765919"),
            person("b", "Thomas", "Price", None, nhs_number="9434765919"),
        ]
    )
    names_only = only_pair([person("a", "Tom", "Price", None), person("b", "Tom", "Price", date(2015, 3, 4))])

    assert with_nhs.reasons["date of birth"] == "missing"
    assert with_nhs.reasons["NHS number"] == "same"
    assert band_of(with_nhs) == "link"
    assert names_only.reasons["date of birth"] == "missing"
    assert band_of(names_only) == "new"  # full name alone is not enough
    assert names_only.probability > 0.1


def test_find_pairs_orders_pairs_most_likely_first_with_the_lower_key_on_the_left() -> None:
    records = [person("z", "Tom", "Price"), person("y", "Thomas", "Pryce"), person("x", "Tom", "Price", None)]

    pairs = find_pairs(records, default_model(), min_probability=0.0)

    assert [p.probability for p in pairs] == sorted((p.probability for p in pairs), reverse=True)
    assert all(p.left < p.right for p in pairs)


def test_find_pairs_refuses_two_records_with_one_key() -> None:
    with pytest.raises(ValueError, match="key 'a'"):
        find_pairs([person("a", "Tom", "Price"), person("a", "Tom", "Price")], default_model(), min_probability=0)


def test_band_never_links_a_guarded_pair() -> None:
    def scored(probability: float, guard: str) -> ScoredPair:
        return ScoredPair("a", "b", probability, 10.0, {}, guard)

    assert band_of(scored(0.999, "")) == "link"
    assert band_of(scored(0.999, GUARD_TWINS)) == "possible"
    assert band_of(scored(0.999, GUARD_DOB)) == "possible"
    assert band_of(scored(0.999, GUARD_SIBLINGS)) == "possible"
    assert band_of(scored(0.999, GUARD_NHS)) == "new"
    assert band_of(scored(0.85, "")) == "possible"
    assert band_of(scored(0.5, "")) == "new"


# --- Training -------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 10, 50])
def test_train_on_little_data_keeps_the_prior_and_never_raises(size: int) -> None:
    records = population(20, seed=3)[:size]

    model = json.loads(json.dumps(train(records)))

    assert levels(model) == levels(default_model())
    assert find_pairs(records, model, min_probability=0.0) == find_pairs(records, default_model(), min_probability=0.0)


def test_train_on_two_thousand_records_estimates_m_and_u(trained_model: dict[str, Any]) -> None:
    model = json.loads(json.dumps(trained_model))
    prior = default_model()

    assert levels(model) != levels(prior)
    assert all(0 < m <= 1 and 0 < u <= 1 for m, u in levels(model))
    for comparison in model["comparisons"]:
        plain = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        assert sum(level["m_probability"] for level in plain) == pytest.approx(1)
        assert sum(level["u_probability"] for level in plain) == pytest.approx(1)
    assert model["probability_two_random_records_match"] == prior["probability_two_random_records_match"]
    pairs = find_pairs(population(20, seed=11), model, min_probability=0.0)
    assert pairs
    assert all(0.0 <= p.probability <= 1.0 for p in pairs)


def test_train_on_records_without_duplicates_keeps_the_prior_m_where_em_goes_wrong() -> None:
    # One record per child: EM on pairs born on one day takes twins and siblings for the matches.
    model = train(population(1_500, seed=5, records_per_child=(1, 1)), seed=1)
    prior = {c["output_column_name"]: c["comparison_levels"][1] for c in default_model()["comparisons"]}

    exact = {c["output_column_name"]: c["comparison_levels"][1] for c in model["comparisons"]}
    kept_prior = {name for name, level in exact.items() if level["m_probability"] == prior[name]["m_probability"]}
    assert all(level["m_probability"] >= 0.75 for level in exact.values())
    assert {"first_name", "dob"} <= kept_prior
    pair = only_pair([person("a", "Tom", "Price"), person("b", "Thomas", "Pryce")], model)
    assert band_of(pair) == "link"


# --- Order of records does not matter -------------------------------------------------------------

_records = st.lists(
    st.tuples(
        st.sampled_from(["Tom", "Thomas", "Kyle", "Sam", "Ma\u200bson", "Mason"]),
        st.sampled_from(["Price", "Pryce", "Smith-Jones", "Jones"]),
        st.sampled_from([date(2015, 3, 4), date(2015, 4, 3), date(2015, 3, 7), None]),
        st.sampled_from(["", "9434765919", "9434765870"]),
        st.sampled_from(["", "LS11AA"]),
        st.sampled_from([(), ("EDU:1",), ("CSC:9", "EDU:1")]),
    ),
    min_size=2,
    max_size=6,
)


@settings(max_examples=20, deadline=None)
@given(rows=_records, order=st.randoms(use_true_random=False))
def test_find_pairs_is_symmetric_in_record_order(rows: list[tuple[Any, ...]], order: random.Random) -> None:
    records = [
        person(f"k{i}", first, last, born, nhs_number=nhs, postcode=postcode, references=references)
        for i, (first, last, born, nhs, postcode, references) in enumerate(rows)
    ]
    shuffled = list(reversed(records))
    order.shuffle(shuffled)

    def scored(given_records: list[PersonRecord]) -> dict[frozenset[str], tuple[float, str, dict[str, str]]]:
        pairs = find_pairs(given_records, default_model(), min_probability=0.0)
        return {frozenset((p.left, p.right)): (round(p.probability, 12), p.guard, p.reasons) for p in pairs}

    assert scored(shuffled) == scored(records)
