"""`manage.py seed_demo`: a believable synthetic partnership, the same for the same seed, with the
demo accounts the README lists. One small seed is made per module and rolled back at the end."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.agencies.enums import HUMAN_ROLES, AgencyKind, Role
from safeguarding.agencies.models import Agency, Membership, User
from safeguarding.children.demo import DEMO_PASSWORD, DEMO_TOTP_KEY, DEMO_TOTP_SECRET, PERSONAS, seed
from safeguarding.children.demo.families import school_start, school_year
from safeguarding.children.demo.featured import whitlock_dates
from safeguarding.children.enums import RelationshipKind
from safeguarding.children.models import AccessGrant, Adult, Child, Household, Involvement, Relationship
from safeguarding.children.queries import children_visible_to
from safeguarding.children.tests import demo_statutory
from safeguarding.children.validators import nhs_number_is_valid
from safeguarding.chronology.models import EventChild
from safeguarding.core.demo import DemoContext
from safeguarding.core.enums import Confidentiality
from safeguarding.core.models import ActivityLog
from safeguarding.plans.enums import AgreementMethod
from safeguarding.plans.models import CarePlan
from safeguarding.reviews import demo_decisions
from safeguarding.reviews.enums import Action, PanelResponse, Recommendation, ReviewKind, Stage
from safeguarding.reviews.models import Review, ReviewChild
from safeguarding.reviews.timeline import partners_not_informed

SEED = 7


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """One small demo for the whole module, inside a transaction rolled back afterwards (each test
    runs in a savepoint inside it). Small chunks make the seed take its multi-chunk path."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        with mock.patch.object(seed, "HOUSEHOLDS_PER_CHUNK", 40):
            call_command("seed_demo", "--seed", str(SEED), stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded: str, db: None) -> str:
    return seeded


def user(username: str) -> User:
    return User.objects.get(username=username)


def brothers() -> list[Child]:
    return list(Child.objects.filter(last_name="Whitlock").order_by("date_of_birth"))


# --- The partnership and its people ---------------------------------------------------------------


def test_seed_demo_small_creates_a_partnership_of_every_kind(demo):
    agencies = Agency.objects.all()
    assert 15 <= agencies.count() <= 20
    kinds = set(agencies.values_list("kind", flat=True))
    assert kinds == set(AgencyKind.values) - {AgencyKind.OTHER}
    assert set(agencies.filter(partner_status="statutory").values_list("kind", flat=True)) == {
        AgencyKind.POLICE,
        AgencyKind.CHILDRENS_SOCIAL_CARE,
        AgencyKind.HEALTH,
    }
    assert all(a.teams.exists() for a in agencies)
    assert User.objects.count() >= 60
    assert set(Membership.objects.active().values_list("role", flat=True)) == set(HUMAN_ROLES)


def test_seed_demo_small_creates_families(demo):
    assert 150 <= Child.objects.count() <= 300
    assert 70 <= Household.objects.count() <= 150
    today = timezone.localdate()
    ages = {child.age_on(today) for child in Child.objects.all()}
    assert min(ages) == 0
    assert max(ages) == 17
    postcode = re.compile(r"^NB[1-9] [1-9][ABD-HJLNP-UW-Z]{2}$")
    for household in Household.objects.all():
        assert household.town == "Northbridge"
        assert postcode.match(household.postcode), household.postcode
    # Every child has a mother recorded, and sibling links run both ways.
    # Every child the families were built with has a mother recorded; the only records without one are
    # the unverified ones the housing association's tenancy file made (the linking demo's possible matches).
    assert Child.objects.filter(is_verified=True).exclude(relationships__kind=RelationshipKind.MOTHER).count() == 0
    siblings = set(Relationship.objects.filter(other_child__isnull=False).values_list("child_id", "other_child_id"))
    assert siblings
    assert all((b, a) in siblings for a, b in siblings)


