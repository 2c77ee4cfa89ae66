"""The merged chronology over real records: every agency's entries, restricted ones hidden,
duplicates shown once with both sources, highlights found, family included on request."""

import datetime as dt

import pytest

from safeguarding.agencies.enums import Role
from safeguarding.children.enums import RelationshipKind
from safeguarding.chronology.merged import ChronologyFilters, merged_chronology
from safeguarding.chronology.models import EventType, decode_tags
from safeguarding.core.enums import Confidentiality
from safeguarding.testing import factories as f
from safeguarding.testing.recording import record_as_involved

pytestmark = pytest.mark.django_db

D0 = dt.date(2025, 1, 6)


def add(actor, agency, children, code, days, **kwargs):
    return record_as_involved(
        actor=actor,
        agency=agency,
        children=children,
        event_type=EventType.objects.get(code=code),
        occurred_on=D0 + dt.timedelta(days=days),
        summary=kwargs.pop("summary", f"{code} entry"),
        **kwargs,
    )


@pytest.fixture
def police_officer(cast):
    return f.member(cast.partner_agency, Role.PRACTITIONER)


def test_entries_from_every_agency_are_merged_in_date_order(cast, police_officer):
    add(cast.involved, cast.agency, [cast.child], "health_visitor_contact", 10)
    add(police_officer, cast.partner_agency, [cast.child], "police_attendance", 5)
    chronology = merged_chronology(cast.involved, cast.child)
    assert [r.event.event_type.code for r in chronology.rows] == ["police_attendance", "health_visitor_contact"]
    assert {a.code for a in chronology.agencies} == {"HV", "POL"}


def test_restricted_entries_are_hidden_from_other_agencies(cast, police_officer):
    add(
        police_officer,
        cast.partner_agency,
        [cast.child],
        "police_attendance",
        5,
        confidentiality=Confidentiality.RESTRICTED,
    )
    assert merged_chronology(cast.involved, cast.child).rows == []
    assert len(merged_chronology(police_officer, cast.child).rows) == 1


def test_the_same_event_from_two_agencies_is_shown_once_with_both_sources(cast, police_officer):
    add(cast.involved, cast.agency, [cast.child], "strategy_discussion", 20)
    add(police_officer, cast.partner_agency, [cast.child], "strategy_discussion", 20)
    (row,) = merged_chronology(cast.involved, cast.child).rows
    assert {a.code for a in row.agencies} == {"HV", "POL"}


def test_highlights_are_found_and_marked_on_rows(cast):
    first = add(cast.involved, cast.agency, [cast.child], "was_not_brought", 0)
    second = add(cast.involved, cast.agency, [cast.child], "was_not_brought", 30)
    chronology = merged_chronology(cast.involved, cast.child)
    kinds = {h.kind for h in chronology.highlights}
    assert "was_not_brought_run" in kinds
    assert all("was_not_brought_run" in r.highlight_kinds for r in chronology.rows if r.event in (first, second))


def test_filters_narrow_the_rows_but_not_the_highlights(cast, police_officer):
    add(cast.involved, cast.agency, [cast.child], "was_not_brought", 0)
    add(cast.involved, cast.agency, [cast.child], "was_not_brought", 30)
    add(police_officer, cast.partner_agency, [cast.child], "police_attendance", 40)
    chronology = merged_chronology(cast.involved, cast.child, ChronologyFilters(agency_codes=frozenset({"POL"})))
    assert [r.event.event_type.code for r in chronology.rows] == ["police_attendance"]
    assert any(h.kind == "was_not_brought_run" for h in chronology.highlights)
    tagged = merged_chronology(cast.involved, cast.child, ChronologyFilters(tags=frozenset({"police"})))
    assert [r.event.event_type.code for r in tagged.rows] == ["police_attendance"]
    dated = merged_chronology(cast.involved, cast.child, ChronologyFilters(date_from=D0 + dt.timedelta(days=20)))
    assert len(dated.rows) == 2


def test_family_view_adds_visible_siblings_entries(cast):
    sibling = f.ChildFactory(first_name="Sky", last_name="Marsh")
    f.InvolvementFactory(agency=cast.agency, child=sibling)
    f.RelationshipFactory(child=cast.child, adult=None, other_child=sibling, kind=RelationshipKind.SIBLING)
    add(cast.involved, cast.agency, [sibling], "home_visit", 3)
    assert merged_chronology(cast.involved, cast.child).rows == []
    family = merged_chronology(cast.involved, cast.child, ChronologyFilters(include_family=True))
    assert [c.pk for c in family.children] == [cast.child.pk, sibling.pk]
    assert len(family.rows) == 1


def test_family_view_leaves_out_siblings_the_person_may_not_see(cast):
    sibling = f.ChildFactory(first_name="Sky", last_name="Marsh")
    f.RelationshipFactory(child=cast.child, adult=None, other_child=sibling, kind=RelationshipKind.SIBLING)
    family = merged_chronology(cast.involved, cast.child, ChronologyFilters(include_family=True))
    assert family.children == [cast.child]


