"""What the review services share: the day of a change, the locked review, required text, and the
documents agencies and reviewers upload (stored whole in the database, with their checksum)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone

from safeguarding.children.models import Child
from safeguarding.core import kernel
from safeguarding.reviews.models import Document, Review
from safeguarding.reviews.workflow import NOUN

if TYPE_CHECKING:
    from safeguarding.core.types import Person

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def today_of(at: datetime | None) -> date:
    """The day of a change: `at`'s (demo data dates changes in the past), else today."""
    return timezone.localdate(at) if at else timezone.localdate()


def locked(review: Review, version: int | None = None) -> Review:
    """The review as stored now, locked for the service's transaction (so two changes to one review
    queue); `StaleVersion` if someone changed it since `version`."""
    return kernel.lock(Review, review.pk, version=version, noun=NOUN)


def sync(target: Review, source: Review) -> Review:
    """Give the caller's copy of the review the stage and version the change left."""
    for field in ("stage", "stage_changed_at", "version"):
        setattr(target, field, getattr(source, field))
    return target


def required_text(errors: dict[str, str], name: str, value: str, message: str) -> str:
    """`value` stripped; an error against `name` when nothing is left."""
    if not (value or "").strip():
        errors[name] = message
    return (value or "").strip()


@dataclass(frozen=True)
class ChildInput:
    child: Child
    pseudonym: str


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


def store_document(*, actor: Person, upload: Upload, at: datetime | None = None) -> Document:
    """Store an uploaded file. Called inside the service the file belongs to (a submission, a report
    draft, an action's evidence), which logs the change."""
    if not upload.content:
        raise ValidationError({"document": "The file is empty. Choose the file again."})
    if len(upload.content) > MAX_DOCUMENT_BYTES:
        raise ValidationError({"document": "The file is larger than 20 MB. Reduce its size or split it."})
    return Document.objects.create(
        filename=upload.filename[:255] or "document",
        content_type=(upload.content_type or "application/octet-stream")[:100],
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        content=upload.content,
        uploaded_by=actor,
        uploaded_at=kernel.now(at),
    )
