"""`core.bulk.raw_insert`, the bulk path of imports and sharing notices: on both databases a row that
breaks a constraint raises Django's `IntegrityError`, as `bulk_create` would, so a caller's fallback
(another request opened the same sharing notice a moment ago) runs instead of the import failing."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from safeguarding.children.models import SharingNotice
from safeguarding.core.bulk import raw_insert

pytestmark = pytest.mark.django_db


def test_a_row_that_breaks_a_constraint_raises_djangos_integrity_error(cast) -> None:
    now = timezone.now()
    constants = {"agency": cast.unrelated_agency.pk, "first_shared_at": now, "last_shared_at": now}
    raw_insert(SharingNotice, constants, ("child", "entries"), [(cast.child.pk, 1)])
    notice = SharingNotice.objects.get(child=cast.child, agency=cast.unrelated_agency)
    assert (notice.entries, notice.status, notice.version) == (1, "pending", 1)  # the defaults filled in
    with pytest.raises(IntegrityError), transaction.atomic():  # one pending notice per child and agency
        raw_insert(SharingNotice, constants, ("child", "entries"), [(cast.child.pk, 2)])
    assert SharingNotice.objects.filter(child=cast.child, agency=cast.unrelated_agency).count() == 1
