"""On PostgreSQL, refuse TRUNCATE of the activity log too: a row trigger does not fire on
TRUNCATE, so without a statement trigger the table's owner could empty it in one statement."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION core_activitylog_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_activitylog is append-only: TRUNCATE is refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_activitylog_no_truncate
    BEFORE TRUNCATE ON core_activitylog
    FOR EACH STATEMENT EXECUTE FUNCTION core_activitylog_no_truncate();
"""
DROP = """
DROP TRIGGER IF EXISTS core_activitylog_no_truncate ON core_activitylog;
DROP FUNCTION IF EXISTS core_activitylog_no_truncate();
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_bank_holiday_amendments")]

    operations = [migrations.RunPython(forwards, backwards)]
