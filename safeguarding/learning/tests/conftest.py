"""The people and data a learning test needs: the cast's three personas (involved = a health
practitioner, partner = a police practitioner, unrelated = a housing practitioner), the business unit, an
administrator, a scrutineer, a facilitator (a health manager), and a review about the cast's two
children ("Ellis Marsh" and "Robin Marsh", pseudonyms Child A and Child B) whose findings name them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.learning import services
from safeguarding.learning.enums import EventStatus
from safeguarding.learning.models import LearningEvent
from safeguarding.reviews.models import Finding, Review, ReviewChild, Theme
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast, build_cast


@dataclass
class LearnCast:
    cast: Cast
    business: Any
    admin: Any
    scrutineer: Any
    facilitator: Any
    review: Review

    def event(self, *, invite_kind: str | None = AgencyKind.HEALTH, role: str = "", **fields: Any) -> LearningEvent:
        """A published workshop tomorrow (by default), the health agencies invited (every role)."""
        starts = fields.pop("starts_at", timezone.now() + timedelta(days=1))
        values: dict[str, Any] = {
            "kind": "workshop",
            "title": "Neglect: seeing the whole picture",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=3),
            "venue": "Northbridge Civic Centre, Room 2",
            "capacity": 10,
            "status": EventStatus.PUBLISHED,
            "facilitator": self.facilitator,
        }
        themes = fields.pop("themes", [])
        values.update(fields)
        event = services.create_event(actor=self.business, themes=themes, **values)
        if invite_kind:
            services.add_invitation(actor=self.business, event=event, agency_kind=invite_kind, role=role)
        return event

    def past_event(self, days_ago: int = 10, **fields: Any) -> LearningEvent:
        """An event that has happened: created in the future, then moved back (as time passing would)."""
        event = self.event(**fields)
        starts = timezone.now() - timedelta(days=days_ago)
        LearningEvent.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=3))
        event.refresh_from_db()
        return event


def build_learn_cast() -> LearnCast:
    cast = build_cast()
    bu_agency = f.AgencyFactory(code="BU", name="Test Business Unit", kind=AgencyKind.BUSINESS_UNIT)
    business = f.member(bu_agency, Role.BUSINESS_UNIT, username="business", email="bu@example.org")
    review = Review.objects.create(
        title="Child A and Child B", created_by=business, created_at=timezone.now(), stage_changed_at=timezone.now()
    )
    ReviewChild.objects.create(review=review, child=cast.child, pseudonym="Child A")
    ReviewChild.objects.create(review=review, child=cast.other_child, pseudonym="Child B")
    themes = {t.code: t for t in Theme.objects.all()}
    texts = [
        ("Ellis Marsh was not brought to three health appointments.", ["neglect", "was-not-brought"]),
        ("Nobody asked Robin what life at home was like.", ["voice-of-the-child"]),
    ]
    for number, (title, codes) in enumerate(texts, start=1):
        finding = Finding.objects.create(
            review=review,
            number=number,
            title=title,
            text=f"The chronologies show it: {title}",
            created_at=timezone.now(),
        )
        finding.themes.set([themes[c] for c in codes])
    return LearnCast(
        cast=cast,
        business=business,
        admin=f.member(bu_agency, Role.ADMINISTRATOR, username="administrator"),
        scrutineer=f.member(bu_agency, Role.SCRUTINEER, username="scrutineer"),
        facilitator=f.member(cast.agency, Role.MANAGER, username="facilitator", email="facilitator@example.org"),
        review=review,
    )


@pytest.fixture
def lc(db: None) -> LearnCast:
    return build_learn_cast()


def at(day: Any, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))
