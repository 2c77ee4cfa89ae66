"""A serious case review's 6 months are for completing it, not publishing it (Working Together 2015, chapter 4):
the completion clock runs from the decision to hold it and is met when the final report is received (the review
moves to the final report stage). Monitoring, the review page, the publication page, the API, the committee text
and the dashboard read it; an LCSPR keeps its publication target.

The tests' today is Friday 20 November 2026; the review was decided on 20 March 2026 (target 20 September 2026)
and its final report received on 3 April 2026 (`to_final`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from safeguarding.api.tests.factories import signed_in_client
from safeguarding.dashboards.figures import headline
from safeguarding.publishing.content import review_timeliness
from safeguarding.reviews import queries, services
from safeguarding.reviews.enums import DeferralReason, ReviewKind, Timeliness
from safeguarding.reviews.models import Review
from safeguarding.reviews.tests.conftest import ReviewCast, at
from safeguarding.reviews.tests.test_publication import to_final

TODAY = date(2026, 11, 20)


def _row(review: Review) -> queries.MonitoringRow:
    return next(row for row in queries.monitoring_rows(TODAY) if row.review.pk == review.pk)


def test_a_serious_case_review_completed_in_time_is_on_time_everywhere(rc: ReviewCast, client_for: Any) -> None:
    scr = to_final(rc, ReviewKind.SCR)  # not yet published, 2 months past the 6 months
    row = _row(scr)
    assert row.clock is not None
    assert (row.clock.label, row.clock.due_on, row.clock.met_on) == ("Completion", date(2026, 9, 20), date(2026, 4, 3))
    assert row.timeliness == Timeliness.ON_TIME
    client = client_for(rc.business)
    page = client.get(f"/reviews/{scr.pk}/").content.decode()
    assert "Completion due" in page
    assert (
        "20 September 2026 (completed within 6 months of the decision to hold it: Working Together 2015, chapter 4); "
        "final report received 3 April 2026" in page
    )
    assert "Publication due" not in page
    assert "Late" not in page
    publication = client.get(f"/reviews/{scr.pk}/publication/").content.decode()
    assert "Completion target" in publication
    assert "Publication target" not in publication
    body = signed_in_client(rc.business, verified=True).get(f"/api/v1/reviews/{scr.pk}/").json()
    assert (body["target_completion_on"], body["completed_on"], body["completion_timeliness"]) == (
        "2026-09-20",
        "2026-04-03",
        "on_time",
    )
    assert body["target_publication_on"] is None
    assert review_timeliness(scr, TODAY) == (
        "Completed (final report received) on 3 April 2026, within the completion target of 20 September 2026 "
        "(6 months after the decision on 20 March 2026; Working Together 2015, chapter 4)."
    )
    assert headline(TODAY).reviews_overdue == 0


def test_a_serious_case_review_not_completed_is_late_on_its_completion_target(rc: ReviewCast) -> None:
    scr = rc.to_in_progress(rc.notify())
    scr.practice_review.kind = ReviewKind.SCR
    scr.practice_review.save(update_fields=["kind"])
    row = _row(scr)
    assert row.clock is not None
    assert (row.clock.label, row.timeliness) == ("Completion", Timeliness.LATE)
    assert review_timeliness(scr, TODAY) == (
        "Completion is due by 20 September 2026 (6 months after the decision on 20 March 2026; Working Together "
        "2015, chapter 4); the final report is not yet received: late."
    )
    assert headline(TODAY).reviews_overdue == 1


def test_an_lcspr_keeps_its_publication_target(rc: ReviewCast) -> None:
    lcspr = to_final(rc)
    row = _row(lcspr)
    assert row.clock is not None
    assert (row.clock.label, row.timeliness) == ("Publication", Timeliness.LATE)
    assert (
        signed_in_client(rc.business, verified=True).get(f"/api/v1/reviews/{lcspr.pk}/").json()["target_publication_on"]
        == "2026-09-20"
    )


def test_resuming_a_serious_case_reviews_publication_does_not_move_its_completion_target(rc: ReviewCast) -> None:
    scr = to_final(rc, ReviewKind.SCR)
    services.defer_publication(
        actor=rc.business,
        review=scr,
        version=scr.version,
        reason_kind=DeferralReason.CRIMINAL_PROCEEDINGS,
        reason="Trial",
        review_by=date(2027, 1, 29),
        at=at(date(2026, 11, 2)),
    )
    services.resume_publication(actor=rc.business, review=scr, version=scr.version, at=at(TODAY))
    assert Review.objects.get(pk=scr.pk).practice_review.target_publication_on == date(2026, 9, 20)
