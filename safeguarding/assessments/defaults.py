"""The shipped neglect profile (the Graded Care Profile 2 structure, no licensed wording).

The data migration installs it; `install_defaults()` can run again safely.
Both read `data/neglect_profile.yaml` through the same checks as `load_assessment_template`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

NEGLECT_PROFILE_FILE = Path(__file__).resolve().parent / "data" / "neglect_profile.yaml"
NEGLECT_PROFILE_CODE = "neglect-profile"


def install_defaults(models: Any = None) -> None:
    """Create or update the neglect profile template (idempotent; `models` from a migration, or the real ones)."""
    from safeguarding.assessments.loading import apply_template
    from safeguarding.assessments.template_file import check_template, read_file

    data, filename, problems = read_file(NEGLECT_PROFILE_FILE)
    apply_template(check_template(data, filename, problems), models, filename=filename)
