"""The plan event vocabulary (see plans/defaults.py) and a database guard: an agreed plan version and
its objectives never change.

PostgreSQL: triggers refuse UPDATE and DELETE of an agreed version, and INSERT, UPDATE or DELETE of an
objective of an agreed version. SQLite: the same for UPDATE and INSERT (not DELETE, which the test
runner's flush uses; the models refuse deletes). The models' own save()/delete() guards come first.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION plans_refuse_agreed_version() RETURNS trigger AS $$
BEGIN
  IF OLD.state = 'agreed' THEN
    RAISE EXCEPTION 'An agreed plan version cannot be changed: amend the plan to make a new draft.';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER plans_planversion_agreed_locked BEFORE UPDATE OR DELETE ON plans_planversion
  FOR EACH ROW EXECUTE FUNCTION plans_refuse_agreed_version();

CREATE OR REPLACE FUNCTION plans_refuse_agreed_objective() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND EXISTS (
      SELECT 1 FROM plans_planversion v WHERE v.id = OLD.version_id AND v.state = 'agreed') THEN
    RAISE EXCEPTION 'An agreed plan version cannot be changed: amend the plan to make a new draft.';
  END IF;
  IF TG_OP <> 'DELETE' AND EXISTS (
      SELECT 1 FROM plans_planversion v WHERE v.id = NEW.version_id AND v.state = 'agreed') THEN
    RAISE EXCEPTION 'An agreed plan version cannot be changed: amend the plan to make a new draft.';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER plans_objective_agreed_locked BEFORE INSERT OR UPDATE OR DELETE ON plans_objective
  FOR EACH ROW EXECUTE FUNCTION plans_refuse_agreed_objective();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS plans_objective_agreed_locked ON plans_objective;
DROP FUNCTION IF EXISTS plans_refuse_agreed_objective();
DROP TRIGGER IF EXISTS plans_planversion_agreed_locked ON plans_planversion;
DROP FUNCTION IF EXISTS plans_refuse_agreed_version();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER plans_planversion_agreed_locked BEFORE UPDATE ON plans_planversion
FOR EACH ROW WHEN OLD.state = 'agreed' BEGIN SELECT RAISE(ABORT, 'An agreed plan version cannot be changed: amend the plan to make a new draft.'); END;""",
    """CREATE TRIGGER plans_objective_agreed_locked_update BEFORE UPDATE ON plans_objective
FOR EACH ROW WHEN (SELECT state FROM plans_planversion WHERE id = OLD.version_id) = 'agreed'
  OR (SELECT state FROM plans_planversion WHERE id = NEW.version_id) = 'agreed'
BEGIN SELECT RAISE(ABORT, 'An agreed plan version cannot be changed: amend the plan to make a new draft.'); END;""",
    """CREATE TRIGGER plans_objective_agreed_locked_insert BEFORE INSERT ON plans_objective
FOR EACH ROW WHEN (SELECT state FROM plans_planversion WHERE id = NEW.version_id) = 'agreed'
BEGIN SELECT RAISE(ABORT, 'An agreed plan version cannot be changed: amend the plan to make a new draft.'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS plans_objective_agreed_locked_insert;",
    "DROP TRIGGER IF EXISTS plans_objective_agreed_locked_update;",
    "DROP TRIGGER IF EXISTS plans_planversion_agreed_locked;",
]


def add_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def remove_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


def add_vocabulary(apps, schema_editor):
    from safeguarding.plans.defaults import install_defaults

    install_defaults(apps.get_model("chronology", "EventType"))


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
        ("chronology", "0002_default_vocabulary"),
    ]

    operations = [
        # Reversing leaves the vocabulary in place: chronology entries may already use it (PROTECT).
        migrations.RunPython(add_vocabulary, migrations.RunPython.noop),
        migrations.RunPython(add_guard, remove_guard),
    ]
