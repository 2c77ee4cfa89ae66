"""The activity log's hash chain (`core.chain`): the seal table, append-only like the log itself —
on PostgreSQL, row triggers refuse UPDATE and DELETE and a statement trigger refuses TRUNCATE."""

import django.utils.timezone
from django.db import migrations, models

CREATE = """
CREATE OR REPLACE FUNCTION core_activitylogseal_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_activitylogseal is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_activitylogseal_no_update_delete
    BEFORE UPDATE OR DELETE ON core_activitylogseal
    FOR EACH ROW EXECUTE FUNCTION core_activitylogseal_append_only();
CREATE TRIGGER core_activitylogseal_no_truncate
    BEFORE TRUNCATE ON core_activitylogseal
    FOR EACH STATEMENT EXECUTE FUNCTION core_activitylogseal_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS core_activitylogseal_no_truncate ON core_activitylogseal;
DROP TRIGGER IF EXISTS core_activitylogseal_no_update_delete ON core_activitylogseal;
DROP FUNCTION IF EXISTS core_activitylogseal_append_only();
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_activity_log_no_truncate"),
    ]

    operations = [
        migrations.CreateModel(
            name="ActivityLogSeal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.PositiveBigIntegerField(unique=True)),
                ("log_id", models.BigIntegerField(unique=True)),
                ("prev_hash", models.CharField(max_length=64)),
                ("row_hash", models.CharField(max_length=64)),
                ("sealed_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "ordering": ["seq"],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
