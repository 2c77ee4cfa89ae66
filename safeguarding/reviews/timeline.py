"""Read side of the notification and the decision: which safeguarding partners have not been told yet,
and the case's record — the dated facts of the notification, its copies, the partners informed and the
national panel's response, merged with the stage history — for the review page and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.reviews.models import Notification, PartnerInformed, RapidReview, Review
from safeguarding.reviews.workflow import partners_to_inform


def notification_or_none(review: Review) -> Notification | None:
    try:
        return review.notification
    except ObjectDoesNotExist:
        return None


def rapid_or_none(review: Review) -> RapidReview | None:
    try:
        return review.rapid_review
    except ObjectDoesNotExist:
        return None


def partners_informed(review: Review) -> list[PartnerInformed]:
    notification = notification_or_none(review)
    if notification is None:
        return []
    return list(notification.partners_informed.select_related("agency"))


def partners_not_informed(review: Review) -> list[Agency]:
    """The statutory partners to tell (all but the notifying children's social care) not yet told."""
    if notification_or_none(review) is None:
        return []
    told = {row.agency_id for row in partners_informed(review)}
    return [agency for agency in partners_to_inform() if agency.pk not in told]


@dataclass(frozen=True)
class RecordEntry:
    """One dated line of the case's record."""

    on: date
    text: str
    detail: str = ""
    at: datetime | None = None  # when it was recorded (stage history); orders entries of one day


def _notification_entries(n: Notification) -> list[RecordEntry]:
    entries = [
        RecordEntry(n.incident_on, f"Incident: {n.get_harm_display().lower()}"),
        RecordEntry(n.aware_on, "The local authority became aware"),
    ]
    dated = [
        (n.sent_to_panel_on, "Notification sent to the national panel"),
        (n.ofsted_sent_on, "Copy of the notification sent to Ofsted"),
        (n.secretary_of_state_sent_on, "Copy of the notification sent to the Secretary of State"),
        (n.harm_area_informed_on, f"Area where the harm happened informed ({n.harm_location})"),
    ]
    entries += [RecordEntry(day, text) for day, text in dated if day is not None]
    entries += [
        RecordEntry(row.informed_on, f"{row.agency.name} informed")
        for row in n.partners_informed.select_related("agency")
    ]
    return entries


def _rapid_entries(r: RapidReview) -> list[RecordEntry]:
    entries = []
    if r.panel_responded_on is not None:
        entries.append(
            RecordEntry(
                r.panel_responded_on,
                f"National panel's response: {r.get_panel_response_display().lower()}",
                r.panel_response_words,
            )
        )
    if r.national_published_on is not None:
        entries.append(RecordEntry(r.national_published_on, "National review published"))
    return entries


def case_record(review: Review) -> list[RecordEntry]:
    """The case's dated record, oldest first: what the notification and the Panel's response record,
    and every stage change (who, why)."""
    entries: list[RecordEntry] = []
    notification = notification_or_none(review)
    if notification is not None:
        entries += _notification_entries(notification)
    rapid = rapid_or_none(review)
    if rapid is not None:
        entries += _rapid_entries(rapid)
    for change in review.stage_changes.select_related("actor"):
        who = f" ({change.actor})" if change.actor else ""
        entries.append(
            RecordEntry(timezone.localdate(change.at), f"{change.get_action_display()}{who}", change.reason, change.at)
        )
    # Dated facts before the stage changes recorded on the same day.
    return sorted(entries, key=lambda e: (e.on, e.at is not None, e.at.timestamp() if e.at else 0.0))
