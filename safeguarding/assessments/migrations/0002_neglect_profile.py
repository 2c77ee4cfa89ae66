"""Installs the neglect profile template (the Graded Care Profile 2 structure only; no licensed wording)."""

from typing import Any

from django.db import migrations


def install(apps: Any, schema_editor: Any) -> None:
    from safeguarding.assessments.defaults import install_defaults
    from safeguarding.assessments.loading import namespace

    install_defaults(namespace(apps))


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
