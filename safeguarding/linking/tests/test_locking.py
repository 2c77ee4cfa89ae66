"""Linking's locking paths run outside a test transaction, as a request does (issue 14): each
decision is its own transaction, so `select_for_update` never runs under autocommit (PostgreSQL
refuses it there). Run on PostgreSQL with DATABASE_URL."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguarding.agencies.enums import Role
from safeguarding.children.models import Child
from safeguarding.core import kernel
from safeguarding.linking import services
from safeguarding.linking.enums import MatchStatus
from safeguarding.linking.models import LinkageModel, PossibleMatch
from safeguarding.linking.training import store_model
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def _pair() -> tuple[object, PossibleMatch]:
    agency = f.AgencyFactory(code="A0", name="Test agency")
    steward = f.member(agency, Role.DATA_STEWARD, username="steward")
    a = f.ChildFactory(first_name="Amara", last_name="Okafor", date_of_birth=dt.date(2015, 2, 3), nhs_number=None)
    b = f.ChildFactory(first_name="Amara", last_name="Okafor", date_of_birth=dt.date(2015, 2, 3), nhs_number=None)
    return steward, PossibleMatch.objects.create(child_a=a, child_b=b, score=0.9)


def test_rejecting_a_pair_locks_it_and_a_second_decision_is_stale() -> None:
    steward, match = _pair()
    services.reject_match(actor=steward, match=match, version=match.version, note="Two children")
    assert PossibleMatch.objects.get(pk=match.pk).status == MatchStatus.REJECTED
    with pytest.raises(kernel.StaleVersion) as refused:
        services.reject_match(actor=steward, match=match, version=match.version)
    assert refused.value.message == services.STALE


def test_accepting_merges_and_undoing_restores_in_their_own_transactions() -> None:
    steward, match = _pair()
    merge = services.accept_match(actor=steward, match=match, version=match.version)
    assert Child.all_records.get(pk=match.child_b_id).merged_into_id == match.child_a_id
    services.unmerge_children(actor=steward, merge=merge, reason="Two children after all, checked")
    assert Child.all_records.get(pk=match.child_b_id).merged_into_id is None


def test_storing_a_trained_model_numbers_it_after_the_latest() -> None:
    first = store_model(actor=None, parameters={}, records=0)
    second = store_model(actor=None, parameters={}, records=0)
    assert (second.version - first.version, LinkageModel.objects.count() >= 2) == (1, True)
