"""File formats other than the chronology's own tables, each read by the app that knows it.

An app registers its format from its `AppConfig.ready()` (the census app registers "cin", the Children
in Need census XML); a batch with that `file_format` is then run by the format's reader through the
same batch machinery as every import: the task, the heartbeat, recovery, retry, the batch's page and
API. Chronology never imports those apps: they plug in here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from safeguarding.chronology.import_rows import ImportResult, Progress
    from safeguarding.chronology.models import ImportBatch

TABLE = "table"


@dataclass(frozen=True)
class ImportFormat:
    code: str  # stored in ImportBatch.file_format
    label: str  # "Children in Need census XML"
    # Reads and imports the batch's stored file (all or nothing), reporting progress; never raises for
    # a bad file (its problems go in the result's errors).
    run: Callable[[ImportBatch, Progress | None], ImportResult]


_FORMATS: dict[str, ImportFormat] = {}


def register_format(import_format: ImportFormat) -> None:
    _FORMATS[import_format.code] = import_format


def format_for(code: str) -> ImportFormat | None:
    """The registered format, or None for the chronology's own tables."""
    return None if code == TABLE else _FORMATS[code]


def label_for(code: str) -> str:
    found = _FORMATS.get(code)
    return found.label if found is not None else "CSV or XLSX table"
