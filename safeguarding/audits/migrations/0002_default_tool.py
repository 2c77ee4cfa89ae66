from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from safeguarding.audits.defaults import install_tool

    install_tool(apps.get_model("audits", "AuditTool"), apps.get_model("audits", "ToolQuestion"))


def backwards(apps: Any, schema_editor: Any) -> None:
    from safeguarding.audits.defaults import DEFAULT_TOOL

    tool_model = apps.get_model("audits", "AuditTool")
    tool_model.objects.filter(name=DEFAULT_TOOL, audits__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
