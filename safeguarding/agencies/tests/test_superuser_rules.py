"""A superuser (the demo's Django-admin account) gets nothing from the Hub's own rules: Django's
superuser shortcut in has_perm would otherwise open every page guarded by a rule."""

from __future__ import annotations

import pytest
import rules

from safeguarding.agencies.models import User


@pytest.mark.django_db
def test_superuser_gets_no_hub_rule_but_keeps_django_admin_permissions() -> None:
    admin = User.objects.create(username="synthetic-admin", is_staff=True, is_superuser=True)
    plain = User.objects.create(username="synthetic-plain")
    hub_rules = sorted(name for name in rules.permissions.permissions if "." in name)
    assert len(hub_rules) > 20, "the apps register their rules"
    # Exactly what the same person without the flag gets (e.g. learning.use, open to anyone signed in).
    assert [n for n in hub_rules if admin.has_perm(n)] == [n for n in hub_rules if plain.has_perm(n)]
    assert not admin.has_perm("linking.decide_match")
    assert not admin.has_perm("dashboards.view")
    assert admin.has_perm("agencies.change_user")  # Django's model permission, for the admin site


@pytest.mark.django_db
def test_an_inactive_person_gets_no_rule() -> None:
    person = User.objects.create(username="synthetic-leaver", is_active=False)
    assert not person.has_perm("linking.decide_match")
