"""The default procedure (domain.md §4): six reasons and four stages. Partnerships change them in the admin.

The data migration installs them; `install_defaults()` can run again safely.
"""

from __future__ import annotations

from typing import Any

REASONS = [
    ("threshold", "Threshold decision", "A decision about the level of need or whether to accept a referral.", 1),
    (
        "child-protection",
        "Whether child protection procedures apply",
        "For example, whether to hold a strategy discussion or s47 enquiry.",
        2,
    ),
    (
        "plan-adequacy",
        "Adequacy of a plan",
        "A child in need, child protection or early help plan that does not meet the child's needs.",
        3,
    ),
    ("information-sharing", "Information sharing", "Information not shared, or shared too late.", 4),
    ("drift", "Drift or no progress", "A plan that is drifting, or actions not done.", 5),
    ("other", "Other", "Any other professional difference about a child.", 6),
]

# number, name, raising roles, receiving roles, partnership roles, working days, urgent hours
STAGES = [
    (1, "Practitioner to practitioner", ",practitioner,", ",practitioner,", "", 2, 4),
    (2, "Manager to manager", ",manager,safeguarding_lead,", ",manager,safeguarding_lead,", "", 5, 24),
    (3, "Senior manager to senior manager", ",senior_manager,", ",senior_manager,", "", 5, 24),
    (
        4,
        "Partnership: business manager, then an independently chaired meeting",
        ",senior_manager,",
        ",senior_manager,",
        ",business_unit,",
        10,
        48,
    ),
]


def install_defaults(reason_model: Any = None, stage_model: Any = None) -> None:
    """Create or update the default reasons and stages (models given by a migration, or the real ones)."""
    if reason_model is None or stage_model is None:
        from safeguarding.escalations.models import EscalationReason, EscalationStage

        reason_model, stage_model = EscalationReason, EscalationStage
    for code, name, description, order in REASONS:
        reason_model.objects.update_or_create(
            code=code, defaults={"name": name, "description": description, "order": order}
        )
    for number, name, raising, receiving, partnership, days, hours in STAGES:
        stage_model.objects.update_or_create(
            number=number,
            defaults={
                "name": name,
                "raising_roles": raising,
                "receiving_roles": receiving,
                "partnership_roles": partnership,
                "response_working_days": days,
                "urgent_response_hours": hours,
            },
        )
