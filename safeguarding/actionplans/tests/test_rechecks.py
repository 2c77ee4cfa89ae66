"""Re-checks: a complete action's date to check that the change held. Due detection and its once-only
emails, recording the re-check (held kept on the action; did not hold reopens it through the update
path), who may record it, the action page's form, the API, versions and progress."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from safeguarding.actionplans import services
from safeguarding.actionplans.enums import ActionRag, ActionStatus
from safeguarding.actionplans.models import Action, ActionUpdate, RecheckNotice
from safeguarding.actionplans.permissions import NotAllowed, StaleVersion
from safeguarding.actionplans.tests.conftest import PlanCast
from safeguarding.agencies.enums import Role
from safeguarding.api.tests.factories import make_token, signed_in_client, token_client
from safeguarding.core.models import ActivityLog
from safeguarding.reviews.enums import RecommendationStatus
from safeguarding.reviews.models import ReviewRecommendation
from safeguarding.testing import factories as f

S, R = ActionStatus, ActionRag


def _complete(pc: PlanCast, *, recheck_in: int | None = 0, sign: bool = False, **kwargs: Any) -> Action:
    """A complete action (led by `pc.lead` unless told) with its re-check date `recheck_in` days from today."""
    action = pc.action(recheck_on=pc.today + timedelta(days=recheck_in) if recheck_in is not None else None, **kwargs)
    pc.update(action, S.COMPLETE, R.BLUE)
    if sign:
        services.sign_off(actor=pc.chair, action=action)
    return Action.objects.get(pk=action.pk)


def _recheck(pc: PlanCast, action: Action, *, by: Any = None, **kwargs: Any) -> ActionUpdate:
    values: dict[str, Any] = {"rechecked_on": pc.today, "held": True, "narrative": "Re-audit: 17 of 20."}
    values.update(kwargs)
    return services.record_recheck(actor=by or pc.business, action=action, version=action.version, **values)


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


@pytest.fixture
def eager_on_commit(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    monkeypatch.setattr("django.db.transaction.on_commit", lambda fn, using=None, robust=False: fn())


# ---- due detection ---------------------------------------------------------------------------------


def test_recheck_due_boundaries(pc: PlanCast) -> None:
    tomorrow = _complete(pc, recheck_in=1)
    today = _complete(pc, recheck_in=0)
    yesterday_signed = _complete(pc, recheck_in=-1, sign=True)
    no_date = _complete(pc, recheck_in=None)
    open_past = pc.action(recheck_on=pc.today - timedelta(days=5))  # not complete: not due
    assert not tomorrow.is_recheck_due(pc.today)
    assert today.is_recheck_due(pc.today)
    assert yesterday_signed.is_recheck_due(pc.today)
    assert not no_date.is_recheck_due(pc.today)
    assert not open_past.is_recheck_due(pc.today)
    assert set(Action.objects.recheck_due(pc.today)) == {today, yesterday_signed}
    # The day before its date, the "today" action is not due yet.
    assert set(Action.objects.recheck_due(pc.today - timedelta(days=1))) == {yesterday_signed}
    # Once a re-check that held is recorded, it is not due any more.
    _recheck(pc, today)
    assert set(Action.objects.recheck_due(pc.today)) == {yesterday_signed}
    assert not Action.objects.get(pk=today.pk).is_recheck_due(pc.today)


def test_progress_counts_rechecks_due_and_held(pc: PlanCast) -> None:
    due = _complete(pc, recheck_in=-2)
    held = _complete(pc, recheck_in=-2)
    _recheck(pc, held)
    progress = services.plan_progress(pc.plan, pc.today)
    assert (progress.recheck_due, progress.recheck_held) == (1, 1)
    assert progress.as_dict()["recheck_due"] == 1
    groups = services.recommendation_progress(pc.plan, pc.today)
    assert groups[0].progress is not None
    assert groups[0].progress.recheck_due == 1  # both answer recommendation 1
    assert due.pk != held.pk


# ---- the daily flag ------------------------------------------------------------------------------------


def test_flag_rechecks_due_emails_lead_and_business_unit_once_per_recheck_date(pc: PlanCast, eager_on_commit) -> None:
    colleague = f.member(pc.business.primary_agency, Role.BUSINESS_UNIT, email="bu2@example.org")
    action = _complete(pc, recheck_in=0)
    _complete(pc, recheck_in=1)  # not due until tomorrow
    pc.action(recheck_on=pc.today - timedelta(days=3))  # not complete
    assert services.flag_rechecks_due(today=pc.today - timedelta(days=1)) == 0  # the day before
    assert services.flag_rechecks_due(today=pc.today) == 1
    assert services.flag_rechecks_due(today=pc.today) == 0  # once per re-check date
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert {pc.lead.email, pc.business.email, colleague.email} <= set(email.to)
    assert email.subject == f"Action {action.reference}: re-check due"
    assert f"/action-plans/actions/{action.pk}/" in email.body
    # It did not hold: reopened with a new due date and re-check date, completed again, told again then.
    new_recheck = pc.today + timedelta(days=60)
    _recheck(pc, action, held=False, due_on=pc.today + timedelta(days=30), recheck_on=new_recheck)
    action.refresh_from_db()
    pc.update(action, S.COMPLETE, R.BLUE)
    assert services.flag_rechecks_due(today=new_recheck - timedelta(days=1)) == 1  # the other (tomorrow's)
    assert services.flag_rechecks_due(today=new_recheck) == 1
    assert list(RecheckNotice.objects.filter(action=action).values_list("recheck_on", flat=True).order_by("pk")) == [
        pc.today,
        new_recheck,
    ]
    assert ActivityLog.objects.filter(action="actionplan.recheck_due", target_id=str(action.pk)).count() == 2


def test_flag_rechecks_due_command_and_task(pc: PlanCast) -> None:
    due = _complete(pc, recheck_in=-3)
    later = _complete(pc, recheck_in=10)
    call_command("flag_rechecks_due", "--enqueue")  # the immediate task backend runs the task now
    assert list(RecheckNotice.objects.values_list("action_id", "recheck_on")) == [(due.pk, due.recheck_on)]
    call_command("flag_rechecks_due")
    assert RecheckNotice.objects.count() == 1
    call_command("flag_rechecks_due", "--today", (pc.today + timedelta(days=10)).strftime("%d/%m/%Y"))
    assert set(RecheckNotice.objects.values_list("action_id", flat=True)) == {due.pk, later.pk}


# ---- recording it ----------------------------------------------------------------------------------


def test_held_is_kept_on_the_action_and_logged(pc: PlanCast) -> None:
    action = _complete(pc, recheck_in=-1, sign=True, rec=0)
    assert ReviewRecommendation.objects.get(pk=pc.recs[0].pk).status == RecommendationStatus.COMPLETE
    version = action.version
    update = _recheck(
        pc,
        action,
        by=pc.lead,
        evidence_files=[services.Upload("re-audit.txt", b"17 of 20", "text/plain")],
    )
    stored = Action.objects.get(pk=action.pk)
    assert (stored.rechecked_on, stored.recheck_held) == (pc.today, True)
    assert (stored.status, stored.rag, stored.signed_off_by) == (S.COMPLETE, R.BLUE, pc.chair)
    assert stored.version == version + 1
    assert action.version == version + 1  # the caller's object follows
    assert (update.recheck_held, update.status, update.author) == (True, S.COMPLETE, pc.lead)
    assert [d.filename for d in update.evidence.all()] == ["re-audit.txt"]
    log = ActivityLog.objects.get(action="actionplan.recheck_recorded")
    assert log.changes["recheck_held"] == [None, True]
    assert log.changes["evidence"] == [None, 1]
    assert "Re-audit" not in str(log.changes)  # the narrative is not logged
    assert not ActivityLog.objects.filter(action="actionplan.action_reopened").exists()
    assert ReviewRecommendation.objects.get(pk=pc.recs[0].pk).status == RecommendationStatus.COMPLETE


def test_did_not_hold_reopens_through_the_update_path(pc: PlanCast) -> None:
    action = _complete(pc, recheck_in=-1, sign=True, rec=0)
    assert ReviewRecommendation.objects.get(pk=pc.recs[0].pk).status == RecommendationStatus.COMPLETE
    old_due, due_on, recheck_on = action.due_on, pc.today + timedelta(days=30), pc.today + timedelta(days=120)
    update = _recheck(pc, action, held=False, narrative="9 of 20.", due_on=due_on, recheck_on=recheck_on)
    stored = Action.objects.get(pk=action.pk)
    assert (stored.status, stored.rag) == (S.AT_RISK, R.AMBER)
    assert (stored.completed_on, stored.signed_off_by, stored.signed_off_at) == (None, None, None)
    assert (stored.rechecked_on, stored.recheck_held) == (pc.today, False)
    assert (stored.due_on, stored.recheck_on) == (due_on, recheck_on)
    assert (update.recheck_held, update.status, update.rag) == (False, S.AT_RISK, R.AMBER)
    reopened = ActivityLog.objects.get(action="actionplan.action_reopened")
    assert reopened.changes["signed_off_by"] == [pc.chair.pk, None]
    recorded = ActivityLog.objects.get(action="actionplan.recheck_recorded")
    assert recorded.changes["due_on"] == [old_due.isoformat(), due_on.isoformat()]
    assert recorded.changes["recheck_held"] == [None, False]
    # The review recommendation follows its reopened action back into the plan.
    assert ReviewRecommendation.objects.get(pk=pc.recs[0].pk).status == RecommendationStatus.IN_ACTION_PLAN
    assert not stored.is_recheck_due(pc.today + timedelta(days=200))  # open: not due
    # Leaving the next re-check date blank clears it (the business unit agrees one later).
    other = _complete(pc, recheck_in=-1)
    _recheck(pc, other, held=False, due_on=due_on)
    assert Action.objects.get(pk=other.pk).recheck_on is None


def test_did_not_hold_needs_a_new_due_date_in_the_future(pc: PlanCast) -> None:
    action = _complete(pc, recheck_in=-1)
    with pytest.raises(ValidationError) as exc:
        _recheck(pc, action, held=False)
    assert _errors(exc)["due_on"] == ["Enter the new due date: the change did not hold, so the action reopens."]
    with pytest.raises(ValidationError) as exc:
        _recheck(pc, action, held=False, due_on=pc.today)
    assert _errors(exc)["due_on"] == ["The new due date must be in the future."]
    with pytest.raises(ValidationError) as exc:
        _recheck(pc, action, held=False, due_on=pc.today + timedelta(days=10), recheck_on=pc.today + timedelta(days=5))
    assert "after the new due date" in _errors(exc)["recheck_on"][0]
    stored = Action.objects.get(pk=action.pk)
    assert (stored.status, stored.recheck_held, stored.version) == (S.COMPLETE, None, action.version)
    assert not stored.updates.filter(recheck_held__isnull=False).exists()


def test_recheck_date_narrative_and_answer_are_checked(pc: PlanCast) -> None:
    action = _complete(pc, recheck_in=-1)
    with pytest.raises(ValidationError) as exc:
        _recheck(pc, action, rechecked_on=pc.today + timedelta(days=1), held=None, narrative="  ")
    assert _errors(exc) == {
        "rechecked_on": ["The date of the re-check must be today or in the past."],
        "held": ["Say whether the change held."],
        "narrative": ["Describe what the re-check found."],
    }
    with pytest.raises(ValidationError) as exc:
        _recheck(pc, action, rechecked_on=pc.today - timedelta(days=1))  # before the completing update
    assert "on or after the action's latest update" in _errors(exc)["rechecked_on"][0]
    with pytest.raises(ValidationError) as exc:
        _recheck(pc, action, evidence_files=[services.Upload(f"{n}.txt", b"x", "text/plain") for n in range(11)])
    assert _errors(exc)["evidence"] == ["Attach at most 10 files to one update."]


def test_who_may_record_the_recheck_and_when(pc: PlanCast) -> None:
    action = _complete(pc, recheck_in=-1)  # led by pc.lead
    for someone in (pc.other_lead, pc.rc.scrutineer, pc.chair):
        with pytest.raises(NotAllowed, match="Only the action's lead officer or the business unit"):
            _recheck(pc, action, by=someone)
    with pytest.raises(NotAllowed, match="Only a complete action"):
        _recheck(pc, pc.a1)
    with pytest.raises(StaleVersion):
        services.record_recheck(
            actor=pc.business,
            action=action,
            version=action.version - 1,
            rechecked_on=pc.today,
            held=True,
            narrative="x",
        )
    _recheck(pc, action, by=pc.lead)
    with pytest.raises(NotAllowed, match="already recorded"):
        _recheck(pc, action)
    assert ActivityLog.objects.filter(action="actionplan.recheck_recorded").count() == 1


def test_reopening_after_it_held_clears_the_held_recheck(pc: PlanCast) -> None:
    action = _complete(pc, recheck_in=-1)
    _recheck(pc, action)
    pc.update(Action.objects.get(pk=action.pk), S.AT_RISK, R.AMBER, narrative="It slipped.")
    stored = Action.objects.get(pk=action.pk)
    assert (stored.rechecked_on, stored.recheck_held) == (None, None)
    pc.update(stored, S.COMPLETE, R.BLUE)
    assert Action.objects.get(pk=action.pk).is_recheck_due(pc.today)  # to be checked again


def test_versions_keep_the_recheck_and_show_it_as_a_change(pc: PlanCast) -> None:
    action = _complete(pc, recheck_in=-1)
    version = services.freeze_version(actor=pc.business, plan=pc.plan, reason="Committee")
    row = next(a for a in version.snapshot["actions"] if a["id"] == action.pk)
    assert (row["rechecked_on"], row["recheck_held"]) == (None, None)
    _recheck(pc, action)
    changes = {c.reference: c for c in services.changes_since(pc.plan, version)}
    fields = {fc.name: (fc.before, fc.after) for fc in changes[action.reference].fields}
    assert fields["recheck_held"] == ("Not recorded", "Yes")
    assert fields["rechecked_on"] == ("None", pc.today.strftime("%d/%m/%Y"))
    # A version frozen before re-checks existed (no such keys) compares without a false change.
    again = services.freeze_version(actor=pc.business, plan=pc.plan, reason="Board")
    for a in again.snapshot["actions"]:
        if a["id"] != action.pk:
            del a["rechecked_on"], a["recheck_held"]
    again.save(update_fields=["snapshot"])
    assert services.changes_since(pc.plan, again) == []


# ---- pages -----------------------------------------------------------------------------------------


def _post(pc: PlanCast, action: Action, **extra: Any) -> dict[str, Any]:
    data = {
        "recheck-version": action.version,
        "recheck-rechecked_on": pc.today.strftime("%d/%m/%Y"),
        "recheck-held": "yes",
        "recheck-narrative": "Re-audit: 17 of 20.",
    }
    data.update({f"recheck-{k}": v for k, v in extra.items()})
    return data


def test_recheck_due_tags_and_count_on_the_plan_and_action_pages(pc: PlanCast, client_for) -> None:
    due = _complete(pc, recheck_in=0)
    held = _complete(pc, recheck_in=-5)
    _recheck(pc, held)
    client = client_for(pc.rc.scrutineer)
    plan_page = client.get(f"/action-plans/{pc.plan.pk}/").content.decode()
    assert plan_page.count(">Re-check due</strong>") == 1
    assert plan_page.count(">Change held</strong>") == 1
    assert '<dt class="govuk-summary-list__key">Re-check due</dt><dd class="govuk-summary-list__value">' in plan_page
    assert 'govuk-tag--pink">1</strong>' in plan_page  # the count on the progress summary
    due_page = client.get(f"/action-plans/actions/{due.pk}/").content.decode()
    assert "Re-check due" in due_page
    assert "Record the re-check" not in due_page  # scrutineers read only
    held_page = client.get(f"/action-plans/actions/{held.pk}/").content.decode()
    assert "The change held: re-checked on" in held_page
    assert "Re-check: the change held" in held_page  # the re-check among the updates
    assert "Re-check due" not in held_page


def test_record_the_recheck_form_shows_to_lead_and_business_unit_only(pc: PlanCast, client_for) -> None:
    action = _complete(pc, recheck_in=0)
    url = f"/action-plans/actions/{action.pk}/"
    assert "Record the re-check" in client_for(pc.lead).get(url).content.decode()
    assert "Record the re-check" in client_for(pc.business).get(url).content.decode()
    for someone in (pc.other_lead, pc.rc.scrutineer, pc.chair):
        assert "Record the re-check" not in client_for(someone).get(url).content.decode()
    assert "Record the re-check" not in client_for(pc.lead).get(f"/action-plans/actions/{pc.a1.pk}/").content.decode()


def test_recheck_page_records_held_and_refuses_others(pc: PlanCast, client_for) -> None:
    action = _complete(pc, recheck_in=0)
    url = f"/action-plans/actions/{action.pk}/recheck/"
    assert client_for(pc.other_lead).post(url, _post(pc, action)).status_code == 403
    assert client_for(pc.rc.scrutineer).post(url, _post(pc, action)).status_code == 403
    assert client_for(pc.rc.cast.unrelated).post(url, _post(pc, action)).status_code == 404
    assert client_for(pc.lead).get(url).status_code == 405
    assert Action.objects.get(pk=action.pk).recheck_held is None
    response = client_for(pc.lead).post(
        url, _post(pc, action) | {"recheck-evidence": [SimpleUploadedFile("re-audit.txt", b"17 of 20", "text/plain")]}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/action-plans/actions/{action.pk}/"
    stored = Action.objects.get(pk=action.pk)
    assert (stored.recheck_held, stored.rechecked_on) == (True, pc.today)
    assert [d.filename for d in stored.updates.get(recheck_held=True).evidence.all()] == ["re-audit.txt"]


def test_recheck_form_keeps_what_was_typed_on_errors(pc: PlanCast, client_for) -> None:
    action = _complete(pc, recheck_in=0)
    response = client_for(pc.lead).post(
        f"/action-plans/actions/{action.pk}/recheck/",
        _post(pc, action, held="no", narrative="Chronologies on 9 of 20 cases.", recheck_on="01/01/2030"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Enter the new due date: the change did not hold, so the action reopens." in body
    assert 'href="#id_recheck-due_on"' in body  # the summary links to the field
    assert "Chronologies on 9 of 20 cases." in body
    assert 'value="01/01/2030"' in body
    assert re.search(r'name="recheck-held" value="no"[^>]*checked', body)
    assert Action.objects.get(pk=action.pk).status == S.COMPLETE
    bad_date = client_for(pc.lead).post(
        f"/action-plans/actions/{action.pk}/recheck/", _post(pc, action, rechecked_on="31/02/2026")
    )
    assert "Enter a real date" in bad_date.content.decode()


def test_recheck_page_did_not_hold_reopens_and_asks_for_the_due_date(pc: PlanCast, client_for) -> None:
    action = _complete(pc, recheck_in=0, sign=True)
    due_on = pc.today + timedelta(days=30)
    response = client_for(pc.business).post(
        f"/action-plans/actions/{action.pk}/recheck/",
        _post(pc, action, held="no", due_on=due_on.strftime("%d/%m/%Y")),
        follow=True,
    )
    assert "the change did not hold" in response.content.decode()
    stored = Action.objects.get(pk=action.pk)
    assert (stored.status, stored.rag, stored.due_on, stored.signed_off_at) == (S.AT_RISK, R.AMBER, due_on, None)


def test_stale_recheck_form_is_refused(pc: PlanCast, client_for) -> None:
    action = _complete(pc, recheck_in=0)
    read = _post(pc, action)
    services.edit_action(
        actor=pc.business, action=action, version=action.version, recheck_on=pc.today - timedelta(days=1)
    )
    response = client_for(pc.lead).post(f"/action-plans/actions/{action.pk}/recheck/", read)
    assert "Someone else changed this action" in response.content.decode()
    assert Action.objects.get(pk=action.pk).recheck_held is None


def test_home_panel_lists_a_lead_officers_recheck_due(pc: PlanCast, client_for) -> None:
    due = _complete(pc, recheck_in=0, description="Re-audit the chronology guidance.")
    home = client_for(pc.lead).get("/").content.decode()
    assert due.reference in home
    assert "Re-check due" in home


# ---- API -------------------------------------------------------------------------------------------


def _body(pc: PlanCast, action: Action, **extra: Any) -> dict[str, Any]:
    return {
        "version": action.version,
        "rechecked_on": pc.today.isoformat(),
        "held": True,
        "narrative": "Re-audit: 17 of 20.",
        **extra,
    }


def test_api_shows_recheck_fields_and_filters_rechecks_due(pc: PlanCast) -> None:
    due = _complete(pc, recheck_in=0)
    client = signed_in_client(pc.business, verified=True)
    row = client.get(f"/api/v1/actions/{due.pk}/").json()
    assert (row["recheck_on"], row["rechecked_on"], row["recheck_held"], row["recheck_due"]) == (
        pc.today.isoformat(),
        None,
        None,
        True,
    )
    assert [a["id"] for a in client.get("/api/v1/actions/?recheck_due=true").json()["results"]] == [due.pk]
    assert due.pk not in [a["id"] for a in client.get("/api/v1/actions/?recheck_due=false").json()["results"]]
    assert client.get("/api/v1/actions/?recheck_due=maybe").status_code == 400
    plan = client.get(f"/api/v1/action-plans/{pc.plan.pk}/").json()
    assert plan["progress"]["recheck_due"] == 1


def test_api_records_held_and_did_not_hold(pc: PlanCast) -> None:
    held = _complete(pc, recheck_in=0)
    client = signed_in_client(pc.lead, verified=True)
    response = client.post(f"/api/v1/actions/{held.pk}/recheck/", _body(pc, held), content_type="application/json")
    assert response.status_code == 200, response.json()
    assert (response.json()["recheck_held"], response.json()["rechecked_on"]) == (True, pc.today.isoformat())
    assert response.json()["recheck_due"] is False
    updates = client.get(f"/api/v1/actions/{held.pk}/updates/").json()
    assert updates[0]["recheck_held"] is True
    again = client.post(
        f"/api/v1/actions/{held.pk}/recheck/",
        _body(pc, Action.objects.get(pk=held.pk)),
        content_type="application/json",
    )
    assert again.status_code == 403
    # Did not hold: 400 naming due_on without one; multipart with evidence and a due date reopens it.
    slipped = _complete(pc, recheck_in=0)
    url = f"/api/v1/actions/{slipped.pk}/recheck/"
    missing = client.post(url, _body(pc, slipped, held=False), content_type="application/json")
    assert missing.status_code == 400
    assert "due_on" in missing.json()["errors"]
    due_on = (pc.today + timedelta(days=30)).isoformat()
    reopened = client.post(
        url,
        {
            **_body(pc, slipped, held="false", due_on=due_on, recheck_on=""),
            "evidence": [SimpleUploadedFile("re-audit.txt", b"9 of 20")],
        },
    )
    assert reopened.status_code == 200, reopened.json()
    data = reopened.json()
    assert (data["status"], data["rag"], data["due_on"], data["recheck_held"]) == ("at_risk", "amber", due_on, False)
    assert data["recheck_on"] is None
    assert ActionUpdate.objects.get(action=slipped, recheck_held=False).evidence.get().filename == "re-audit.txt"


def test_api_recheck_refusals(pc: PlanCast) -> None:
    action = _complete(pc, recheck_in=0)  # led by the health practitioner
    url = f"/api/v1/actions/{action.pk}/recheck/"
    for someone in (pc.other_lead, pc.rc.scrutineer):
        response = signed_in_client(someone, verified=True).post(
            url, _body(pc, action), content_type="application/json"
        )
        assert response.status_code == 403, someone
    _, health_key = make_token(pc.rc.cast.agency)  # the lead agency's system may post updates, not re-checks
    assert token_client(health_key).post(url, _body(pc, action), format="json").status_code == 403  # APIClient
    unrelated = signed_in_client(pc.rc.cast.unrelated, verified=True)
    assert unrelated.post(url, _body(pc, action), content_type="application/json").status_code == 404
    lead = signed_in_client(pc.lead, verified=True)
    stale = lead.post(url, _body(pc, action, version=action.version - 1), content_type="application/json")
    assert stale.status_code == 409
    assert "Someone else changed this action" in stale.json()["detail"]
    bad = lead.post(url, _body(pc, action, rechecked_on="31/12/2026", held="perhaps"), content_type="application/json")
    assert bad.status_code == 400
    assert {"rechecked_on", "held"} <= set(bad.json()["errors"])
    not_complete = lead.post(f"/api/v1/actions/{pc.a1.pk}/recheck/", _body(pc, pc.a1), content_type="application/json")
    assert not_complete.status_code == 403
    assert "Only a complete action" in not_complete.json()["detail"]
    assert Action.objects.get(pk=action.pk).recheck_held is None
