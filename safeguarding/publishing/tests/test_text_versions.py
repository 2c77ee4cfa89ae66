"""Text versions: editing writes a new version and keeps the old; an edit started from an older version
is refused, not applied; the difference between two versions; the header's own version check."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from safeguarding.core.models import ActivityLog
from safeguarding.publishing import services
from safeguarding.publishing.enums import TEXT_KEYS, Access
from safeguarding.publishing.tests.conftest import PublishingCast


def test_create_report_writes_prefilled_version_one(pc: PublishingCast) -> None:
    report = pc.report()
    text = report.latest_text()
    assert text is not None
    assert text.number == 1
    assert set(text.fields) == set(TEXT_KEYS)
    assert "Child A and Child B" in text.value("executive_summary")
    assert "5 recommendations" in text.value("executive_summary")
    assert "Period under review" in text.value("commissioning")
    assert not any("Ellis" in v or "Marsh" in v for v in text.values().values())
    assert report.plan == pc.plan


def test_edit_makes_a_new_version_and_keeps_the_old(pc: PublishingCast) -> None:
    report = pc.report()
    old = report.latest_text()
    assert old is not None
    new = services.edit_text(
        actor=pc.business, report=report, base_number=1, fields=old.values() | {"consultation": "Agreed by all."}
    )
    assert new.number == 2
    assert new.value("consultation") == "Agreed by all."
    old.refresh_from_db()
    assert old.value("consultation") != "Agreed by all."
    row = ActivityLog.objects.get(action="publishing.text_edited")
    assert row.changes["fields_changed"] == [[], ["consultation"]]


def test_stale_edit_is_refused_not_applied(pc: PublishingCast) -> None:
    report = pc.report()
    base = report.latest_text().values()  # type: ignore[union-attr]
    services.edit_text(actor=pc.business, report=report, base_number=1, fields=base | {"reasons": "Mine."})
    with pytest.raises(services.StaleVersion):
        services.edit_text(actor=pc.admin, report=report, base_number=1, fields=base | {"reasons": "Theirs."})
    assert report.texts.count() == 2
    assert report.latest_text().value("reasons") == "Mine."


def test_diff_lists_changed_fields_line_by_line(pc: PublishingCast) -> None:
    report = pc.report()
    v1 = report.latest_text()
    assert v1 is not None
    v2 = services.edit_text(
        actor=pc.business,
        report=report,
        base_number=1,
        fields=v1.values() | {"recommendations": "That the committee notes the report.\nThat it meets again."},
    )
    changes = services.text_diff(v1, v2)
    assert [c.key for c in changes] == ["recommendations"]
    lines = changes[0].lines
    assert ("+", "That it meets again.") in lines
    assert ("-", "That the committee accepts the partnership's action plan at Appendix A.") in lines
    assert services.text_diff(v2, v2) == []


def test_header_update_checks_version(pc: PublishingCast) -> None:
    report = pc.report()
    header = services.Header(**{name: getattr(report, name) for name in services.Header.__dataclass_fields__})
    updated = services.update_report(
        actor=pc.business, report=report, version=1, header=services.Header(**{**header.__dict__, "item_number": "9"})
    )
    assert updated.version == 2
    assert updated.item_number == "9"
    with pytest.raises(services.StaleVersion):
        services.update_report(actor=pc.admin, report=report, version=1, header=header)


def test_exempt_report_needs_its_paragraph(pc: PublishingCast) -> None:
    with pytest.raises(ValidationError) as error:
        pc.report(access=Access.EXEMPT, exemption_paragraph="")
    assert "exemption_paragraph" in error.value.message_dict
    report = pc.report(access=Access.EXEMPT, exemption_paragraph="Paragraph 2")
    assert report.exemption_paragraph == "Paragraph 2"


def test_only_writers_edit(pc: PublishingCast) -> None:
    report = pc.report()
    for user in (pc.rc.scrutineer, pc.rc.reviewer, pc.rc.cast.involved):
        with pytest.raises(services.NotAllowed):
            services.edit_text(actor=user, report=report, base_number=1, fields={})
    assert report.texts.count() == 1
