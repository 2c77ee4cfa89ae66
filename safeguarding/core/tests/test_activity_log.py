import logging

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError, InternalError

from safeguarding.core.context import use_via
from safeguarding.core.enums import Via
from safeguarding.core.logging import StripQueryStringFilter
from safeguarding.core.models import ActivityLog, AppendOnlyError
from safeguarding.core.services import MASK, diff, record_activity
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db


def test_record_activity_writes_actor_agency_target_and_via():
    agency = f.AgencyFactory(code="NBP")
    user = f.member(agency)
    child = f.ChildFactory()
    with use_via(Via.COMMAND):
        row = record_activity(actor=user, action="child.viewed", target=child, child_id=child.pk)
    row.refresh_from_db()
    assert row.actor == user
    assert row.actor_agency_code == "NBP"
    assert row.target_id == str(child.pk)
    assert row.target_type.model == "child"
    assert row.subject_child_id == child.pk
    assert row.via == Via.COMMAND
    assert row.request_id


def test_activity_log_refuses_update_and_delete_through_the_orm():
    row = record_activity(actor=None, action="test.done")
    row.action = "test.changed"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        ActivityLog.objects.filter(pk=row.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        ActivityLog.objects.filter(pk=row.pk).delete()
    assert ActivityLog.objects.get(pk=row.pk).action == "test.done"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL only")
def test_activity_log_refuses_raw_sql_update_on_postgresql():
    row = record_activity(actor=None, action="test.done")
    with pytest.raises((DatabaseError, InternalError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_activitylog SET action = 'x' WHERE id = %s", [row.pk])
    assert ActivityLog.objects.get(pk=row.pk).action == "test.done"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL only")
def test_activity_log_refuses_truncate_on_postgresql():
    """A row trigger does not fire on TRUNCATE; the statement trigger refuses it (issue 16)."""
    row = record_activity(actor=None, action="test.done")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own pending FK checks first
        with pytest.raises((DatabaseError, InternalError), match="TRUNCATE is refused"), transaction.atomic():
            cursor.execute("TRUNCATE core_activitylog CASCADE")
    assert ActivityLog.objects.filter(pk=row.pk).exists()


def test_diff_masks_personal_fields_but_shows_they_changed():
    changes = diff(
        {"first_name": "Ellis", "sex": "male"}, {"first_name": "Elis", "sex": "female"}, masked=["first_name"]
    )
    assert changes == {"first_name": [MASK, MASK], "sex": ["male", "female"]}


def test_log_filter_strips_query_strings_from_request_lines():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /children/?name=Ellis+Marsh HTTP/1.1", 200, 10),
        None,
    )
    StripQueryStringFilter().filter(record)
    assert "Ellis" not in record.getMessage()
    assert "/children/?…" in record.getMessage()
