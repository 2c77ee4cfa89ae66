"""The dashboard's one state change: a data pack download, written to the activity log."""

from __future__ import annotations

from typing import Any

from safeguarding.core import kernel
from safeguarding.core.services import record_activity
from safeguarding.dashboards.periods import Period


@kernel.service
def record_pack_download(*, actor: Any, fmt: str, period: Period) -> None:
    record_activity(
        actor=actor,
        action="dashboard.pack_downloaded",
        changes={"format": fmt, "start": period.start.isoformat(), "end": period.end.isoformat()},
    )
