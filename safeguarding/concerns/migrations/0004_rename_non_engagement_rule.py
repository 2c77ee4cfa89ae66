"""Rename the default rule `disguised-compliance` to `closed-non-engagement-concerns-continue` (issue 17).

The rule finds early help closed because the family did not engage, then further concerns: that is
non-engagement, the opposite of disguised compliance (apparent co-operation without change). The
rule's row keeps its id, so its alerts and history stay with it; the explanation changes only where
the partnership has not edited it. A partnership that already made a rule with the new code keeps both.
"""

from typing import Any

from django.db import migrations

OLD, NEW = "disguised-compliance", "closed-non-engagement-concerns-continue"
OLD_EXPLANATION = (
    "Early help was closed because the family did not engage, and agencies recorded further concerns "
    "within six months. Apparent co-operation that ends professional involvement can be disguised "
    "compliance."
)
NEW_EXPLANATION = (
    "Early help was closed because the family did not engage, and agencies recorded further concerns "
    "within six months: the help ended but the worries did not. Look again at whether the threshold "
    "for a referral to children's social care is met."
)


def _rename(apps: Any, old: str, new: str, old_explanation: str, new_explanation: str) -> None:
    Rule = apps.get_model("concerns", "Rule")
    if Rule.objects.filter(code=new).exists():
        return
    for rule in Rule.objects.filter(code=old):
        rule.code = new
        if rule.explanation == old_explanation:
            rule.explanation = new_explanation
        rule.save(update_fields=["code", "explanation"])


def forwards(apps: Any, schema_editor: Any) -> None:
    _rename(apps, OLD, NEW, OLD_EXPLANATION, NEW_EXPLANATION)


def backwards(apps: Any, schema_editor: Any) -> None:
    _rename(apps, NEW, OLD, NEW_EXPLANATION, OLD_EXPLANATION)


class Migration(migrations.Migration):
    dependencies = [("concerns", "0003_gap_rule")]

    operations = [migrations.RunPython(forwards, backwards)]