def test_what_the_page_api_and_exports_show_needs_no_query_after_the_chronology(
    cast, police_officer, django_assert_num_queries
):
    """The entries are read with only the columns their readers show (`merged.SHOWN_COLUMNS`); a reader
    that used another would load it entry by entry (one query each)."""
    from safeguarding.chronology import exports, rendering, timeline
    from safeguarding.chronology.api.viewsets import chronology_data

    add(cast.involved, cast.agency, [cast.child], "was_not_brought", 1, impact="Missed check", action_taken="Rebook")
    add(police_officer, cast.partner_agency, [cast.child], "police_attendance", 3, category="")
    add(cast.involved, cast.agency, [cast.child], "was_not_brought", 9, approximate=True)
    chronology = merged_chronology(cast.involved, cast.child)
    assert len(chronology.rows) == 3
    with django_assert_num_queries(0):
        data = chronology_data(chronology)
        names = exports.child_names(chronology)
        cells = [(row, exports.row_cells(row, names)) for row in chronology.rows]
        html = rendering.table_rows(cells, entry_base="/e/", show_children=False)
        svg = timeline.render_timeline(chronology)
        sheet = exports.chronology_xlsx(chronology, ChronologyFilters())
    assert [e["impact"] for e in data["entries"]] == ["Missed check", "", ""]
    assert "Rebook" in html
    assert svg.startswith("<svg")
    assert sheet


def test_an_entry_also_about_another_child_is_not_merged_with_one_about_this_child_alone(cast, police_officer):
    """The duplicate merge compares the entries' children: for one child's chronology, the other
    children are read only for the entries the query marks as shared."""
    other = f.ChildFactory(first_name="Sky", last_name="Marsh")
    f.InvolvementFactory(agency=cast.agency, child=other)
    both = add(cast.involved, cast.agency, [cast.child, other], "strategy_discussion", 4)
    add(police_officer, cast.partner_agency, [cast.child], "strategy_discussion", 4)
    add(police_officer, cast.partner_agency, [cast.child, other], "strategy_discussion", 4)
    rows = merged_chronology(cast.involved, cast.child).rows
    assert len(rows) == 2
    shared = next(r for r in rows if r.event.pk == both.pk)
    assert {e.agency.code for e in shared.sources} == {"HV", "POL"}
    assert shared.child_ids == frozenset({cast.child.pk})  # the other child is not named here


def test_each_entry_for_the_highlights_is_the_entry_the_dataclass_would_build(cast):
    """`merged._entry` fills the frozen dataclass directly (for speed): it must equal `Entry(...)`, every
    field included (a field added to `Entry` and not filled there fails here)."""
    from safeguarding.chronology import highlights
    from safeguarding.chronology.merged import _entry, visible_events

    add(cast.involved, cast.agency, [cast.child], "was_not_brought", 2, category="")
    (event,) = visible_events(cast.involved, [cast.child])
    built = _entry(event, frozenset({cast.child.pk}), {})
    assert built == highlights.Entry(
        id=event.pk,
        occurred_on=event.occurred_on,
        type_code="was_not_brought",
        agency_id=cast.agency.pk,
        tags=frozenset(decode_tags(event.event_type.tags)),
        category=event.category,
        child_ids=frozenset({cast.child.pk}),
        precision=event.precision,
    )
    assert hash(built) == hash(highlights.Entry(**{name: getattr(built, name) for name in built.__dataclass_fields__}))


def test_no_filter_selects_and_any_filter_does():
    assert not ChronologyFilters().selects
    assert ChronologyFilters(type_codes=frozenset({"home_visit"})).selects
    assert ChronologyFilters(date_to=D0).selects
    assert not ChronologyFilters(include_family=True, gap_days=30).selects


def test_child_and_family_are_read_together_as_one_at_a_time(cast, django_assert_num_queries):
    """`child_and_family` answers what `get_child_for_user` and `family_of` answer (siblings either way
    round and current housemates, only those the person may see; none who moved out), in two queries,
    and 404s for a child the person may not see exactly as for one that does not exist."""
    from django.http import Http404

    from safeguarding.children.queries import get_child_for_user
    from safeguarding.chronology.merged import child_and_family, family_of

    older = f.ChildFactory(first_name="Sky", last_name="Marsh", date_of_birth=dt.date(2012, 1, 1))
    younger = f.ChildFactory(first_name="Ash", last_name="Marsh", date_of_birth=dt.date(2021, 1, 1))
    housemate = f.ChildFactory(first_name="Rowan", last_name="Lee", date_of_birth=dt.date(2016, 1, 1))
    moved_out = f.ChildFactory(first_name="Ira", last_name="Lee")
    unseen = f.ChildFactory(first_name="Kit", last_name="Marsh")
    for other in (older, younger, housemate, moved_out):
        f.InvolvementFactory(agency=cast.agency, child=other)
    f.RelationshipFactory(child=cast.child, adult=None, other_child=older, kind=RelationshipKind.SIBLING)
    f.RelationshipFactory(child=younger, adult=None, other_child=cast.child, kind=RelationshipKind.SIBLING)
    f.RelationshipFactory(child=cast.child, adult=None, other_child=unseen, kind=RelationshipKind.SIBLING)
    home = f.HouseholdFactory()
    f.HouseholdMemberFactory(household=home, child=cast.child)
    f.HouseholdMemberFactory(household=home, child=housemate)
    f.HouseholdMemberFactory(household=home, child=moved_out, moved_out=dt.date(2020, 1, 1))

    one_at_a_time = get_child_for_user(cast.involved, cast.child.pk)
    expected = family_of(cast.involved, one_at_a_time)
    assert [c.pk for c in expected] == [older.pk, housemate.pk, younger.pk]
    with django_assert_num_queries(2):
        child, family = child_and_family(cast.involved, str(cast.child.pk))
    assert child == one_at_a_time
    assert family == expected
    # Without a family: the child alone.
    assert child_and_family(cast.involved, housemate.pk)[1] == [cast.child]
    for hidden in (unseen.pk, 10**9, "x1"):
        with pytest.raises(Http404, match=r"^Not found$"):
            child_and_family(cast.involved, hidden)
