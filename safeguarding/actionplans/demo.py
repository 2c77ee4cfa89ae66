"""Demo action plans for `seed_demo`, built through the same services as the pages and dated in the
past with their `at` argument (all details fictional).

- The featured review "Child A and Child B" gets a plan owned by the Case review subgroup, chaired by
  the head of service (senior.csc) with the business manager (business.unit) as deputy: nine actions
  over its five recommendations, two complete and signed off, one complete awaiting sign-off, some on
  track, some at risk, two overdue. Of the two signed off, the neglect guidance was re-checked (a
  re-audit: the change held) and the "was not brought" policy has its re-check due. Version 1 went to
  the scrutiny committee and was accepted; later changes (a new due date, a new action, progress, the
  re-check) show against it.
- A plan answering an Ofsted inspection, owned by the Quality assurance subgroup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from safeguarding.actionplans import services
from safeguarding.actionplans.enums import ActionRag, ActionSource, ActionStatus, CommitteeOutcome
from safeguarding.actionplans.models import Action, ActionPlan
from safeguarding.agencies.models import User
from safeguarding.core.demo import DemoContext
from safeguarding.reviews.models import Review

S, R = ActionStatus, ActionRag

# (recommendation number, lead username, description, success measure, start, due (days from today),
#  updates: [(days from today, status, rag, narrative, evidence file name or "")], sign off?)
FEATURED_ACTIONS: list[tuple[int, str, str, str, int, int, list[tuple[int, str, str, str, str]], bool]] = [
    (
        1,
        "business.unit",
        "Write and publish multi-agency neglect practice guidance with a whole-family chronology tool.",
        "An audit of 20 neglect cases finds a multi-agency chronology on at least 15.",
        -58,
        -20,
        [
            (-45, S.ON_TRACK, R.GREEN, "Draft guidance agreed by the subgroup.", ""),
            (
                -24,
                S.COMPLETE_WITH_IMPACT,
                R.BLUE,
                "Published; the audit found chronologies on 16 of 20 cases.",
                "neglect-audit-summary.txt",
            ),
        ],
        True,
    ),
    (
        1,
        "manager.csc",
        "Brief practitioners in every agency on the neglect guidance through 7-minute briefings.",
        "200 practitioners briefed; evaluation shows confidence in using the chronology tool.",
        -30,
        40,
        [(-10, S.ON_TRACK, R.GREEN, "Four briefings held; 85 practitioners so far.", "")],
        False,
    ),
    (
        2,
        "practitioner.hv",
        "Update the health 'was not brought' policy so repeated missed appointments trigger a safeguarding review.",
        "The policy is live in every health provider and referenced in their audits.",
        -58,
        -10,
        [
            (-40, S.ON_TRACK, R.GREEN, "Policy drafted with the designated nurse.", ""),
            (-12, S.COMPLETE, R.BLUE, "Policy approved and published by all three providers.", ""),
        ],
        True,
    ),
    (
        2,
        "practitioner.hv",
        "Audit how 'was not brought' appointments were followed up, three months after the policy.",
        "At least 90% of repeated missed appointments have a recorded safeguarding review.",
        -10,
        20,
        [(-3, S.AT_RISK, R.AMBER, "Audit tool ready; data extraction is delayed by a system change.", "")],
        False,
    ),
    (
        3,
        "dsl.school",
        "Issue guidance to designated safeguarding leads on sharing hunger and hygiene concerns with the health "
        "visitor when siblings are under five.",
        "Health visitors report receiving school concerns about siblings in the termly survey.",
        -50,
        -7,
        [(-15, S.OFF_TRACK, R.RED, "Guidance not yet agreed with the health visiting service.", "")],
        False,
    ),
    (
        3,
        "dsl.school",
        "Add the case study to the termly designated safeguarding leads' network session.",
        "Every secondary and primary school attends; evaluation shows the learning is understood.",
        20,
        60,
        [],
        False,
    ),
    (
        4,
        "senior.csc",
        "Change the early help closure procedure: no closure for non-engagement without a multi-agency discussion.",
        "A dip sample of closed early help cases finds a recorded discussion on every non-engagement closure.",
        -55,
        -3,
        [(-20, S.AT_RISK, R.AMBER, "Procedure drafted; waiting for the early help board to agree it.", "")],
        False,
    ),
    (
        5,
        "practitioner.police",
        "Notify children's social care and schools the next working day after each domestic abuse call-out "
        "where children live.",
        "Notifications reach schools by 9am the next working day on 95% of call-outs.",
        -58,
        -5,
        [
            (-30, S.ON_TRACK, R.GREEN, "Notification process piloted in one area.", ""),
            (-6, S.COMPLETE, R.BLUE, "Live across the force area; 97% sent on time in the first month.", ""),
        ],
        False,
    ),
]

# Dates to check the change held (days from today) by index in FEATURED_ACTIONS; the others are due
# date + 180 days. The neglect guidance's re-check is recorded as held; the policy's is due.
RECHECK_DAYS = {0: -6, 2: -1}
HELD_RECHECK = (
    -4,
    "Re-audit of 20 neglect cases six months on: a multi-agency chronology on 17 of 20, up from 16.",
    "neglect-re-audit-summary.txt",
)

# Added after version 1 was accepted, so "changes since accepted" shows it.
LATER_ACTION = (
    5,
    "practitioner.police",
    "Audit the quality of domestic abuse notifications with schools' designated safeguarding leads.",
    "Schools rate 80% of notifications as giving them what they need to support the child.",
    -5,
    75,
    [(-2, S.ON_TRACK, R.GREEN, "Audit scheduled with five schools.", "")],
    False,
)

INSPECTION_ACTIONS = [
    (
        "manager.csc",
        "Strengthen management oversight of plans for children in need, with monthly case supervision recorded.",
        "Monthly audits find recorded supervision on 90% of child in need cases.",
        -40,
        50,
        [(-5, S.ON_TRACK, R.GREEN, "Supervision template in use in two teams.", "")],
    ),
    (
        "practitioner.csc",
        "Improve the recording of children's wishes and feelings in assessments.",
        "Audit shows the child's voice recorded in 85% of assessments.",
        -40,
        -4,
        [(-8, S.AT_RISK, R.AMBER, "Training delivered; audit not yet started.", "")],
    ),
    (
        "business.unit",
        "Report progress on the inspection's recommendations to the partnership board each quarter.",
        "The board receives each quarterly report on time.",
        -40,
        120,
        [],
    ),
]


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=11))


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _agency(user: User) -> Any:
    return user.primary_agency


def _add(
    plan: ActionPlan,
    bu: User,
    row: tuple[Any, ...],
    recs: dict[int, Any],
    today: date,
    created: date,
    recheck: int | None = None,
) -> Action | None:
    number, username, description, measure, start, due = row[:6]
    officer = _user(username)
    if officer is None or _agency(officer) is None:
        return None
    return services.add_action(
        actor=bu,
        plan=plan,
        recommendation=recs.get(number),
        description=description,
        lead_agency=_agency(officer),
        lead_officer=officer,
        start_on=today + timedelta(days=start),
        due_on=today + timedelta(days=due),
        success_measure=measure,
        recheck_on=today + timedelta(days=due + 180 if recheck is None else recheck),
        at=_at(created),
    )


def _progress(action: Action, updates: Sequence[tuple[int, str, str, str, str]], today: date) -> None:
    for days, status, rag, narrative, filename in updates:
        files = (
            [services.Upload(filename, b"Fictional demo evidence: audit summary.", "text/plain")] if filename else []
        )
        services.add_update(
            actor=action.lead_officer,
            action=action,
            written_on=today + timedelta(days=days),
            narrative=narrative,
            status=status,
            rag=rag,
            evidence_files=files,
            at=_at(today + timedelta(days=days)),
        )


def _featured(bu: User, chair: User, today: date) -> ActionPlan | None:
    review = Review.objects.filter(title="Child A and Child B").first()
    if review is None or not review.recommendations.exists():
        return None
    created = today - timedelta(days=60)
    plan = services.create_plan(
        actor=bu,
        title="Action plan: Child A and Child B",
        source=ActionSource.REVIEW,
        review=review,
        owner_group="Case review subgroup",
        chair=chair,
        deputy_chair=bu,
        at=_at(created),
    )
    recs = {r.number: r for r in review.recommendations.all()}
    actions = [
        (row, _add(plan, bu, row, recs, today, created + timedelta(days=2), RECHECK_DAYS.get(n)))
        for n, row in enumerate(FEATURED_ACTIONS)
    ]
    # Version 1 went to the scrutiny committee, which accepted it.
    frozen = today - timedelta(days=50)
    version = services.freeze_version(actor=bu, plan=plan, reason="Submitted to the scrutiny committee", at=_at(frozen))
    services.record_committee_decision(
        actor=bu,
        plan_version=version,
        committee="Northbridge Council Children's Services Scrutiny Committee",
        meeting_on=today - timedelta(days=40),
        outcome=CommitteeOutcome.ACCEPTED,
        questions="Report progress on the early help closure procedure at the next meeting.",
        at=_at(today - timedelta(days=40)),
    )
    # Progress since, then the sign-offs by the chair (the deputy chair signs off the chair's own action).
    for row, action in actions:
        if action is not None:
            _progress(action, row[6], today)
    for row, action in actions:
        if action is not None and row[7]:
            signer = bu if action.lead_officer_id == chair.pk else chair
            action.refresh_from_db()
            services.sign_off(actor=signer, action=action, at=_at(today + timedelta(days=row[6][-1][0] + 2)))
    # The neglect guidance's re-audit found the change held (the policy's re-check is still due).
    guidance = actions[0][1]
    if guidance is not None:
        days, narrative, filename = HELD_RECHECK
        guidance.refresh_from_db()
        services.record_recheck(
            actor=bu,
            action=guidance,
            version=guidance.version,
            rechecked_on=today + timedelta(days=days),
            held=True,
            narrative=narrative,
            evidence_files=[services.Upload(filename, b"Fictional demo evidence: re-audit summary.", "text/plain")],
            at=_at(today + timedelta(days=days)),
        )
    # Later changes: the network session moved to next term, and a new action was added.
    session = actions[5][1]
    if session is not None:
        session.refresh_from_db()
        services.edit_action(
            actor=bu, action=session, version=session.version, due_on=session.due_on + timedelta(days=30)
        )
    later = _add(plan, bu, LATER_ACTION, recs, today, today - timedelta(days=5))
    if later is not None:
        _progress(later, LATER_ACTION[6], today)
    return plan


def _inspection(bu: User, chair: User, today: date) -> ActionPlan:
    plan = services.create_plan(
        actor=bu,
        title="Response to the Ofsted inspection of children's services",
        source=ActionSource.INSPECTION,
        source_reference="Ofsted inspection of local authority children's services (ILACS), fictional, 2026",
        owner_group="Quality assurance subgroup",
        chair=chair,
        at=_at(today - timedelta(days=45)),
    )
    for username, description, measure, start, due, updates in INSPECTION_ACTIONS:
        row = (0, username, description, measure, start, due, updates, False)
        action = _add(plan, bu, row, {}, today, today - timedelta(days=44))
        if action is not None:
            _progress(action, updates, today)
    return plan


def seed_actionplans(ctx: DemoContext) -> None:
    if ActionPlan.objects.exists():
        return
    bu, chair = _user("business.unit"), _user("senior.csc")
    if bu is None or chair is None:
        return
    today = timezone.localdate()
    featured = _featured(bu, chair, today)
    _inspection(bu, bu, today)
    if featured is not None:
        ctx.log(f"Action plans: {ActionPlan.objects.count()} ({featured.reference} for the featured review)")
