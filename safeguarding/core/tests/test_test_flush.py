"""The suite's own flush (after every transactional and browser test) keeps the migrations'
configuration rows and puts back any a test changed; everything else is emptied."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from safeguarding.agencies.models import Agency
from safeguarding.chronology.models import EventType
from safeguarding.testing import factories as f
from safeguarding.testing.schema import _kept


@pytest.mark.django_db(transaction=True)
def test_the_flush_empties_what_tests_wrote_and_puts_back_changed_configuration() -> None:
    assert {"django_content_type", "auth_permission", EventType._meta.db_table} <= set(_kept)
    first = EventType.objects.order_by("pk").first()
    assert first is not None
    label, types = first.label, EventType.objects.count()
    content_types = dict(ContentType.objects.values_list("pk", "model"))
    EventType.objects.filter(pk=first.pk).update(label="Changed by a test")
    EventType.objects.create(code="added-by-a-test", label="Added by a test")
    f.AgencyFactory(code="TMP", name="Written by a test")

    call_command("flush", verbosity=0, interactive=False)

    assert Agency.objects.count() == 0
    assert EventType.objects.get(pk=first.pk).label == label
    assert EventType.objects.count() == types
    assert not EventType.objects.filter(code="added-by-a-test").exists()
    assert dict(ContentType.objects.values_list("pk", "model")) == content_types
