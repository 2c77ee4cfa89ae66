"""What the audits app shows on the home page: the audits a person is grading now."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from safeguarding.audits.enums import AuditStatus
from safeguarding.audits.models import Audit
from safeguarding.core import facts
from safeguarding.core.home import Panel

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def my_audits(request: PersonRequest) -> Panel | None:
    user = request.user
    if not user.is_authenticated or getattr(user, "is_system", False):
        return None
    if not facts.holds(user, "audits.auditing"):
        return None
    today = timezone.localdate()
    audits = list(
        Audit.objects.filter(
            auditors__user_id=user.pk, status=AuditStatus.IN_PROGRESS, start_on__lte=today, end_on__gte=today
        ).distinct()[:20]
    )
    if not audits:
        return None
    return Panel("audits/panels/my_audits.html", {"audits": audits})


# Whether the person is an auditor of an audit in progress (asked with the home page's other facts).
facts.register(
    "audits.auditing",
    lambda user: Audit.objects.filter(auditors__user_id=user.pk, status=AuditStatus.IN_PROGRESS),
    group=facts.HOME,
)
