"""A report waiting for the task worker says plainly when the worker has stopped."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from safeguarding.core.models import WorkerHeartbeat
from safeguarding.core.worker import DOWN_MESSAGE
from safeguarding.publishing import services
from safeguarding.publishing.tests.conftest import PublishingCast


def test_a_pending_report_says_the_worker_is_down_instead_of_refresh_in_a_minute(
    pc: PublishingCast, client_for: Any
) -> None:
    report = pc.report(meeting_on=timezone.localdate())
    services.request_generation(actor=pc.business, report=report, confirmed=True)  # queued, not run
    url = reverse("publishing:detail", args=[report.pk])
    client = client_for(pc.business)
    worker = WorkerHeartbeat.objects.create(worker_id="w1", last_seen_at=timezone.now())
    html = client.get(url).content.decode()
    assert "Refresh this page in a minute" in html
    assert DOWN_MESSAGE not in html
    worker.last_seen_at = timezone.now() - timedelta(seconds=settings.WORKER_STALE_AFTER + 1)
    worker.save()
    html = client.get(url).content.decode()
    assert DOWN_MESSAGE in html
    assert "Refresh this page in a minute" not in html
