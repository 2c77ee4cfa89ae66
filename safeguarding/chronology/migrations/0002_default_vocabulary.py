"""Load the default event-type vocabulary (data/default_event_types.json)."""

from django.db import migrations


def load_default_vocabulary(apps, schema_editor):
    from safeguarding.chronology.vocabulary import load_vocabulary

    load_vocabulary(apps.get_model("chronology", "EventType"))


class Migration(migrations.Migration):
    dependencies = [
        ("chronology", "0001_initial"),
    ]

    operations = [
        # Reversing leaves the vocabulary in place: events may already refer to it (PROTECT).
        migrations.RunPython(load_default_vocabulary, migrations.RunPython.noop),
    ]
