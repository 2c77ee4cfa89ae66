"""Evidence files on an update: how many and how large, checked before any is read into memory, and
stored as review documents (the reviews app's store)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from safeguarding.reviews.models import Document
from safeguarding.reviews.services import Upload, store_document

if TYPE_CHECKING:
    from safeguarding.core.types import Person

# At most this many evidence files on one update (each at most the reviews app's MAX_DOCUMENT_BYTES).
MAX_EVIDENCE_FILES = 10


def files_problem(files: Sequence[Any], max_bytes: int) -> str | None:
    """What is wrong with uploaded evidence files, checked on their sizes before any is read into memory."""
    if len(files) > MAX_EVIDENCE_FILES:
        return f"Attach at most {MAX_EVIDENCE_FILES} files to one update."
    for f in files:
        if (getattr(f, "size", 0) or 0) > max_bytes:
            return f"The file ‘{getattr(f, 'name', '')}’ is larger than {max_bytes // (1024 * 1024)} MB."
    return None


def store_evidence(actor: Person, files: Sequence[Upload], at: datetime | None) -> list[Document]:
    """Store the files (inside the calling service's transaction); a refused file names itself."""
    documents = []
    for upload in files:
        try:
            documents.append(store_document(actor=actor, upload=upload, at=at))
        except ValidationError as exc:
            raise ValidationError({"evidence": f"{upload.filename}: {' '.join(exc.messages)}"}) from exc
    return documents
