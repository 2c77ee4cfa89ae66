"""Planned chronology entries and the writer that puts them in the database in bulk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency, Membership, User
from safeguarding.chronology.enums import EventSource, Precision
from safeguarding.chronology.models import Event, EventChild, EventType
from safeguarding.core.enums import Confidentiality
from safeguarding.core.restriction import encode_roles

CHUNK = 2_000


@dataclass(frozen=True)
class Planned:
    """One entry to write: days before today, or an exact date."""

    agency: str
    type_code: str
    when: date
    summary: str
    children: tuple[int, ...]
    impact: str = ""
    action: str = ""
    category: str = ""
    value: Decimal | None = None
    author: str | None = None
    restricted_to: tuple[str, ...] | None = None  # roles, when restricted
    original_label: str = ""
    precision: str = Precision.DAY


class Writer:
    """Collects planned entries and writes them in bulk, with authors from each agency."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.types = {t.code: t for t in EventType.objects.all()}
        self.agencies = {a.code: a for a in Agency.objects.all()}
        self.users = {u.username: u for u in User.objects.filter(username__contains=".")}
        self._practitioners: dict[int, User | None] = {}
        self.pending: list[Planned] = []
        self.written = 0

    def practitioner(self, agency: Agency) -> User | None:
        if agency.pk not in self._practitioners:
            membership = (
                Membership.objects.filter(agency=agency, role=Role.PRACTITIONER, is_active=True)
                .select_related("user")
                .order_by("pk")
                .first()
            )
            self._practitioners[agency.pk] = membership.user if membership else None
        return self._practitioners[agency.pk]

    def add(self, planned: Planned) -> None:
        if planned.when <= self.today:
            self.pending.append(planned)
        if len(self.pending) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        events: list[Event] = []
        for plan in self.pending:
            agency = self.agencies[plan.agency]
            author = self.users.get(plan.author) if plan.author else self.practitioner(agency)
            hour = 9 + (len(events) % 8)
            events.append(
                Event(
                    agency=agency,
                    author=author,
                    event_type=self.types[plan.type_code],
                    original_type_label=plan.original_label,
                    category=plan.category,
                    value=plan.value,
                    occurred_on=plan.when,
                    precision=plan.precision,
                    recorded_at=timezone.make_aware(datetime.combine(plan.when, time(hour, 15))),
                    summary=plan.summary,
                    impact=plan.impact,
                    action_taken=plan.action,
                    source=EventSource.PAGE,
                    confidentiality=Confidentiality.RESTRICTED
                    if plan.restricted_to is not None
                    else Confidentiality.NORMAL,
                    restricted_to_roles=encode_roles(plan.restricted_to or ()),
                )
            )
        with transaction.atomic():
            Event.objects.bulk_create(events)
            EventChild.objects.bulk_create(
                [
                    EventChild(
                        event=event,
                        child_id=child_id,
                        occurred_on=event.occurred_on,
                        agency=event.agency,
                        is_current=True,
                    )
                    for event, plan in zip(events, self.pending, strict=True)
                    for child_id in plan.children
                ]
            )
        self.written += len(events)
        self.pending = []
