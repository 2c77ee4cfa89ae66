"""Regime by date (`reviews.regime`): a serious case review is the LSCB's, under the 2006 Regulations,
until 29 September 2019 at the latest; a local child safeguarding practice review is the safeguarding
partners', under SI 2018/789, from 29 June 2018 at the earliest (or the partnership's own start date);
the edition of Working Together follows the date of the decision."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings

from safeguarding.api.tests.factories import signed_in_client
from safeguarding.reviews import regime, services
from safeguarding.reviews.enums import ReviewKind, Stage
from safeguarding.reviews.models import PracticeReview, Review
from safeguarding.reviews.regime import Regime
from safeguarding.reviews.tests.conftest import ReviewCast, at

SCR, LCSPR, OTHER = ReviewKind.SCR, ReviewKind.LCSPR, ReviewKind.OTHER_LEARNING


def _refusal(kind: str, day: date) -> str:
    with pytest.raises(ValidationError) as caught:
        regime.check_decision(kind, day)
    return " ".join(caught.value.message_dict["decided_on"])


@pytest.mark.parametrize(
    ("kind", "day"),
    [
        (SCR, date(2006, 4, 1)),  # the LSCB Regulations 2006 in force
        (SCR, date(2019, 9, 29)),  # the last day an LSCB existed
        (LCSPR, date(2018, 6, 29)),  # the first day of the new arrangements, nationally
        (OTHER, date(2012, 5, 1)),
        (OTHER, date(2025, 5, 1)),
    ],
)
def test_check_decision_accepts_the_boundary_days(kind: str, day: date) -> None:
    regime.check_decision(kind, day)  # no error


def test_check_decision_refuses_a_serious_case_review_after_the_lscbs_ended() -> None:
    message = _refusal(SCR, date(2019, 9, 30))
    assert "LSCBs ended on 29 September 2019 at the latest" in message
    assert "choose that kind" in message
    assert "29 September 2019" in _refusal(SCR, date(2025, 3, 3))


def test_check_decision_refuses_a_serious_case_review_before_the_2006_regulations() -> None:
    assert "began on 1 April 2006" in _refusal(SCR, date(2006, 3, 31))


def test_check_decision_refuses_a_local_practice_review_before_the_new_arrangements() -> None:
    message = _refusal(LCSPR, date(2018, 6, 28))
    assert "29 June 2018 at the earliest (SI 2018/789)" in message
    assert "was a serious case review decided by the LSCB" in message
    assert "2015" in _refusal(LCSPR, date(2015, 5, 1))


@override_settings(PARTNERSHIP_ARRANGEMENTS_BEGAN_ON=date(2019, 4, 1))
def test_the_partnerships_own_start_date_moves_both_boundaries() -> None:
    regime.check_decision(LCSPR, date(2019, 4, 1))
    regime.check_decision(SCR, date(2019, 3, 31))
    assert "this partnership's safeguarding arrangements began on 1 April 2019" in _refusal(LCSPR, date(2019, 3, 31))
    assert "this partnership's safeguarding arrangements began on 1 April 2019" in _refusal(SCR, date(2019, 4, 1))
    assert regime.regime_for(OTHER, date(2019, 3, 31)) == Regime.LSCB
    assert regime.regime_for(OTHER, date(2019, 4, 1)) == Regime.PARTNERS


def test_regime_for_kind_and_date() -> None:
    assert regime.regime_for(SCR, date(2017, 11, 6)) == Regime.LSCB
    assert regime.regime_for(LCSPR, date(2020, 1, 6)) == Regime.PARTNERS
    assert regime.regime_for(OTHER, date(2018, 6, 28)) == Regime.LSCB
    assert regime.regime_for(OTHER, date(2018, 6, 29)) == Regime.PARTNERS


@pytest.mark.parametrize(
    ("kind", "day", "edition"),
    [
        (SCR, date(2012, 1, 9), "Working Together to Safeguard Children 2010 (chapter 8)"),
        (SCR, date(2013, 4, 15), "Working Together to Safeguard Children 2013 (chapter 4)"),
        (SCR, date(2015, 3, 25), "Working Together to Safeguard Children 2013 (chapter 4)"),
        (SCR, date(2015, 3, 26), "Working Together to Safeguard Children 2015 (chapter 4)"),
        (SCR, date(2019, 9, 29), "Working Together to Safeguard Children 2015 (chapter 4)"),
        (LCSPR, date(2018, 6, 29), "Working Together to Safeguard Children 2018 (chapter 4)"),
        (LCSPR, date(2023, 12, 14), "Working Together to Safeguard Children 2018 (chapter 4)"),
        (LCSPR, date(2023, 12, 15), "Working Together to Safeguard Children 2023 (chapter 5)"),
    ],
)
def test_guidance_edition_by_the_date_of_the_decision(kind: str, day: date, edition: str) -> None:
    assert regime.of(kind, day).guidance.citation == edition


def test_an_lscb_review_after_june_2018_cites_the_transitional_guidance() -> None:
    assert "transitional guidance (2018)" in regime.of(SCR, date(2018, 9, 3)).guidance_sentence
    assert "transitional" not in regime.of(SCR, date(2017, 11, 6)).guidance_sentence


def test_the_table_names_each_regime_and_its_law() -> None:
    lscb, partners = regime.RULES[Regime.LSCB], regime.RULES[Regime.PARTNERS]
    assert lscb.decider == "the LSCB"
    assert not lscb.has_rapid_review
    assert "sections 13 and 14 of the Children Act 2004 (with section 14B" in lscb.legal_basis
    assert "regulation 5 of the Local Safeguarding Children Boards Regulations 2006" in lscb.legal_basis
    assert partners.decider == "the safeguarding partners"
    assert partners.has_rapid_review
    assert "16B to 16C" in partners.legal_basis
    assert "SI 2018/789" in partners.legal_basis


def test_deciding_a_local_practice_review_in_2015_is_refused(rc: ReviewCast) -> None:
    review = rc.to_decision(rc.notify())
    with pytest.raises(ValidationError) as caught:
        services.decide_practice_review(
            actor=rc.business, review=review, version=review.version, kind=LCSPR, decided_on=date(2015, 5, 1)
        )
    assert "SI 2018/789" in caught.value.message_dict["decided_on"][0]
    review.refresh_from_db()
    assert review.stage == Stage.DECISION
    assert not PracticeReview.objects.filter(review=review).exists()


def test_recording_a_serious_case_review_decided_in_2025_is_refused(rc: ReviewCast) -> None:
    with pytest.raises(ValidationError) as caught:
        services.open_legacy_review(
            actor=rc.business,
            title="Child Z (serious case review)",
            decided_on=date(2025, 2, 3),
            children=[services.ChildInput(rc.cast.child, "Child Z")],
        )
    assert "29 September 2019" in caught.value.message_dict["decided_on"][0]
    assert not Review.objects.exists()


def test_the_command_records_an_earlier_review_in_the_regime_of_its_date(rc: ReviewCast) -> None:
    # The business unit's way to record a review that began before the Hub: the same service and checks.
    child = rc.cast.child
    args = ["record_earlier_review", "Child Q", "--child", f"{child.nhs_number}:Child Q", "--actor"]
    with pytest.raises(CommandError, match="29 September 2019"):
        call_command(*args, rc.business.username, "--decided-on", "2025-02-03")
    with pytest.raises(CommandError, match="SI 2018/789"):
        call_command(*args, rc.business.username, "--decided-on", "2015-05-01", "--kind", LCSPR)
    with pytest.raises(CommandError, match="Only the business unit"):
        call_command(*args, rc.reviewer.username, "--decided-on", "2017-11-06")
    assert not Review.objects.exists()
    out = io.StringIO()
    call_command(*args, rc.business.username, "--decided-on", "2017-11-06", stdout=out)
    review = Review.objects.get()
    assert out.getvalue().startswith(f"Recorded {review.reference}: Child Q, in progress.")
    assert (review.stage, review.practice_review.kind) == (Stage.IN_PROGRESS, ReviewKind.SCR)
    assert regime.of_review(review).regime == Regime.LSCB  # type: ignore[union-attr]


def test_a_serious_case_review_of_2017_is_recorded_in_the_lscb_regime(rc: ReviewCast) -> None:
    review = services.open_legacy_review(
        actor=rc.business,
        title="Child R (serious case review, 2017)",
        decided_on=date(2017, 11, 6),
        children=[services.ChildInput(rc.cast.child, "Child R")],
        at=at(date(2017, 11, 6)),
    )
    found = regime.of_review(review)
    assert found is not None
    assert found.regime == Regime.LSCB
    assert found.guidance.title == "Working Together to Safeguard Children 2015"


def test_the_transition_api_refuses_a_local_practice_review_in_2015(rc: ReviewCast) -> None:
    review = rc.to_decision(rc.notify())
    client = signed_in_client(rc.business, verified=True)
    response = client.post(
        f"/api/v1/reviews/{review.pk}/transition/",
        {"to_stage": "in_progress", "version": review.version, "kind": "lcspr", "decided_on": "2015-05-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "SI 2018/789" in str(response.json())


def test_the_api_and_the_page_show_the_regime(rc: ReviewCast, client_for: Any) -> None:
    review = rc.to_in_progress(rc.notify())
    client = signed_in_client(rc.business, verified=True)
    shown = client.get(f"/api/v1/reviews/{review.pk}/").json()["regime"]
    assert shown["regime"] == "partners"
    assert shown["decided_by"] == "the safeguarding partners"
    assert shown["legal_basis"] == "Children Act 2004, ss.16B–16C and 16E–16F; SI 2018/789"
    assert shown["guidance"] == "Working Together to Safeguard Children 2023 (chapter 5)"
    page = client_for(rc.business).get(f"/reviews/{review.pk}/").content.decode()
    assert "20 March 2026, by the safeguarding partners" in page
    assert "SI 2018/789" in page
