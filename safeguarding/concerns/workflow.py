"""The alert workflow: a `kernel.Workflow` (the table of transitions plus the guard of
`permissions.py`), registering `concerns.acknowledge`, `concerns.decide` and `concerns.close` for
templates' `{% has_perm %}` and `user.has_perm`. An alert's status changes only through it.

Alerts are raised by the scan (the system); people acknowledge, decide and close them.
"""

from __future__ import annotations

from safeguarding.concerns.enums import AlertStatus
from safeguarding.concerns.permissions import can_act_on_alert
from safeguarding.core import kernel

NOUN = "alert"
ACKNOWLEDGE, DECIDE, CLOSE = "acknowledge", "decide", "close"

ALERT_WORKFLOW = kernel.Workflow(
    name="alert",
    noun=NOUN,
    app_label="concerns",
    transitions=[
        kernel.Transition(
            ACKNOWLEDGE,
            "Acknowledge",
            frozenset({AlertStatus.NEW}),
            AlertStatus.ACKNOWLEDGED,
            "This alert has already been acknowledged.",
            who=can_act_on_alert,
        ),
        kernel.Transition(
            DECIDE,  # a new alert is acknowledged by the same step
            "Record a decision",
            frozenset({AlertStatus.NEW, AlertStatus.ACKNOWLEDGED, AlertStatus.DECIDED}),
            AlertStatus.DECIDED,
            "This alert is closed.",
            who=can_act_on_alert,
        ),
        kernel.Transition(
            CLOSE,
            "Close the alert",
            frozenset({AlertStatus.DECIDED}),
            AlertStatus.CLOSED,
            "Record a decision before closing the alert.",
            who=can_act_on_alert,
        ),
    ],
)

# What each transition writes in the activity log (`alert.acknowledged`, as before the workflow).
LOG_ACTIONS = {ACKNOWLEDGE: "alert.acknowledged", DECIDE: "alert.decided", CLOSE: "alert.closed"}
