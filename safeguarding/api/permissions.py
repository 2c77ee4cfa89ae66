"""Who may manage agency API tokens. Declared once; used by the token pages and the navigation."""

from __future__ import annotations

import rules

from safeguarding.agencies.permissions import is_administrator

# Administrators only (a person, never a system account). The services check the role again.
can_manage_api_tokens = is_administrator

rules.add_perm("api.manage_tokens", can_manage_api_tokens)
