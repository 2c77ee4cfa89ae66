"""The scan of a review report for residual identifiers, before it is published.

Two kinds of finder, one list of hits:
- the review's own records (`reviews.identifying`, wider list): children's and relatives' names,
  dates of birth, NHS numbers, postcodes, addresses, household references and schools;
- Presidio's pattern recognisers (`presidio-analyzer`): NHS numbers (with the mod-11 checksum),
  National Insurance numbers, UK postcodes, UK phone numbers and email addresses.

Presidio runs offline: its NLP engine is an empty spaCy pipeline (`spacy.blank("en")`, a tokenizer
and nothing else), never a downloaded model, and the email recogniser checks domains against
tldextract's bundled suffix list, never the live one. Building the analyzer takes a moment, so one is
kept per process (`analyzer()`).

`extract_text` reads a PDF (pypdf) or a Word file (python-docx); `scan_text` finds the hits, each with
a preview of the words around it in which every identifier found is redacted.
"""

from __future__ import annotations

import io
import re
import threading
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from safeguarding.reviews.identifying import TermKind, find_terms

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine

    from safeguarding.reviews.identifying import Term

# The Presidio entities the scan asks for, and what the page calls them.
PATTERN_LABELS = {
    "UK_NHS": "NHS number",
    "UK_NINO": "National Insurance number",
    "UK_POSTCODE": "Postcode",
    "PHONE_NUMBER": "Phone number",
    "EMAIL_ADDRESS": "Email address",
}
PREVIEW_CHARS = 60
MAX_FOUND_CHARS = 300

_lock = threading.Lock()
_analyzer: AnalyzerEngine | None = None


# ---- the analyzer, offline ----------------------------------------------------------------------


def _offline_email_recognizer() -> Any:
    import tldextract
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    # The bundled snapshot of the public suffix list: no fetch, no cache on disk.
    extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

    class OfflineEmailRecognizer(EmailRecognizer):  # type: ignore[misc]
        def validate_result(self, pattern_text: str) -> bool:
            return bool(extract(pattern_text).fqdn)

    return OfflineEmailRecognizer()


def _blank_spacy_engine() -> Any:
    import spacy
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    class BlankSpacyNlpEngine(SpacyNlpEngine):  # type: ignore[misc]
        """spaCy's tokenizer alone: no model to load, so nothing to download."""

        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}  # type: ignore[assignment]

    engine = BlankSpacyNlpEngine(
        models=[{"lang_code": "en", "model_name": "blank:en"}],
        ner_model_configuration=NerModelConfiguration(labels_to_ignore=["*"]),
    )
    engine.load()
    return engine


def build_analyzer() -> AnalyzerEngine:
    """A new analyzer: the blank spaCy engine and an explicit registry of pattern recognisers."""
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.predefined_recognizers import (
        NhsRecognizer,
        PhoneRecognizer,
        UkNinoRecognizer,
        UkPostcodeRecognizer,
    )

    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in (
        NhsRecognizer(),  # validates the mod-11 check digit
        UkNinoRecognizer(),
        UkPostcodeRecognizer(),
        PhoneRecognizer(supported_regions=("GB",), leniency=0),
        _offline_email_recognizer(),
    ):
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(nlp_engine=_blank_spacy_engine(), registry=registry, supported_languages=["en"])


def analyzer() -> AnalyzerEngine:
    """The process's analyzer, built on first use."""
    global _analyzer
    with _lock:
        if _analyzer is None:
            _analyzer = build_analyzer()
        return _analyzer


# ---- reading the file ---------------------------------------------------------------------------

FORMAT_MESSAGE = "Upload the report as a PDF or a Word (.docx) file."


def file_format(content: bytes) -> str:
    """'pdf' or 'docx', by what the file is (not what it is called)."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            pass
    raise ValidationError({"document": FORMAT_MESSAGE})


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise ValidationError({"document": "The PDF is password-protected. Upload it without a password."})
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise ValidationError({"document": "The PDF could not be read. Save it again as a PDF and upload it."}) from exc


def _docx_text(content: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(content))
    except (ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ValidationError({"document": "The Word file could not be read. Save it again as .docx."}) from exc
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        for part in (section.header, section.footer):
            parts += [p.text for p in part.paragraphs]
    return "\n".join(parts)


def extract_text(content: bytes, fmt: str) -> str:
    return _pdf_text(content) if fmt == "pdf" else _docx_text(content)


# ---- scanning -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    kind: str
    label: str
    from_records: bool
    start: int
    end: int
    found: str
    preview: str = ""


def _digits(value: str) -> int:
    return sum(c.isdigit() for c in value)


def _record_hits(text: str, terms: list[Term]) -> list[Hit]:
    return [
        Hit(
            f.term.kind,
            f"{TermKind.LABELS.get(f.term.kind, 'Identifier')} from the review's records",
            True,
            f.start,
            f.end,
            text[f.start : f.end],
        )
        for f in find_terms(text, terms)
    ]


def _pattern_hits(text: str) -> list[Hit]:
    results = analyzer().analyze(text=text, language="en", entities=list(PATTERN_LABELS), score_threshold=0.0)
    # The lenient phone setting (needed for numbers in Ofcom's drama ranges) also takes years and short
    # references for phone numbers: a UK number has 10 or 11 digits.
    results = [r for r in results if r.entity_type != "PHONE_NUMBER" or _digits(text[r.start : r.end]) >= 10]
    hits = [
        Hit(r.entity_type, PATTERN_LABELS[r.entity_type], False, r.start, r.end, text[r.start : r.end]) for r in results
    ]
    # Where two patterns claim the same words (an NHS number also reads as a phone number), the more
    # specific one wins: the higher score, then the order of PATTERN_LABELS.
    order = list(PATTERN_LABELS)
    scores = {(r.entity_type, r.start, r.end): r.score for r in results}
    return sorted(hits, key=lambda h: (-scores[(h.kind, h.start, h.end)], order.index(h.kind)))


def _without_overlaps(hits: list[Hit]) -> list[Hit]:
    """The first claim on each stretch of text stands (records first, then the best pattern)."""
    kept: list[Hit] = []
    for hit in hits:
        if all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def _preview(text: str, hit: Hit, hits: list[Hit]) -> str:
    """The words around `hit`, with it and every other hit in reach replaced by its label."""
    start, end = max(0, hit.start - PREVIEW_CHARS), min(len(text), hit.end + PREVIEW_CHARS)
    pieces, cursor = [], start
    for other in hits:
        if other.end <= start or other.start >= end:
            continue
        pieces.append(text[cursor : max(cursor, other.start)])
        pieces.append(f"[{PATTERN_LABELS.get(other.kind) or TermKind.LABELS.get(other.kind, 'identifier')}]")
        cursor = max(cursor, other.end)
    pieces.append(text[cursor:end])
    body = re.sub(r"\s+", " ", "".join(pieces)).strip()
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def scan_text(text: str, terms: list[Term]) -> list[Hit]:
    """Every residual identifier in `text`, in reading order, each with its redacted preview."""
    if not text.strip():
        return []
    hits = _without_overlaps(_record_hits(text, terms) + _pattern_hits(text))
    return [
        Hit(h.kind, h.label, h.from_records, h.start, h.end, h.found[:MAX_FOUND_CHARS], _preview(text, h, hits))
        for h in hits
    ]
