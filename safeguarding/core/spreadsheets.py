"""Cells of exported spreadsheets (CSV, XLSX) are safe against formula injection."""

from __future__ import annotations

# Characters that make a spreadsheet read a cell as a formula; a tab or carriage return counts too,
# because some programs strip it and then read what follows.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """Formula-like text as plain text (prefixed with an apostrophe)."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
