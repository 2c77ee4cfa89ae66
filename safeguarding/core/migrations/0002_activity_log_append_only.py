"""On PostgreSQL, refuse UPDATE and DELETE on the activity log at the database itself, so no
code path (or hand-typed SQL from the application role) can rewrite history."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION core_activitylog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_activitylog is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_activitylog_no_update_delete
    BEFORE UPDATE OR DELETE ON core_activitylog
    FOR EACH ROW EXECUTE FUNCTION core_activitylog_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS core_activitylog_no_update_delete ON core_activitylog;
DROP FUNCTION IF EXISTS core_activitylog_append_only();
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
