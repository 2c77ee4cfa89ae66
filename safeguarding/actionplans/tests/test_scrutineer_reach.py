"""A scrutineer's way around (issue 17): no dead ends. They may read every action plan and monitor every
case review's stage and timeliness, but not the review material; the pages say so and link to what they
may see, and the home page offers more than an escalation count."""

from __future__ import annotations

from safeguarding.actionplans.tests.conftest import PlanCast
from safeguarding.agencies.enums import Role
from safeguarding.testing import factories as f


def _scrutineer(pc: PlanCast):
    return f.member(pc.rc.cast.agency, Role.SCRUTINEER, username="the.scrutineer")


def test_case_reviews_page_points_a_scrutineer_to_monitoring_not_to_nothing(pc: PlanCast, client_for) -> None:
    client = client_for(_scrutineer(pc))
    page = client.get("/reviews/").content.decode()
    assert "There are no reviews or requests for you" not in page
    assert "1 review" in page
    assert "/reviews/monitoring/" in page
    assert pc.review.reference in client.get("/reviews/monitoring/").content.decode()
    # Someone with no review role at all still gets the plain message (or no page).
    response = client_for(pc.rc.cast.unrelated).get("/reviews/")
    assert response.status_code == 404 or "/reviews/monitoring/" not in response.content.decode()


def test_action_plan_names_its_review_without_a_link_to_page_not_found(pc: PlanCast, client_for) -> None:
    scrutineer = client_for(_scrutineer(pc))
    page = scrutineer.get(f"/action-plans/{pc.plan.pk}/").content.decode()
    assert f"case review {pc.review.reference}" in page
    assert f'href="/reviews/{pc.review.pk}/"' not in page  # it would answer 404 for them
    assert scrutineer.get(f"/reviews/{pc.review.pk}/").status_code == 404  # the access rule is unchanged
    assert 'href="/reviews/monitoring/"' in page
    # Those who may see the review still get the link.
    business = client_for(pc.business).get(f"/action-plans/{pc.plan.pk}/").content.decode()
    assert f'href="/reviews/{pc.review.pk}/"' in business


def test_scrutineer_home_page_offers_reviews_action_plans_and_figures(pc: PlanCast, client_for) -> None:
    home = client_for(_scrutineer(pc)).get("/").content.decode()
    assert "Case reviews" in home
    assert "/reviews/monitoring/" in home
    assert "Overdue actions across action plans" in home
    # A practitioner gets none of these.
    practitioner = client_for(pc.rc.cast.unrelated).get("/").content.decode()
    assert "/reviews/monitoring/" not in practitioner
    assert "Overdue actions across action plans" not in practitioner
