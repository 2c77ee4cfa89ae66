"""Migration 0004: the non-engagement rule is renamed from `disguised-compliance` (issue 17), keeping its
row (and so its alerts); its explanation changes only where the partnership has not edited it."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps

from safeguarding.concerns.models import Rule

migration = import_module("safeguarding.concerns.migrations.0004_rename_non_engagement_rule")


@pytest.fixture
def old_rule(db: None) -> Rule:
    """The rule as a database migrated before 0004 holds it."""
    rule = Rule.objects.get(code=migration.NEW)
    Rule.objects.filter(pk=rule.pk).update(code=migration.OLD, explanation=migration.OLD_EXPLANATION)
    rule.refresh_from_db()
    return rule


def test_the_rule_is_renamed_in_place_with_the_new_explanation(old_rule: Rule) -> None:
    migration.forwards(apps, None)
    rule = Rule.objects.get(pk=old_rule.pk)
    assert rule.code == "closed-non-engagement-concerns-continue"
    assert "disguised" not in rule.explanation
    assert rule.name == "Early help closed for non-engagement, then concerns continue"
    assert not Rule.objects.filter(code="disguised-compliance").exists()


def test_an_edited_explanation_is_kept_and_the_rename_reverses(old_rule: Rule) -> None:
    Rule.objects.filter(pk=old_rule.pk).update(explanation="Our own words.")
    migration.forwards(apps, None)
    assert Rule.objects.get(pk=old_rule.pk).explanation == "Our own words."
    migration.backwards(apps, None)
    assert Rule.objects.get(pk=old_rule.pk).code == "disguised-compliance"


def test_a_new_database_has_only_the_new_code(db: None) -> None:
    assert Rule.objects.filter(code="closed-non-engagement-concerns-continue").count() == 1
    assert not Rule.objects.filter(code="disguised-compliance").exists()
