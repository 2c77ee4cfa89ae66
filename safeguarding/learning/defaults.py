"""Default configuration: which learning theme each escalation reason counts under when an escalation is
flagged for learning (partnerships change it in the admin). The data migration installs it;
`install_defaults()` is idempotent."""

from __future__ import annotations

from typing import Any

# escalation reason code -> review theme codes
REASON_THEMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("threshold", ("thresholds",)),
    ("child-protection", ("thresholds",)),
    ("plan-adequacy", ("management-oversight",)),
    ("information-sharing", ("information-sharing",)),
    ("drift", ("management-oversight",)),
)


def install_defaults(reason_model: Any = None, theme_model: Any = None, link_model: Any = None) -> None:
    if reason_model is None or theme_model is None or link_model is None:
        from safeguarding.escalations.models import EscalationReason
        from safeguarding.learning.models import ReasonTheme
        from safeguarding.reviews.models import Theme

        reason_model, theme_model, link_model = EscalationReason, Theme, ReasonTheme
    for reason_code, theme_codes in REASON_THEMES:
        reason = reason_model.objects.filter(code=reason_code).first()
        if reason is None:
            continue
        for theme in theme_model.objects.filter(code__in=theme_codes):
            link_model.objects.get_or_create(reason=reason, theme=theme)
