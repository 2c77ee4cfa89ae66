"""The people a review test needs: the business unit, an independent reviewer, the three statutory
partners with safeguarding leads, a relevant agency's lead, and the cast's unrelated practitioner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from safeguarding.agencies.enums import AgencyKind, PartnerStatus, Role
from safeguarding.agencies.models import Agency
from safeguarding.reviews import services
from safeguarding.reviews.enums import Harm, Recommendation, ReviewKind
from safeguarding.reviews.models import Review
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast, build_cast

# The moment the review tests run at. The cast's reviews are notified, sent and decided on fixed days
# in March 2026, and the services refuse days still to come, while the monitoring page counts
# lateness up to today: the clock stands after those days, so the tests pass whatever day they run.
REVIEW_MOMENT = datetime(2026, 11, 20, 14, 35, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _clock_after_the_casts_days(time_machine: Any) -> None:
    time_machine.move_to(REVIEW_MOMENT, tick=False)


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings: Any, tmp_path: Any) -> None:
    """Reports uploaded for publication go to Django's default storage: here, a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=10))


@dataclass
class ReviewCast:
    cast: Cast
    business: Any
    reviewer: Any
    other_reviewer: Any
    scrutineer: Any
    police_lead: Any
    health_lead: Any
    partners: list[Agency]

    def notify(self, aware_on: date = date(2026, 3, 2), **kwargs: Any) -> Review:
        values: dict[str, Any] = {
            "actor": self.business,
            "incident_on": aware_on,
            "aware_on": aware_on,
            "harm": Harm.SERIOUS_HARM,
            "summary": "Ellis was admitted to hospital with a head injury.",
            "children": [
                services.ChildInput(self.cast.child, "Child A"),
                services.ChildInput(self.cast.other_child, "Child B"),
            ],
            "at": at(aware_on),
        }
        values.update(kwargs)
        return services.notify_serious_incident(**values)

    def to_decision(self, review: Review, sent_on: date = date(2026, 3, 4)) -> Review:
        services.record_notification_sent(
            actor=self.business, review=review, version=review.version, sent_on=sent_on, at=at(sent_on)
        )
        services.record_panel_meeting(
            actor=self.business,
            review=review,
            met_on=sent_on,
            attendance="All partners",
            summary="Persistent neglect.",
            recommendation=Recommendation.LCSPR,
            at=at(sent_on),
        )
        for partner in self.partners:
            services.sign_off_rapid_review(
                actor=self.business,
                review=review,
                agency=partner,
                signed_by_name="A Partner",
                signed_on=sent_on,
                at=at(sent_on),
            )
        services.send_rapid_review(
            actor=self.business, review=review, version=review.version, sent_on=sent_on, at=at(sent_on)
        )
        return review

    def to_in_progress(self, review: Review, decided_on: date = date(2026, 3, 20)) -> Review:
        self.to_decision(review)
        services.decide_practice_review(
            actor=self.business,
            review=review,
            version=review.version,
            kind=ReviewKind.LCSPR,
            decided_on=decided_on,
            at=at(decided_on),
        )
        return review


def build_review_cast() -> ReviewCast:
    cast = build_cast()  # cast.partner_agency (police) is statutory
    csc = f.AgencyFactory(
        code="CSC",
        name="Test Social Care",
        kind=AgencyKind.CHILDRENS_SOCIAL_CARE,
        partner_status=PartnerStatus.STATUTORY,
    )
    icb = f.AgencyFactory(code="ICB", name="Test ICB", kind=AgencyKind.HEALTH, partner_status=PartnerStatus.STATUTORY)
    bu_agency = f.AgencyFactory(code="BU", name="Test Business Unit", kind=AgencyKind.BUSINESS_UNIT)
    return ReviewCast(
        cast=cast,
        business=f.member(bu_agency, Role.BUSINESS_UNIT, username="business"),
        reviewer=f.member(bu_agency, Role.REVIEWER, username="reviewer"),
        other_reviewer=f.member(bu_agency, Role.REVIEWER, username="other.reviewer"),
        scrutineer=f.member(bu_agency, Role.SCRUTINEER, username="scrutineer"),
        police_lead=f.member(cast.partner_agency, Role.SAFEGUARDING_LEAD, username="police.lead"),
        health_lead=f.member(cast.agency, Role.SAFEGUARDING_LEAD, username="health.lead"),
        partners=[cast.partner_agency, csc, icb],
    )


@pytest.fixture
def rc(db: None) -> ReviewCast:
    return build_review_cast()
