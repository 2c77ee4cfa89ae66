from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from safeguarding.learning.defaults import install_defaults

    install_defaults(
        apps.get_model("escalations", "EscalationReason"),
        apps.get_model("reviews", "Theme"),
        apps.get_model("learning", "ReasonTheme"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0001_initial"),
        ("escalations", "0002_default_configuration"),
        ("reviews", "0002_default_themes"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
