"""The CSV template an agency downloads to prepare a chronology file (issue 17).

Its header is the one the importer reads best: each field's first name in `tabular.HEADER_SYNONYMS`,
except where the agency has said how its own reference columns are read (`Agency.import_columns`,
e.g. {"Tenancy ref": "household"}): those columns keep the agency's own names, so the file its system
exports and the template agree. The file has the header only, no example rows (an example row
uploaded by mistake would become an entry about a child)."""

from __future__ import annotations

import csv
import io

from safeguarding.agencies.models import Agency
from safeguarding.chronology import tabular
from safeguarding.chronology.exports import neutralise

# The columns of the template, in order; the agency's own reference columns replace these two.
TEMPLATE_FIELDS = (
    "date",
    "child",
    "dob",
    "nhs",
    "child_reference",
    "event_reference",
    "household_reference",
    "type",
    "category",
    "summary",
    "action",
    "impact",
    "value",
)


def template_headers(agency: Agency) -> list[str]:
    own = dict.fromkeys(tabular.REFERENCE_KINDS.values())
    extra: list[str] = []
    for header, kind in sorted((agency.import_columns or {}).items()):
        field = tabular.REFERENCE_KINDS.get(kind)
        if field is None:
            continue
        if own[field] is None:
            own[field] = header
        else:
            extra.append(header)  # a second household column, say: read the same way
    headers = [own.get(field) or tabular.COLUMN_NAMES[field] for field in TEMPLATE_FIELDS]
    return headers + [h for h in extra if h not in headers]


def template_csv(agency: Agency) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow([neutralise(h) for h in template_headers(agency)])
    # A byte-order mark so that Excel opens it as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_filename(agency: Agency) -> str:
    return f"chronology-import-template-{agency.code.lower()}.csv"
