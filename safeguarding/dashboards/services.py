"""The dashboard's one state change: a data pack download, written to the activity log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from safeguarding.core import kernel
from safeguarding.core.services import record_activity
from safeguarding.dashboards.periods import Period

if TYPE_CHECKING:
    from safeguarding.core.types import Person


@kernel.service
def record_pack_download(*, actor: Person, fmt: str, period: Period) -> None:
    record_activity(
        actor=actor,
        action="dashboard.pack_downloaded",
        changes={"format": fmt, "start": period.start.isoformat(), "end": period.end.isoformat()},
    )
