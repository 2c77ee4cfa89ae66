from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from safeguarding.reviews.defaults import install_themes

    install_themes(apps.get_model("reviews", "Theme"))


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
