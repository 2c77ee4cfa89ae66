"""A data steward signs in with two-factor authentication, opens "Possible matches", merges the
first pair, keeps the second apart, then undoes the merge from the merges list; both records stand
alone again. axe-core reports no accessibility violations on the queue, pair and merge pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.children.models import Child
from safeguarding.chronology.models import ChildAgencyReference
from safeguarding.linking.enums import MatchStatus
from safeguarding.linking.models import ChildMerge, PossibleMatch
from safeguarding.testing import factories as f
from safeguarding.testing.personas import build_cast
from tests.browser.checks import assert_no_axe_violations
from tests.browser.session import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# The suite runs in parallel on small machines: allow for a slow page.
expect.set_options(timeout=15_000)


def test_data_steward_merges_a_pair_keeps_another_apart_and_undoes_the_merge(live_server, page: Page):
    cast = build_cast()
    business_unit = f.AgencyFactory(code="BU", name="Test Partnership Business Unit", kind=AgencyKind.BUSINESS_UNIT)
    steward = f.member(business_unit, Role.DATA_STEWARD, username="steward", first_name="Sam", last_name="Steward")
    device = TOTPDevice.objects.create(user=steward, name="App", confirmed=True)
    tom = f.ChildFactory(first_name="Tom", last_name="Price", date_of_birth=dt.date(2016, 3, 12), nhs_number=None)
    thomas = f.ChildFactory(
        first_name="Thomas", last_name="Pryce", date_of_birth=dt.date(2016, 3, 12), nhs_number="9434765919"
    )
    f.InvolvementFactory(agency=cast.agency, child=tom)
    f.InvolvementFactory(agency=cast.partner_agency, child=thomas)
    ChildAgencyReference.objects.create(agency=cast.partner_agency, child=thomas, reference="POL-2207")
    amara = f.ChildFactory(first_name="Amara", last_name="Okafor", date_of_birth=dt.date(2019, 7, 1))
    amarah = f.ChildFactory(first_name="Amarah", last_name="Okafor", date_of_birth=dt.date(2019, 1, 7))
    tom_pair = PossibleMatch.objects.create(
        child_a=tom, child_b=thomas, score=0.93, reasons={"first name": "nickname (Tom / Thomas)"}
    )
    amara_pair = PossibleMatch.objects.create(child_a=amara, child_b=amarah, score=0.74)

    sign_in(page, live_server.url, "steward", device)
    menu = page.get_by_role("navigation", name="Menu")
    menu.get_by_role("link", name="Possible matches").click()
    table = _the_queue_most_likely_first(page)
    _accept_the_first_pair(page, table)
    _the_merges_page(page, tom)
    _keep_the_other_pair_apart(page, menu)
    _undo_the_merge(page, tom)
    _both_records_stand_alone(amara_pair, steward, thomas, tom, tom_pair)


def _the_queue_most_likely_first(page: Page) -> Any:
    """The queue: the most likely pair first."""
    expect(page.get_by_role("heading", name="Possible matches")).to_be_visible()
    table = page.get_by_role("table", name="2 pairs waiting for a decision")
    expect(table.get_by_role("row")).to_have_count(1 + 2)
    expect(table.get_by_role("row").nth(1)).to_contain_text("93%")
    expect(table.get_by_role("row").nth(2)).to_contain_text("74%")
    assert_no_axe_violations(page)
    return table


def _accept_the_first_pair(page: Page, table: Any) -> None:
    """The first pair, side by side: accept (one child, merge)."""
    table.get_by_role("link", name="Tom Price and Thomas Pryce: decide").click()
    expect(page.get_by_role("heading", name="Are these the same child?")).to_be_visible()
    pair = page.get_by_role("table", name="The two records")
    expect(pair.get_by_role("row", name="NHS number")).to_contain_text("Not recorded")
    expect(pair.get_by_role("row", name="NHS number")).to_contain_text("9434765919")
    expect(pair.get_by_role("row", name="Agencies' references")).to_contain_text("Test Police: POL-2207")
    expect(pair.get_by_role("row", name="Agencies holding the record")).to_contain_text("Test Community Health")
    assert_no_axe_violations(page)
    page.get_by_label("Yes, one child: merge the two records").check()
    page.get_by_label("What you checked").fill("Same school and address, checked with the school")
    page.get_by_role("button", name="Save decision").click()


def _the_merges_page(page: Page, tom: Child) -> None:
    """The merge's page."""
    expect(page.get_by_role("heading", name="Merge of two records")).to_be_visible()
    expect(page.get_by_text("The two records are now one. You can undo this from the merge's page.")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text(f"Tom Price (Hub ID {tom.pk})")
    expect(page.locator(".govuk-summary-list")).to_contain_text("In force")
    assert_no_axe_violations(page)


def _keep_the_other_pair_apart(page: Page, menu: Any) -> None:
    """Back to the queue: the other pair, kept apart."""
    menu.get_by_role("link", name="Possible matches").click()
    table = page.get_by_role("table", name="1 pair waiting for a decision")
    expect(table.get_by_role("row")).to_have_count(1 + 1)
    table.get_by_role("link", name="Amara Okafor and Amarah Okafor: decide").click()
    expect(page.get_by_role("heading", name="Are these the same child?")).to_be_visible()
    page.get_by_label("No, two different children: keep them apart and never suggest this pair again").check()
    page.get_by_label("What you checked").fill("Different dates of birth, checked with the GP practice")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("Kept apart. This pair will not be suggested again.")).to_be_visible()
    expect(page.get_by_text("No possible matches are waiting.")).to_be_visible()


def _undo_the_merge(page: Page, tom: Child) -> None:
    """The merges list: open the merge and undo it."""
    page.get_by_role("link", name="Merges made, and undoing one").click()
    expect(page.get_by_role("heading", name="Merges")).to_be_visible()
    page.get_by_role("link", name=f"Tom Price (Hub ID {tom.pk})").click()
    expect(page.get_by_role("heading", name="Merge of two records")).to_be_visible()
    page.get_by_label("Why are these two different children?").fill("Different mothers, checked with the GP practice")
    page.get_by_role("button", name="Undo merge").click()
    expect(page.get_by_text("Merge undone: the two records stand apart again, each with what it held.")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Different mothers, checked with the GP practice")
    expect(page.get_by_role("button", name="Undo merge")).to_have_count(0)
    assert_no_axe_violations(page)


def _both_records_stand_alone(amara_pair: Any, steward: Any, thomas: Any, tom: Child, tom_pair: Any) -> None:
    """Both records stand alone again; both pairs are decided, kept apart."""
    assert sorted(Child.objects.filter(pk__in=[tom.pk, thomas.pk]).values_list("pk", "merged_into", "nhs_number")) == [
        (tom.pk, None, None),
        (thomas.pk, None, "9434765919"),
    ]
    merge = ChildMerge.objects.get()
    assert (merge.kept_id, merge.merged_id, merge.unmerged_by) == (tom.pk, thomas.pk, steward)
    assert merge.unmerge_reason == "Different mothers, checked with the GP practice"
    assert list(PossibleMatch.objects.order_by("id").values_list("id", "status", "decided_by")) == [
        (tom_pair.pk, MatchStatus.REJECTED, steward.pk),
        (amara_pair.pk, MatchStatus.REJECTED, steward.pk),
    ]
    assert PossibleMatch.objects.get(pk=amara_pair.pk).note == "Different dates of birth, checked with the GP practice"
