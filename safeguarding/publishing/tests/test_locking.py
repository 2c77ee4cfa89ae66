"""Every path of the committee report services that locks a row, run as a real request runs them:
outside a test transaction (`transaction=True`), so each service's own transaction is the only one
(on PostgreSQL under autocommit a `select_for_update()` outside a transaction is refused). Two people
saving from the same version must not both succeed: the second gets `StaleVersion`, and nothing of
theirs is saved. Run with DATABASE_URL set to PostgreSQL to prove it there."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from safeguarding.core.models import ActivityLog
from safeguarding.publishing import services
from safeguarding.publishing.enums import GenerationStatus
from safeguarding.publishing.models import CommitteeReport, GeneratedReport
from safeguarding.publishing.tests.conftest import PublishingCast, build_publishing_cast

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tpc(transactional_db: None) -> PublishingCast:
    return build_publishing_cast()


def _fresh(report: CommitteeReport) -> CommitteeReport:
    """Another person's copy of the report, read now."""
    return CommitteeReport.objects.get(pk=report.pk)


def _header(report: CommitteeReport, **changes: Any) -> services.Header:
    values = {name: getattr(report, name) for name in services.Header.__dataclass_fields__}
    return services.Header(**(values | changes))


def _edit(c: PublishingCast, report: CommitteeReport, base: int, reasons: str, actor: Any = None) -> Any:
    text = report.latest_text()
    assert text is not None
    fields = text.values() | {"reasons": reasons}
    return services.edit_text(actor=actor or c.business, report=report, base_number=base, fields=fields)


def test_two_header_changes_from_the_same_version_the_second_is_refused(tpc: PublishingCast) -> None:
    report = tpc.report()
    mine, theirs = _fresh(report), _fresh(report)
    assert not connection.in_atomic_block
    services.update_report(actor=tpc.business, report=mine, version=1, header=_header(mine, item_number="7"))
    with pytest.raises(services.StaleVersion, match="Someone else changed this report"):
        services.update_report(actor=tpc.admin, report=theirs, version=1, header=_header(theirs, item_number="8"))
    stored = _fresh(report)
    assert (stored.item_number, stored.version) == ("7", 2)
    assert ActivityLog.objects.filter(action="publishing.report_updated").count() == 1


def test_two_text_edits_from_the_same_version_the_second_is_refused(tpc: PublishingCast) -> None:
    report = tpc.report()
    _edit(tpc, _fresh(report), 1, "Mine.")
    with pytest.raises(services.StaleVersion, match="Someone else saved a newer version"):
        _edit(tpc, _fresh(report), 1, "Theirs.", actor=tpc.admin)
    assert report.texts.count() == 2
    latest = report.latest_text()
    assert latest is not None
    assert latest.value("reasons") == "Mine."
    assert ActivityLog.objects.filter(action="publishing.text_edited").count() == 1


def test_a_generation_run_twice_is_generated_once(tpc: PublishingCast) -> None:
    generated = services.request_generation(actor=tpc.business, report=tpc.report())
    done = services.generate_report(actor=tpc.business, generated=generated)
    again = services.generate_report(actor=tpc.business, generated=GeneratedReport.objects.get(pk=generated.pk))
    assert (done.status, again.plan_version_id) == (GenerationStatus.DONE, done.plan_version_id)
    assert ActivityLog.objects.filter(action="publishing.report_generated").count() == 1
    assert ActivityLog.objects.filter(action="actionplan.version_frozen").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL only")
def test_a_second_text_edit_waits_for_the_first_then_is_refused(tpc: PublishingCast) -> None:
    """Two people saving at once: the second blocks on the report's row lock until the first commits,
    then finds a newer version of the text."""
    report = tpc.report()
    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            _edit(tpc, _fresh(report), 1, "Theirs.", actor=tpc.admin)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=second)
    with transaction.atomic():
        _edit(tpc, _fresh(report), 1, "Mine.")
        thread.start()
        thread.join(timeout=1.0)
        assert thread.is_alive(), "the second edit should wait for the first one's row lock"
    thread.join(timeout=30)
    assert len(outcome) == 1
    assert isinstance(outcome[0], services.StaleVersion)
    assert report.texts.count() == 2