def test_seed_demo_prints_a_summary_and_the_demo_accounts(demo):
    assert "Demo partnership created in" in demo
    for username, _ in PERSONAS:
        assert f"  {username} " in demo
    assert f"Every demo account's password: {DEMO_PASSWORD}" in demo
    assert DEMO_TOTP_SECRET in demo


def test_seed_demo_persona_accounts_sign_in_with_password_and_authenticator(demo, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    token = TOTP(bytes.fromhex(DEMO_TOTP_KEY)).token()
    # One Argon2 hash serves every demo account (same password), so checking one checks them all.
    assert user("admin").check_password(DEMO_PASSWORD)
    # Demo staff share it; people later demo steps add only to fill registers (learning-event
    # attendees) have no usable password and cannot sign in at all.
    staff = User.objects.filter(username__in=seed.demo_staff(SEED).usernames)
    assert set(staff.values_list("password", flat=True)) == {user("admin").password}
    others = User.objects.exclude(pk__in=staff.values("pk"))
    assert not any(u.has_usable_password() for u in others)
    for username, _ in PERSONAS:
        person = user(username)
        assert person.is_active
        assert person.active_memberships, username
        device = TOTPDevice.objects.get(user=person, name="Demo authenticator")
        assert device.confirmed
        assert device.key == DEMO_TOTP_KEY
        assert device.verify_token(token), username
    admin = user("admin")
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    assert not User.objects.filter(is_superuser=True).exclude(username="admin").exists()
    assert TOTPDevice.objects.filter(confirmed=True).count() == staff.count()


def test_demo_totp_secret_is_the_base32_form_of_the_key():
    assert re.fullmatch(r"[0-9a-f]{40}", DEMO_TOTP_KEY)
    assert base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode() == DEMO_TOTP_SECRET


def test_seed_demo_persona_roles_and_agencies(demo):
    expected = {
        "practitioner.hv": ("NBCH", "HV", Role.PRACTITIONER),
        "practitioner.school": ("SCH-ALD", "PAST", Role.PRACTITIONER),
        "dsl.school": ("SCH-ALD", "SLT", Role.SAFEGUARDING_LEAD),
        "practitioner.police": ("NBP", "PPU", Role.PRACTITIONER),
        "practitioner.csc": ("NBC-CSC", "AST", Role.PRACTITIONER),
        "manager.csc": ("NBC-CSC", "AST", Role.MANAGER),
        "senior.csc": ("NBC-CSC", None, Role.SENIOR_MANAGER),
        "practitioner.housing": ("NBH", "TST", Role.PRACTITIONER),
        "business.unit": ("NSCP-BU", "BU", Role.BUSINESS_UNIT),
        "reviewer": ("NSCP-BU", None, Role.REVIEWER),
        "scrutineer": ("NSCP-BU", None, Role.SCRUTINEER),
        "data.steward": ("NSCP-BU", "BU", Role.DATA_STEWARD),
        "admin": ("NSCP-BU", "BU", Role.ADMINISTRATOR),
    }
    assert set(expected) == {username for username, _ in PERSONAS}
    for username, membership in expected.items():
        held = list(user(username).memberships.values_list("agency__code", "team__code", "role"))
        assert held == [membership], username


# --- Same seed, same people -----------------------------------------------------------------------


def _people(seed_number: int) -> list[tuple[str, str, str | None]]:
    return [
        (c.first_name, c.last_name, c.nhs_number)
        for household in seed.demo_households(seed_number, "small")
        for c in household.children
    ]


def test_seed_demo_is_deterministic_for_a_seed(demo):
    assert _people(SEED) == _people(SEED)
    assert _people(SEED) != _people(SEED + 1)
    # What the command wrote is exactly the plan for its seed.
    # (Later demo steps may add children of their own after these, e.g. the alert demo's.)
    written = list(Child.objects.order_by("id").values_list("first_name", "last_name", "nhs_number"))
    assert written[: len(_people(SEED))] == _people(SEED)


def test_seed_demo_staff_are_the_same_for_a_seed():
    assert seed.demo_staff(SEED).data == seed.demo_staff(SEED).data
    assert seed.demo_staff(SEED).usernames != seed.demo_staff(SEED + 1).usernames


def test_seed_demo_nhs_numbers_are_valid_test_range_numbers(demo):
    numbers = [
        *Child.objects.exclude(nhs_number=None).values_list("nhs_number", flat=True),
        *Adult.objects.exclude(nhs_number=None).values_list("nhs_number", flat=True),
    ]
    assert Child.objects.exclude(nhs_number=None).count() >= 100
    assert all(n.startswith("999") and nhs_number_is_valid(n) for n in numbers)


# --- Involvements and who sees whom ---------------------------------------------------------------


def test_seed_demo_lead_professionals_work_for_the_involved_agency(demo):
    agencies_of: dict[int, set[int]] = {}
    for user_id, agency_id in Membership.objects.active().values_list("user_id", "agency_id"):
        agencies_of.setdefault(user_id, set()).add(agency_id)
    involvements = Involvement.objects.exclude(lead_professional=None).values_list("lead_professional_id", "agency_id")
    assert len(involvements) > 100
    for lead_id, agency_id in involvements:
        assert agency_id in agencies_of[lead_id]


def test_seed_demo_has_a_few_restricted_involvements_and_live_grants(demo):
    restricted = Involvement.objects.filter(confidentiality=Confidentiality.RESTRICTED)
    assert 1 <= restricted.count() <= 25
    assert all(",safeguarding_lead," in inv.restricted_to_roles for inv in restricted)
    assert set(restricted.values_list("agency__code", flat=True)) == {"NBMH"}
    assert AccessGrant.objects.active().count() >= 2
    assert set(Involvement.objects.values_list("lawful_basis", flat=True)) >= {"public_task", "consent"}


def test_seed_demo_featured_brothers_have_the_review_picture(demo):
    tyler, mason = brothers()
    today = timezone.localdate()
    assert (tyler.first_name, tyler.age_on(today)) == ("Tyler", 7)
    assert (mason.first_name, mason.age_on(today)) == ("Mason", 2)
    assert Relationship.objects.filter(child=tyler, other_child=mason, kind=RelationshipKind.SIBLING).exists()
    open_now = {
        (inv.agency.code, inv.lead_professional.username if inv.lead_professional else None)
        for inv in Involvement.objects.active_on(today).filter(child=mason).select_related("agency")
    }
    assert open_now == {
        ("NBCH", "practitioner.hv"),
        ("GP-CAN", None),
        ("NBP", "practitioner.police"),
        ("NBC-CSC", "practitioner.csc"),
    }
    tyler_agencies = set(
        Involvement.objects.active_on(today).filter(child=tyler).values_list("agency__code", flat=True)
    )
    assert tyler_agencies == {"NBCH", "SCH-ALD", "GP-CAN", "NBP", "NBC-CSC"}
    early_help = Involvement.objects.get(child=tyler, agency__code="NBC-EH")
    assert early_help.end is not None
    assert early_help.end < today
    assert "non-engagement" in early_help.service
    assert not Involvement.objects.filter(child__in=[tyler, mason], agency__code="NBH").exists()


def test_seed_demo_housing_practitioner_sees_only_its_own_caseload(demo):
    tyler, mason = brothers()
    housing = children_visible_to(user("practitioner.housing"))
    assert not housing.filter(pk__in=[tyler.pk, mason.pk]).exists()
    assert 1 <= housing.count() <= Child.objects.count() // 5
    assert all(Involvement.objects.active_on().filter(child=child, agency__code="NBH").exists() for child in housing)


def test_seed_demo_health_visitor_sees_the_brothers_and_leads_for_some_children(demo):
    tyler, mason = brothers()
    health_visitor = user("practitioner.hv")
    assert set(children_visible_to(health_visitor).filter(last_name="Whitlock")) == {tyler, mason}
    assert Involvement.objects.active_on().filter(lead_professional=health_visitor).count() >= 5


def test_seed_demo_school_staff_see_the_schools_pupils(demo):
    tyler, mason = brothers()
    pupils = set(Involvement.objects.active_on().filter(agency__code="SCH-ALD").values_list("child_id", flat=True))
    assert len(pupils) >= 10
    for username in ("practitioner.school", "dsl.school"):
        visible = children_visible_to(user(username))
        assert set(visible.values_list("id", flat=True)) == pupils
        assert visible.filter(pk=tyler.pk).exists()
        assert not visible.filter(pk=mason.pk).exists()


def test_seed_demo_reviewer_sees_the_brothers_through_a_grant_only(demo):
    visible = children_visible_to(user("reviewer"))
    assert set(visible) == set(brothers())
    assert not children_visible_to(user("scrutineer")).exists()


def test_seed_demo_pupils_are_at_the_right_school_for_their_year(demo):
    today = timezone.localdate()
    primary, secondary = {"SCH-ALD", "SCH-ELM"}, {"SCH-NHS", "SCH-STH"}
    for inv in Involvement.objects.filter(agency__kind=AgencyKind.SCHOOL).select_related("agency", "child"):
        dob = inv.child.date_of_birth
        assert dob is not None
        year_group = school_year(dob, today)
        assert year_group is not None
        assert inv.agency.code in (secondary if year_group >= 7 else primary)
        assert inv.start >= school_start(dob)


# --- Case reviews after the decision (reviews/demo_decisions.py) ---------------------------------


def _review(pseudonym: str) -> Review:
    return Review.objects.get(child_links__pseudonym=pseudonym)


def test_seed_demo_has_a_looked_after_childs_death_with_both_copies_dated(demo):
    review = _review("Child S")
    notification = review.notification
    assert notification.looked_after_death
    assert not notification.abuse_or_neglect  # notified whatever the cause (s.16C(2))
    assert notification.aware_on <= notification.ofsted_sent_on <= timezone.localdate()
    assert notification.aware_on <= notification.secretary_of_state_sent_on <= timezone.localdate()
    assert review.stage == Stage.AWAITING_PANEL
    assert review.rapid_review.recommendation == Recommendation.NATIONAL_REVIEW


def test_seed_demo_has_harm_outside_england_with_the_area_informed_and_a_national_review(demo):
    review = _review("Child T")
    notification = review.notification
    assert notification.harm_outside_england
    assert notification.harm_location == demo_decisions.HARM_LOCATION == "Cardiff, Wales"
    assert notification.aware_on <= notification.harm_area_informed_on <= timezone.localdate()
    assert review.stage == Stage.NATIONAL_REVIEW
    rapid = review.rapid_review
    assert rapid.panel_response == PanelResponse.ACCEPTED
    assert rapid.panel_response_words == demo_decisions.PANEL_WORDS[PanelResponse.ACCEPTED]
    assert rapid.sent_to_panel_on <= rapid.panel_responded_on <= timezone.localdate()


def test_seed_demo_has_a_review_the_panel_returned_for_a_local_review(demo):
    review = _review("Child U")
    assert review.stage == Stage.IN_PROGRESS
    assert review.rapid_review.panel_response == PanelResponse.RETURNED
    assert review.practice_review.kind == ReviewKind.LCSPR
    assert review.practice_review.decided_on == review.rapid_review.panel_responded_on


def test_seed_demo_has_a_review_closed_by_the_panel_and_reopened_with_a_reason(demo):
    review = _review("Child V")
    assert review.stage == Stage.DECISION  # closed from awaiting the Panel: back to the local decision
    rows = list(review.stage_changes.order_by("at", "id").values_list("action", "from_stage", "to_stage", "reason"))
    assert rows[-2][:3] == (Action.PANEL_NO_REVIEW, Stage.AWAITING_PANEL, Stage.CLOSED)
    assert rows[-1] == (Action.REOPENED, Stage.CLOSED, Stage.DECISION, demo_decisions.REOPEN_REASON)
    assert review.stage_changes.order_by("at", "id").last().actor == user("business.unit")


def test_seed_demo_has_a_partner_not_yet_informed(demo):
    review = _review("Child W")
    informed = [row.agency.kind for row in review.notification.partners_informed.all()]
    assert informed == [AgencyKind.POLICE]
    assert [a.kind for a in partners_not_informed(review)] == [AgencyKind.HEALTH]
    # Every other demo notification told all the partners.
    others = Review.objects.filter(child_links__pseudonym__in=["Child S", "Child T", "Child U", "Child V"])
    assert all(not partners_not_informed(r) for r in others)


def test_seed_demo_decisions_are_on_synthetic_children_of_their_own_and_dated_by_today(demo):
    pseudonyms = ["Child S", "Child T", "Child U", "Child V", "Child W"]
    links = ReviewChild.objects.filter(pseudonym__in=pseudonyms)
    assert links.count() == 5
    # Each child is one of the demo's own families' children, on no other demo review.
    assert all(ReviewChild.objects.filter(child=link.child).count() == 1 for link in links)
    assert all(link.child.is_verified and link.child.last_name != "Whitlock" for link in links)
    today = timezone.localdate()
    for link in links:
        assert all(timezone.localdate(h.at) <= today for h in link.review.stage_changes.all())


def test_seed_demo_rapid_reviews_and_notifications_are_sent_on_time(demo):
    # The demo shows what a partnership that keeps its clocks sees: every notification and rapid review
    # sent is on time (a late one would read "Late" on monitoring, as CR-0003 once did).
    sent = Review.objects.filter(rapid_review__sent_to_panel_on__isnull=False).select_related(
        "notification", "rapid_review"
    )
    assert sent.count() >= 10
    for review in sent:
        assert review.notification.sent_to_panel_on <= review.notification.due_on, review.reference
        assert review.rapid_review.sent_to_panel_on <= review.rapid_review.due_on, review.reference


def test_seed_demo_decisions_step_runs_once(demo):
    before = (Review.objects.count(), ActivityLog.objects.count())
    demo_decisions.seed_review_decisions(DemoContext(size="small", seed=SEED, log=lambda _: None))
    assert (Review.objects.count(), ActivityLog.objects.count()) == before


# --- Activity log and guards ----------------------------------------------------------------------


def test_seed_demo_writes_one_demo_seeded_row_with_counts(demo):
    row = ActivityLog.objects.get(action="demo.seeded")
    assert row.via == "command"
    assert row.changes["seed"] == SEED
    assert row.changes["size"] == "small"
    # The counts are what the families step wrote (later demo steps add to the tables).
    assert row.changes["children"] == len(_people(SEED))
    assert 0 < row.changes["involvements"] <= Involvement.objects.count()
    assert row.changes["users"] == len(seed.demo_staff(SEED).usernames)
    # Seeding logs no child; the only child rows are the records the tenancy file's import created,
    # which the importer logs as it logs every import.
    created = ActivityLog.objects.filter(action__startswith="child.")
    assert created.count() == Child.objects.filter(is_verified=False).count()
    assert set(created.values_list("action", flat=True)) == {"child.created"}


def test_seed_demo_if_empty_does_nothing_when_agencies_exist(demo):
    before = (Agency.objects.count(), User.objects.count(), Child.objects.count(), ActivityLog.objects.count())
    out = StringIO()

    call_command("seed_demo", "--if-empty", stdout=out)

    assert "already has agencies, so no demo data was added" in out.getvalue()
    assert (Agency.objects.count(), User.objects.count(), Child.objects.count(), ActivityLog.objects.count()) == before


def test_seed_demo_refuses_a_database_that_already_holds_children(demo):
    with pytest.raises(CommandError, match="already holds children"):
        call_command("seed_demo", stdout=StringIO())


def test_seed_demo_refuses_to_run_in_production(settings, db):
    settings.PRODUCTION = True
    before = (Agency.objects.count(), Child.objects.count())

    with pytest.raises(CommandError, match="does not run in production"):
        call_command("seed_demo", "--if-empty", stdout=StringIO())

    assert (Agency.objects.count(), Child.objects.count()) == before


def test_seed_demo_committee_reports_read_in_the_regime_of_their_review(demo: str) -> None:
    """Issue 15: the demo's 2017 serious case review (the LSCB, the 2006 Regulations, no rapid review)
    and its local child safeguarding practice review (the partners, SI 2018/789) each read in their
    own regime, in the report as generated from the demo's own text."""
    from safeguarding.publishing.content import build_content
    from safeguarding.publishing.demo import FEATURED_REVIEW, SCR_REVIEW
    from safeguarding.publishing.models import CommitteeReport
    from safeguarding.publishing.rendering import render_html

    def report_text(title: str) -> str:
        report = CommitteeReport.objects.get(review__title=title)
        return " ".join(render_html(build_content(report, report.texts.first())).split())

    scr = report_text(SCR_REVIEW)
    assert "Local Safeguarding Children Boards Regulations 2006" in scr
    assert "rapid review" not in scr.lower()
    assert "SI 2018/789" not in scr
    assert "Working Together to Safeguard Children 2023" not in scr

    lcspr = report_text(FEATURED_REVIEW)
    assert "SI 2018/789" in lcspr
    assert "safeguarding partners" in lcspr
    assert "rapid review" in lcspr.lower()
    assert "within five working days of becoming aware" in lcspr
    assert "Local Safeguarding Children Boards Regulations 2006" not in lcspr


def test_seed_demo_serious_case_review_is_completed_on_time(demo: str) -> None:
    """Issue 15: the demo SCR (decided 6 November 2017, final report 24 April 2018, published 17 May 2018) is
    on time on its completion target (Working Together 2015, chapter 4), not late on a publication target."""
    from datetime import date

    from safeguarding.publishing.content import review_timeliness
    from safeguarding.publishing.demo import SCR_REVIEW
    from safeguarding.reviews.enums import Timeliness
    from safeguarding.reviews.queries import monitoring_rows

    row = next(r for r in monitoring_rows() if r.review.title == SCR_REVIEW)
    assert row.clock is not None
    assert (row.clock.label, row.clock.due_on, row.clock.met_on) == ("Completion", date(2018, 5, 6), date(2018, 4, 24))
    assert row.timeliness == Timeliness.ON_TIME
    assert review_timeliness(row.review, date.today()).startswith(
        "Completed (final report received) on 24 April 2018, within the completion target of 6 May 2018"
    )


# --- The statutory process (issue 17: demo data a practitioner would not wince at) -----------------


def test_seed_demo_social_care_follows_the_statutory_process(demo: str) -> None:
    assert demo_statutory.problems() == []
    covered = demo_statutory.counts()
    assert covered["child_protection_children"] >= 5
    assert covered["plans"] >= 4


def test_seed_demo_featured_brothers_have_one_date_for_each_event(demo: str) -> None:
    tyler, mason = brothers()
    dates = whitlock_dates(timezone.localdate())
    emergency = EventChild.objects.get(child=mason, event__event_type__code="emergency_department_attendance")
    assert emergency.occurred_on == dates.injury
    assert Involvement.objects.get(child=mason, agency__code="NGH").start == dates.injury
    assert Review.objects.get(title="Child A and Child B").notification.incident_on == dates.injury
    strategy = EventChild.objects.filter(child=tyler, event__event_type__code="strategy_discussion")
    assert {e.occurred_on for e in strategy} == {dates.strategy_discussion}
    assert "threshold for section 47 enquiries met" in strategy.get(agency__code="NBC-CSC").event.summary.lower()
    plan = CarePlan.objects.get(children=mason)
    assert plan.started_on == dates.initial_conference
    assert f"{dates.injury:%-d %B %Y}" in plan.versions.get(number=1).harm
    assert plan.versions.get(number=1).agreement.method == AgreementMethod.CONFERENCE
    assert {"Kayleigh Whitlock", "Ryan Whitlock"} <= {p.name for p in plan.participants.all()}
    assert plan.reviews.order_by("held_on").last().next_review_on == dates.next_review_conference
