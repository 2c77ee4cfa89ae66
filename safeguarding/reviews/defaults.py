"""The default theme taxonomy for review findings (configuration: partnerships edit it in the admin)."""

from __future__ import annotations

from typing import Any

THEMES: tuple[tuple[str, str], ...] = (
    ("neglect", "Neglect"),
    ("information-sharing", "Information sharing"),
    ("escalation", "Escalation"),
    ("thresholds", "Thresholds"),
    ("professional-curiosity", "Professional curiosity"),
    ("management-oversight", "Management oversight"),
    ("support-to-parents", "Support to parents"),
    ("voice-of-the-child", "Voice of the child"),
    ("was-not-brought", "Was not brought"),
    ("domestic-abuse", "Domestic abuse"),
)


def install_themes(theme_model: Any = None) -> None:
    if theme_model is None:
        from safeguarding.reviews.models import Theme as theme_model
    for order, (code, name) in enumerate(THEMES, start=1):
        theme_model.objects.get_or_create(code=code, defaults={"name": name, "order": order})
