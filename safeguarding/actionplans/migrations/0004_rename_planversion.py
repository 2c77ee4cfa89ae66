from django.db import migrations


class Migration(migrations.Migration):
    """`PlanVersion` becomes `ActionPlanVersion`: the care plans app has its own `PlanVersion`."""

    dependencies = [
        ("actionplans", "0003_rechecks"),
        ("publishing", "0001_initial"),  # its report points at the version: rename after it exists
    ]

    operations = [
        migrations.RenameModel(old_name="PlanVersion", new_name="ActionPlanVersion"),
    ]
