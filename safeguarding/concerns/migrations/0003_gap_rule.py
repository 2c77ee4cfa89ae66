"""The sixth rule kind, "gap in contact", and its default rule `long-gap-no-contact`.

The rule ships switched off everywhere (`defaults.PREVIEW_FIRST`): on years of history it would raise
an alert for every child whose last recorded contact is more than six months old, closed cases
included, so the partnership previews it at /alerts/rules/ and switches it on. On a new database
`0002` has already installed it (switched off) with the rest of the pack, and this adds nothing.
"""

from typing import Any

from django.db import migrations, models


def install(apps: Any, schema_editor: Any) -> None:
    from safeguarding.concerns.defaults import GAP_RULE
    from safeguarding.concerns.defaults import install as install_rules

    install_rules(apps.get_model("concerns", "Rule"), codes=[GAP_RULE], active=False)


class Migration(migrations.Migration):
    dependencies = [("concerns", "0002_default_rules")]

    operations = [
        migrations.AlterField(
            model_name="rule",
            name="kind",
            field=models.CharField(
                choices=[
                    ("count_in_window", "Count in a window"),
                    ("spread_across_agencies", "Spread across agencies"),
                    ("sequence", "Sequence"),
                    ("state_plus_event", "Event while a state is open"),
                    ("value_threshold", "Threshold on a value"),
                    ("gap", "Gap in contact"),
                ],
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="alert",
            name="first_met_on",
            field=models.DateField(
                help_text=(
                    "The date of the entry that completed the pattern (for a gap in contact: the day the gap became "
                    "long)."
                )
            ),
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
