"""Nothing identifying in a committee report. Reviews name children by pseudonym (`ReviewChild`); a
report printed for a public committee must carry no child's or family member's name, NHS number, date
of birth or home postcode.

The list of those details and the matching live in one place, `reviews.identifying` (the scan of the
published review report uses them too); this module names what the committee report uses.
`identifying_terms(review)` lists the details; `find_identifying` says whether a text contains any
(whole words, any case); `scrub` replaces them in text that comes from other records (action
descriptions, recommendations, key lines of enquiry): a child's name by their pseudonym, anything else
by "[removed]". Text the business unit types is refused instead (the form says so), and a generated
report is checked again.
"""

from __future__ import annotations

from safeguarding.reviews.identifying import REMOVED, Term, find_identifying, identifying_terms, scrub

__all__ = ["REMOVED", "Term", "find_identifying", "identifying_terms", "scrub"]
