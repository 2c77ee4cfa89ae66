"""The service kernel: keyword-only actor, one transaction, a logged change, versioned updates and
workflow transitions, and the API's one mapping of refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from rest_framework import exceptions

from safeguarding.api.exceptions import Conflict, service_error_as_api
from safeguarding.core import kernel
from safeguarding.core.models import ActivityLog
from safeguarding.core.services import record_activity


def test_a_service_must_take_actor_as_keyword_only() -> None:
    with pytest.raises(TypeError, match="keyword-only"):

        @kernel.service
        def positional(actor: Any) -> None:  # pragma: no cover - refused at decoration
            pass

    with pytest.raises(TypeError, match="keyword-only"):

        @kernel.service
        def no_actor() -> None:  # pragma: no cover - refused at decoration
            pass


@pytest.mark.django_db
def test_a_service_that_writes_no_log_rolls_back() -> None:
    @kernel.service
    def silent(*, actor: Any) -> None:
        ActivityLog.objects.create(action="not.through.record_activity")

    with pytest.raises(kernel.UnloggedChange):
        silent(actor=None)
    assert not ActivityLog.objects.filter(action="not.through.record_activity").exists()


@pytest.mark.django_db
def test_a_logged_service_commits_and_unchanged_is_allowed() -> None:
    @kernel.service
    def logged(*, actor: Any) -> str:
        record_activity(actor=actor, action="kernel.logged")
        return "done"

    @kernel.service
    def nothing(*, actor: Any) -> None:
        kernel.unchanged()

    assert logged(actor=None) == "done"
    nothing(actor=None)
    assert ActivityLog.objects.filter(action="kernel.logged").count() == 1


@pytest.mark.django_db
def test_a_nested_service_counts_for_its_caller() -> None:
    @kernel.service
    def inner(*, actor: Any) -> None:
        record_activity(actor=actor, action="kernel.inner")

    @kernel.service
    def outer(*, actor: Any) -> None:
        inner(actor=actor)

    outer(actor=None)
    assert ActivityLog.objects.filter(action="kernel.inner").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_service_runs_in_a_transaction_so_locking_works_under_autocommit() -> None:
    seen: list[bool] = []

    @kernel.service
    def locks(*, actor: Any) -> None:
        seen.append(connection.in_atomic_block)
        list(ActivityLog.objects.select_for_update().all())
        record_activity(actor=actor, action="kernel.locked")

    assert connection.get_autocommit()
    locks(actor=None)
    assert seen == [True]
    if connection.features.has_select_for_update:  # PostgreSQL: outside a transaction it is refused
        with pytest.raises(transaction.TransactionManagementError):
            list(ActivityLog.objects.select_for_update().all())


def test_errors_carry_their_message() -> None:
    assert kernel.StaleVersion(noun="plan").message.startswith("Someone else changed this plan")
    assert kernel.StaleVersion("Another tab saved it.").message == "Another tab saved it."
    assert kernel.NotAllowed("Only the lead.").message == "Only the lead."
    with pytest.raises(kernel.NotAllowed, match="Only the lead"):
        kernel.require(False, "Only the lead.")
    kernel.require(True, "never")


def test_the_api_maps_refusals_once() -> None:
    from django.core.exceptions import ValidationError

    assert isinstance(service_error_as_api(kernel.StaleVersion(noun="audit")), Conflict)
    assert isinstance(service_error_as_api(kernel.NotAllowed("no")), exceptions.PermissionDenied)
    invalid = service_error_as_api(ValidationError({"title": "Give a title."}))
    assert isinstance(invalid, exceptions.ValidationError)
    assert invalid.detail == {"title": ["Give a title."]}
    assert service_error_as_api(ValueError("x")) is None


def _rule() -> Any:
    from safeguarding.concerns.models import Rule

    return Rule.objects.create(code="kernel-test", name="Kernel test rule", explanation="x", kind="gap")


@pytest.mark.django_db
def test_update_versioned_refuses_a_stale_version() -> None:
    from safeguarding.concerns.models import Rule

    rule = _rule()
    read = rule.version
    kernel.update_versioned(rule, version=read, changes={"name": "Renamed"}, noun="rule")
    assert Rule.objects.get(pk=rule.pk).name == "Renamed"
    assert rule.version == read + 1
    stale = Rule.objects.get(pk=rule.pk)
    stale.version = read  # the second person read it before the first saved
    with pytest.raises(kernel.StaleVersion, match="this rule"):
        kernel.update_versioned(stale, version=read, changes={"name": "Lost"}, noun="rule")
    assert Rule.objects.get(pk=rule.pk).name == "Renamed"


@pytest.mark.django_db
def test_lock_refuses_a_stale_version_inside_a_transaction() -> None:
    from safeguarding.concerns.models import Rule

    rule = _rule()
    with transaction.atomic():
        assert kernel.lock(Rule, rule.pk, version=rule.version).pk == rule.pk
        with pytest.raises(kernel.StaleVersion):
            kernel.lock(Rule.objects.all(), rule.pk, version=rule.version + 1, noun="rule")


# A workflow over the rule's severity (any status-like field will do for the mechanism).
SEVERITY = kernel.Workflow(
    name="kerneltest",
    noun="rule",
    status_field="severity",
    transitions=[
        kernel.Transition(
            "raise",
            "Raise",
            frozenset({"low", "medium"}),
            "high",
            "Only a lead can raise it.",
            who=lambda user, rule: user == "lead",
        ),
        kernel.Transition("note", "Note", frozenset({"low", "medium", "high"}), None, "Nobody may note it."),
    ],
)


@pytest.mark.django_db
def test_a_workflow_is_a_table_plus_guards() -> None:
    rule = _rule()
    rule.severity = "medium"
    rule.save()
    assert SEVERITY.allowed("lead", rule) == ["raise", "note"]
    assert SEVERITY.allowed("someone", rule) == ["note"]
    with pytest.raises(kernel.NotAllowed, match="Only a lead"):
        SEVERITY.check("raise", "someone", rule)

    rows: list[kernel.Moved] = []
    with transaction.atomic():
        moved = SEVERITY.apply(rule, action="raise", actor=None, version=rule.version, history=rows.append, system=True)
    assert (moved.from_status, moved.to_status) == ("medium", "high")
    assert rows == [moved]
    assert type(rule).objects.get(pk=rule.pk).severity == "high"
    log = ActivityLog.objects.get(action="kerneltest.raise")
    assert log.changes == {"severity": ["medium", "high"]}
    # The same version again: someone moved it since.
    with pytest.raises(kernel.StaleVersion), transaction.atomic():
        SEVERITY.apply(rule, action="note", actor=None, version=rule.version - 1, system=True)
