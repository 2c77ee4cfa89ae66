"""The children app's locking paths run outside a test transaction, as a request does (issue 14):
each service is its own transaction, so `select_for_update` never runs under autocommit (PostgreSQL
refuses it there). Run on PostgreSQL with DATABASE_URL."""

from __future__ import annotations

import pytest

from safeguarding.agencies.enums import Role
from safeguarding.children import services, sharing
from safeguarding.children.enums import SharingStatus
from safeguarding.children.models import AccessGrant, SharingNotice
from safeguarding.core import kernel
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f
from safeguarding.testing.personas import build_cast

pytestmark = pytest.mark.django_db(transaction=True)


def test_ending_an_access_grant_locks_it_in_its_own_transaction() -> None:
    cast_ = build_cast()
    lead = f.member(cast_.unrelated_agency, Role.SAFEGUARDING_LEAD)
    grant = services.grant_access(
        actor=lead, user=cast_.unrelated, child=cast_.child, reason="Checking history before a meeting", days=5
    )
    services.revoke_grant(actor=lead, grant=grant)
    services.revoke_grant(actor=lead, grant=grant)  # already ended: nothing changes, nothing is logged
    grant = AccessGrant.objects.get(pk=grant.pk)
    assert grant.revoked_by == lead
    assert ActivityLog.objects.filter(action="access_grant.revoked").count() == 1


def test_nobody_may_give_themselves_access() -> None:
    cast_ = build_cast()
    lead = f.member(cast_.unrelated_agency, Role.SAFEGUARDING_LEAD)
    assert not lead.has_perm("children.give_access_to", lead)
    assert lead.has_perm("children.give_access_to", cast_.unrelated)


def test_deciding_on_shared_information_locks_the_notice_in_its_own_transaction() -> None:
    cast_ = build_cast()
    front_door = f.TeamFactory(agency=cast_.partner_agency, code="MASH", name="Front door", is_front_door=True)
    decider = f.member(cast_.partner_agency, Role.PRACTITIONER, username="frontdoor")
    decider.memberships.update(team=front_door)
    notice = SharingNotice.objects.create(
        child=cast_.child,
        agency=cast_.unrelated_agency,
        first_shared_at="2026-01-05T10:00:00Z",
        last_shared_at="2026-01-05T10:00:00Z",
        entries=1,
    )
    reason = "Housing has no role in this child's care."
    sharing.decide_sharing(actor=decider, notice=notice, decision="decline", version=notice.version, reason=reason)
    notice.refresh_from_db()
    assert notice.status == SharingStatus.DECLINED
    with pytest.raises(kernel.StaleVersion) as refused:
        sharing.decide_sharing(actor=decider, notice=notice, decision="decline", version=1, reason=reason)
    assert refused.value.message == sharing.DECIDED_ELSEWHERE
