"""Sharing in is not seeing. An agency may record about any child (that is how concerns reach the
partnership), but recording never gives it sight of the child. When an agency shares information
about a child it is not involved with, a notice opens for the child's lead professional — or, with
none, the partnership's front door (the team marked `front_door` in the partnership file) — who
decides whether that agency becomes involved, with its lawful basis, through `add_involvement`.

The agency that shared is told nothing about the child beyond what it sent: no decision, count or
error here reaches it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.children.enums import LawfulBasis, SharingStatus
from safeguarding.children.models import Child, Involvement, SharingNotice
from safeguarding.core import kernel
from safeguarding.core.access import get_or_404
from safeguarding.core.bulk import raw_insert
from safeguarding.core.services import record_activity

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer

DECISION_INVOLVE = "involve"
DECISION_DECLINE = "decline"


# ---- who decides -----------------------------------------------------------------------------


def front_door_user_ids() -> set[int]:
    User = get_user_model()
    return set(
        User.objects.filter(
            is_active=True,
            is_system=False,
            memberships__is_active=True,
            memberships__agency__is_active=True,
            memberships__team__is_front_door=True,
        ).values_list("pk", flat=True)
    )


def lead_professional_ids(child_ids: Iterable[int], day: date | None = None) -> dict[int, set[int]]:
    """{child id: the lead professionals of its active involvements}."""
    leads: dict[int, set[int]] = {}
    ids = list(child_ids)
    for start in range(0, len(ids), 2000):
        rows = (
            Involvement.objects.active_on(day)
            .filter(child_id__in=ids[start : start + 2000], lead_professional__isnull=False)
            .filter(lead_professional__is_active=True)
            .values_list("child_id", "lead_professional_id")
        )
        for child_id, user_id in rows:
            leads.setdefault(child_id, set()).add(user_id)
    return leads


def deciders_for(child_ids: Iterable[int]) -> dict[int, set[int]]:
    """Who decides for each child: its lead professionals, else the front door team."""
    ids = list(child_ids)
    leads = lead_professional_ids(ids)
    front_door = front_door_user_ids() if any(i not in leads for i in ids) else set()
    return {i: leads.get(i) or front_door for i in ids}


def may_decide(user: Viewer, notice: SharingNotice) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return may_decide_any(user, notice.child)


def may_decide_any(user: Viewer, child: Child) -> bool:
    """Whether this person decides for this child (the child's record shows them the links)."""
    if user is None or not user.is_authenticated or getattr(user, "is_system", False):
        return False
    # The front door decides for any child; a lead professional for the children they lead on.
    return user.pk in front_door_user_ids() or user.pk in lead_professional_ids([child.pk]).get(child.pk, set())


def entries_shared(user: Person, notice: SharingNotice) -> list[Any]:
    """The entries the agency shared about the child, for the decider (restricted ones only as
    the recording agency allows): what the decision is about, and nothing else of the record."""
    from django.apps import apps

    from safeguarding.core.restriction import restriction_q

    event_model = apps.get_model("chronology", "Event")
    memberships = [(m.agency_id, m.role) for m in user.active_memberships]
    return list(
        event_model.objects.filter(
            child_links__child_id=notice.child_id, child_links__is_current=True, agency_id=notice.agency_id
        )
        .filter(restriction_q(memberships))
        .select_related("event_type")
        .order_by("-occurred_on", "-id")[:200]
    )


def notices_for_decider(user: Viewer) -> QuerySet[SharingNotice]:
    """Pending notices this person decides: children they lead on, or (in the front door team) any."""
    if user is None or not user.is_authenticated or getattr(user, "is_system", False):
        return SharingNotice.objects.none()
    pending = SharingNotice.objects.pending().select_related("agency", "child")
    if user.pk in front_door_user_ids():
        return pending
    led = Involvement.objects.active_on().filter(lead_professional_id=user.pk).values("child_id")
    return pending.filter(child_id__in=led)


def get_notice_for_decider(user: Viewer, pk: Any) -> SharingNotice:
    notice = get_or_404(SharingNotice.objects.select_related("agency", "child", "decided_by", "involvement"), pk)
    if not may_decide(user, notice):
        raise Http404("No page found")
    return notice


# ---- opening notices -------------------------------------------------------------------------


def uninvolved(agency: Agency, child_ids: Iterable[int]) -> list[int]:
    """The children among these that the agency has no active involvement with."""
    ids = sorted(set(child_ids))
    involved: set[int] = set()
    for start in range(0, len(ids), 2000):
        involved.update(
            Involvement.objects.active_on()
            .filter(agency=agency, child_id__in=ids[start : start + 2000])
            .values_list("child_id", flat=True)
        )
    return [i for i in ids if i not in involved]


@dataclass(frozen=True)
class Shared:
    children: list[int]  # the children the agency shared about without being involved
    opened: list[int]  # those whose notice this sharing opened


def note_information_shared(
    *, actor: Person | None, agency: Agency, entries: Counter[int] | dict[int, int], log: bool = True
) -> Shared:
    """Open (or add to) a notice for each child the agency shared entries about without being
    involved; `entries` is {child id: entries shared}. With `log=False` the caller writes the
    `sharing_notice.opened` log rows (as the bulk import does). Runs in the caller's transaction;
    the deciders are emailed after it commits."""
    children = uninvolved(agency, entries)
    if not children:
        return Shared([], [])
    now = timezone.now()
    open_ids: dict[int, int] = {}
    for start in range(0, len(children), 2000):
        open_ids.update(
            SharingNotice.objects.pending()
            .filter(agency=agency, child_id__in=children[start : start + 2000])
            .values_list("child_id", "pk")
        )
    new = [c for c in children if c not in open_ids]
    # Grouped by count, so a file of thousands of children costs a few statements, not one per child.
    by_count: dict[int, list[int]] = {}
    for child_id in children:
        if child_id in open_ids:
            by_count.setdefault(int(entries[child_id]), []).append(open_ids[child_id])
    for count, pks in by_count.items():
        SharingNotice.objects.filter(pk__in=pks).update(entries=F("entries") + count, last_shared_at=now)
    try:
        with transaction.atomic():
            # The bulk path (an import opens thousands): no model instance per notice.
            for start in range(0, len(new), 2000):
                raw_insert(
                    SharingNotice,
                    {"agency": agency.pk, "first_shared_at": now, "last_shared_at": now},
                    ("child", "entries"),
                    [(c, int(entries[c])) for c in new[start : start + 2000]],
                )
    except IntegrityError:
        # Another request opened one of them a moment ago: add to it instead.
        for child_id in new:
            notice, created = SharingNotice.objects.get_or_create(
                child_id=child_id,
                agency=agency,
                status=SharingStatus.PENDING,
                defaults={"first_shared_at": now, "last_shared_at": now, "entries": int(entries[child_id])},
            )
            if not created:
                SharingNotice.objects.filter(pk=notice.pk).update(
                    entries=F("entries") + int(entries[child_id]), last_shared_at=now
                )
    for child_id in new if log else ():
        record_activity(
            actor=actor, action="sharing_notice.opened", child_id=child_id, changes={"agency": [None, agency.pk]}
        )
    if new:
        _email_deciders(agency, new)
    return Shared(children, new)


def _email_deciders(agency: Agency, child_ids: list[int]) -> None:
    """One email to each decider, naming no child: the agency, how many, and a link."""
    per_user: Counter[int] = Counter()
    for users in deciders_for(child_ids).values():
        per_user.update(users)
    if not per_user:
        return
    User = get_user_model()
    emails = dict(User.objects.filter(pk__in=per_user).exclude(email="").values_list("pk", "email"))
    link = settings.SITE_URL.rstrip("/") + reverse("children:sharing")
    messages = []
    for user_id, count in sorted(per_user.items()):
        if user_id not in emails:
            continue
        what = "a child" if count == 1 else f"{count} children"
        body = (
            f"{agency.name} has shared information about {what} it is not involved with, for whom you decide "
            "whether it becomes involved.\n\n"
            f"Open the list to decide:\n{link}\n\n"
            "This email holds no personal details. Do not forward it outside your agency."
        )
        messages.append(
            (
                "Information shared about a child: decide on involvement",
                body,
                settings.DEFAULT_FROM_EMAIL,
                [emails[user_id]],
            )
        )
    if messages:
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))


