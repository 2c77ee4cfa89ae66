"""The default rule pack (see safeguarding/concerns/defaults.py)."""

from typing import Any

from django.db import migrations


def install(apps: Any, schema_editor: Any) -> None:
    from safeguarding.concerns.defaults import install as install_rules

    install_rules(apps.get_model("concerns", "Rule"))


class Migration(migrations.Migration):
    dependencies = [("concerns", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
