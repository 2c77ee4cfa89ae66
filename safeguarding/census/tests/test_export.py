"""The census export from the Hub's holdings: how each element is derived, what the year holds, the
XML written, and the activity log (docs/cin-census.md)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import time_machine

from safeguarding.census.holdings import census_returns
from safeguarding.census.records import CPPlan, Section47
from safeguarding.census.services import export_cin_census
from safeguarding.census.tests.histories import NOW, D, Histories, add_detail, build_histories, entry
from safeguarding.census.years import CensusYear
from safeguarding.chronology.models import Event
from safeguarding.core.models import ActivityLog

YEAR = CensusYear(2025)

pytestmark = pytest.mark.django_db


@pytest.fixture
def histories() -> Histories:
    with time_machine.travel(NOW, tick=False):
        yield build_histories()


def test_a_child_protection_episode_is_derived_from_the_entries(histories: Histories) -> None:
    returns = {r.la_child_id: r for r in census_returns(histories.csc, YEAR)}
    assert set(returns) == {"T0001", "T0002"}  # T0003's referral was decided before the year
    child = returns["T0001"]
    assert (child.upn, child.sex, child.ethnicity, child.disabilities) == ("Y201026000123", "M", "WBRI", ["NONE"])
    [episode] = child.episodes
    # The school's referral, decided by social care the next day: the source is the school's kind.
    assert (episode.referral, episode.source, episode.primary_need) == (D(2025, 5, 5), "2A", "N1")
    assert (episode.closure, episode.closure_reason, episode.nfa) == (D(2026, 2, 27), "RC7", False)
    [assessment] = episode.assessments
    assert (assessment.start, assessment.authorised) == (D(2025, 5, 5), D(2025, 5, 20))
    assert assessment.factors == ["16A"]  # the school's neglect concern before the referral
    # 15 working days from the strategy discussion (7 May; the late May bank holiday is 26 May).
    assert episode.section47s == [Section47(D(2025, 5, 7), D(2025, 5, 29), D(2025, 5, 28), False)]
    assert episode.cp_plans == [CPPlan(D(2025, 5, 28), D(2026, 2, 20), "NEG", "NEG", 0, [D(2025, 8, 28)])]


def test_a_referral_with_no_further_action_stays_open_and_has_no_activity(histories: Histories) -> None:
    child = next(r for r in census_returns(histories.csc, YEAR) if r.la_child_id == "T0002")
    [episode] = child.episodes
    assert (episode.referral, episode.source, episode.nfa, episode.closure) == (D(2025, 10, 1), "6", True, None)
    assert (episode.assessments, episode.section47s, episode.cp_plans) == ([], [], [])
    assert child.sex == "F"


def test_stored_census_details_win_over_derived_values(histories: Histories) -> None:
    plan = Event.objects.get(event_type__code="plan_started", child_links__child=histories.protected)
    add_detail(plan, initial_category="EMO", latest_category="PHY", previous_plans=2)
    done = Event.objects.get(event_type__code="assessment_completed", child_links__child=histories.protected)
    add_detail(done, factors=["3B", "4B"], internal_review_date=D(2025, 5, 12))
    [episode] = census_returns(histories.csc, YEAR, child_ids=[histories.protected.pk])[0].episodes
    assert (episode.cp_plans[0].initial_category, episode.cp_plans[0].latest_category) == ("EMO", "PHY")
    assert episode.cp_plans[0].previous_plans == 2
    assert (episode.assessments[0].factors, episode.assessments[0].internal_review) == (["3B", "4B"], D(2025, 5, 12))


def test_the_year_holds_nothing_after_its_reference_date(histories: Histories) -> None:
    with time_machine.travel(NOW, tick=False):
        entry(histories.social_worker, histories.csc, histories.nfa, "referral_to_csc", D(2026, 4, 15), "1B")
        entry(histories.social_worker, histories.csc, histories.nfa, "assessment_started", D(2026, 4, 16))
        entry(histories.social_worker, histories.csc, histories.nfa, "assessment_completed", D(2026, 5, 20))
    [earlier] = census_returns(histories.csc, YEAR, child_ids=[histories.nfa.pk])[0].episodes
    assert (earlier.referral, earlier.nfa, earlier.assessments) == (D(2025, 10, 1), True, [])
    # 2026-27: the new referral and its assessment; the NFA decided before that year is not in it.
    [later] = census_returns(histories.csc, CensusYear(2026), child_ids=[histories.nfa.pk])[0].episodes
    assert (later.referral, later.source, later.nfa) == (D(2026, 4, 15), "1B", False)
    assert [(a.start, a.authorised) for a in later.assessments] == [(D(2026, 4, 16), D(2026, 5, 20))]


def test_a_plan_that_ended_before_the_year_is_left_out_and_an_involvement_end_closes_the_episode(
    histories: Histories,
) -> None:
    with time_machine.travel(NOW, tick=False):
        child, sw, csc = histories.earlier, histories.social_worker, histories.csc
        entry(sw, csc, child, "referral_to_csc", D(2025, 3, 3), "2A")
        entry(sw, csc, child, "plan_started", D(2025, 3, 10), "child_in_need")
        entry(sw, csc, child, "plan_ended", D(2025, 3, 28), "child_in_need")
        entry(sw, csc, child, "plan_started", D(2025, 4, 10), "child_in_need")
    child.involvements.filter(agency=csc).update(end=D(2025, 9, 30))
    [episode] = census_returns(csc, YEAR, child_ids=[child.pk])[0].episodes
    assert [(p.start, p.end) for p in episode.cin_plans] == [(D(2025, 4, 10), D(2025, 9, 30))]
    assert (episode.closure, episode.closure_reason) == (D(2025, 9, 30), "RC7")


def test_the_xml_has_the_censuss_elements_in_order_and_every_child_is_logged(histories: Histories) -> None:
    with time_machine.travel(NOW, tick=False):
        result = export_cin_census(actor=histories.social_worker, agency=histories.csc, year=YEAR)
    root = ET.fromstring(result.content)
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == "2026-03-31"
    assert root.findtext("Header/CollectionDetails/Year") == "2026"
    child = root.find("Children/Child")
    assert [e.tag for e in child.find("ChildIdentifiers")] == ["LAchildID", "UPN", "PersonBirthDate", "Sex"]
    details = child.find("CINdetails")
    assert [e.tag for e in details][:6] == [
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "ReferralNFA",
    ]
    assert details.findtext("ReferralNFA") == "0"
    assert details.findtext("Section47/ICPCnotRequired") == "0"
    assert [r.text for r in details.findall("ChildProtectionPlans/Reviews/CPPreviewDate")] == ["2025-08-28"]
    assert (result.children, result.episodes, result.filename) == (2, 2, "cin-census-2025-26-csc.xml")
    logged = ActivityLog.objects.filter(action="census.exported", actor=histories.social_worker)
    assert set(logged.values_list("subject_child_id", flat=True)) == {histories.protected.pk, histories.nfa.pk}
    assert ActivityLog.objects.filter(action="census.export").get().changes == {
        "year": "2025-26",
        "children": 2,
        "episodes": 2,
    }


def test_without_an_enquiry_entry_the_strategy_discussion_before_the_conference_starts_it(
    histories: Histories,
) -> None:
    with time_machine.travel(NOW, tick=False):
        child, sw, csc = histories.earlier, histories.social_worker, histories.csc
        entry(sw, csc, child, "referral_to_csc", D(2025, 9, 1), "6")
        entry(sw, csc, child, "strategy_discussion", D(2025, 9, 2))
        entry(sw, csc, child, "child_protection_conference", D(2025, 9, 19))  # no category: the initial one
        entry(sw, csc, child, "plan_started", D(2025, 9, 19), "child_protection")
        entry(sw, csc, child, "child_protection_conference", D(2025, 12, 19))  # during the plan: a review
    [episode] = census_returns(csc, YEAR, child_ids=[child.pk])[0].episodes
    assert [(e.start, e.icpc, e.icpc_not_required) for e in episode.section47s] == [
        (D(2025, 9, 2), D(2025, 9, 19), False)
    ]
    [plan] = episode.cp_plans
    assert (plan.start, plan.end, plan.reviews, plan.previous_plans) == (D(2025, 9, 19), None, [D(2025, 12, 19)], 0)