# ---- deciding --------------------------------------------------------------------------------


DECIDED_ELSEWHERE = (
    "Someone else decided this after you opened it, so your decision was not saved. "
    "Check their decision on the child's record."
)


@kernel.service
def decide_sharing(
    *,
    actor: Person,
    notice: SharingNotice,
    decision: str,
    version: int,
    lawful_basis: str = "",
    service: str = "",
    start: date | None = None,
    reason: str = "",
) -> SharingNotice:
    """Involve the agency (an involvement with its lawful basis, through `add_involvement`) or
    record that it is not to be involved, with the reason. Logged; shown on the child's record."""
    from safeguarding.children.services import add_involvement

    notice = kernel.lock(SharingNotice.objects.select_related("agency", "child"), notice.pk)
    if not may_decide(actor, notice):
        raise PermissionDenied("Only the child's lead professional or the front door can decide this.")
    if notice.status != SharingStatus.PENDING or notice.version != version:
        raise kernel.StaleVersion(DECIDED_ELSEWHERE)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if decision not in (DECISION_INVOLVE, DECISION_DECLINE):
        errors["decision"] = "Choose whether the agency becomes involved with the child."
    if decision == DECISION_INVOLVE and lawful_basis not in LawfulBasis.values:
        errors["lawful_basis"] = "Choose the lawful basis on which the agency shares information about the child."
    if decision == DECISION_DECLINE and len(reason) < 10:
        errors["reason"] = "Say why the agency is not to be involved, in at least 10 characters."
    day = start or timezone.localdate()
    if decision == DECISION_INVOLVE and day > timezone.localdate():
        errors["start"] = "The involvement must start today or earlier."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    before = {"status": notice.status}
    if decision == DECISION_INVOLVE:
        notice.involvement = add_involvement(
            actor=actor,
            agency=notice.agency,
            child=notice.child,
            start=day,
            service=(service or "").strip()[:200],
            lawful_basis=lawful_basis,
        )
        notice.status = SharingStatus.INVOLVED
    else:
        notice.status = SharingStatus.DECLINED
    notice.reason = reason
    notice.decided_at = now
    notice.decided_by = actor
    notice.version += 1
    notice.save(update_fields=["status", "reason", "decided_at", "decided_by", "involvement", "version"])
    record_activity(
        actor=actor,
        action="sharing_notice.decided",
        target=notice,
        child_id=notice.child_id,
        changes={
            "status": [before["status"], notice.status],
            "agency": [None, notice.agency_id],
            **({"lawful_basis": [None, lawful_basis]} if decision == DECISION_INVOLVE else {}),
        },
    )
    return notice


def notices_on_record(child: Child) -> QuerySet[SharingNotice]:
    """What the child's record shows: every agency that shared without being involved, and the decisions."""
    return (
        child.sharing_notices.select_related("agency", "decided_by")
        .order_by("status", "-last_shared_at")
        .filter(Q(status=SharingStatus.PENDING) | Q(decided_at__isnull=False))
    )
