"""Census years: "2025-26" runs from 1 April 2025 to the reference date, 31 March 2026."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError

# The validator's rule sets for the years the Hub reads and writes (csc-validator-be-cin 0.1.13 has
# cin2022_23 to cin2026_27; the 2025-26 and 2026-27 sets hold the same 109 rules).
RULESETS = {2025: "cin2025_26", 2026: "cin2026_27"}

_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class CensusYear:
    start_year: int  # 2025 for "2025-26"

    @classmethod
    def parse(cls, text: str) -> CensusYear:
        """ "2025-26" (the form the DfE writes) into a census year the Hub supports."""
        match = _YEAR.match((text or "").strip())
        if not match or (int(match[1]) + 1) % 100 != int(match[2]):
            raise ValidationError(f"Write the census year like 2025-26, not {text!r}.", code="census_year_format")
        year = cls(int(match[1]))
        if year.start_year not in RULESETS:
            known = ", ".join(str(cls(y)) for y in RULESETS)
            raise ValidationError(f"The Hub has census rules for {known} only, not {text}.", code="census_year_unknown")
        return year

    @classmethod
    def from_reference_date(cls, reference: date) -> CensusYear:
        return cls(reference.year - 1)

    def __str__(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def collection_start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def reference_date(self) -> date:
        """The census's last day (Header/ReferenceDate), 31 March."""
        return date(self.start_year + 1, 3, 31)

    @property
    def header_year(self) -> str:
        """Header/Year: the year the census ends in ("2026" for 2025-26)."""
        return str(self.start_year + 1)

    @property
    def ruleset(self) -> str:
        return RULESETS[self.start_year]
