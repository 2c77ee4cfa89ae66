"""Reading a Children in Need census XML file (the DfE's 2025-26 and 2026-27 specifications) into
typed records. Nothing here writes or judges the codes: the national validator does that
(`census.validator`), and the importer turns the records into chronology entries (`census.importer`).

The file is parsed with lxml, hardened for files from outside: no DTD is loaded, no entity is
expanded and nothing is fetched from the network; a file that declares a DOCTYPE is refused outright
(a census file never has one, and entity tricks — "billion laughs", external entities — need one).
The structure is the specification's: `Message/Header` and `Message/Children/Child`, each child with
`ChildIdentifiers`, `ChildCharacteristics` and any number of `CINdetails` (the episodes), which hold
`Assessments`, `CINPlanDates`, `Section47`, `ChildProtectionPlans` (with `Reviews`) and, from 2026-27,
`PreProceedingsandFGDM`. Elements the Hub does not know are ignored, as the validator ignores them.

A value that is not of its kind (a date that is not YYYY-MM-DD, a count that is not a number) is an
error naming the child and the element; codes are kept as given, for the validator to judge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lxml import etree

# A census file for a large authority is a few megabytes; this is far beyond any real one.
MAX_FILE_BYTES = 50 * 1024 * 1024
TRUE_WORDS = frozenset({"1", "true"})
FALSE_WORDS = frozenset({"0", "false"})


class CensusFileError(ValueError):
    """The file cannot be read as a census file at all (not XML, not the census's structure)."""


@dataclass(frozen=True)
class ReadingError:
    child: str  # the LAchildID ("" for the file as a whole)
    element: str  # e.g. "CINdetails/CINreferralDate"
    message: str


@dataclass(frozen=True)
class Header:
    collection: str = ""
    year: str = ""
    reference_date: dt.date | None = None
    source_level: str = ""
    lea: str = ""
    software_code: str = ""
    release: str = ""
    serial_no: str = ""
    date_time: str = ""


@dataclass(frozen=True)
class Assessment:
    start: dt.date | None
    internal_review: dt.date | None
    authorised: dt.date | None  # the assessment's completion (AssessmentAuthorisationDate)
    factors: tuple[str, ...] = ()


@dataclass(frozen=True)
class CinPlan:
    start: dt.date | None
    end: dt.date | None


@dataclass(frozen=True)
class Section47:
    start: dt.date | None
    icpc_target: dt.date | None
    icpc_date: dt.date | None
    icpc_not_required: bool | None


@dataclass(frozen=True)
class ProtectionPlan:
    start: dt.date | None
    end: dt.date | None
    initial_category: str
    latest_category: str
    previous_plans: int | None
    reviews: tuple[dt.date, ...] = ()


@dataclass(frozen=True)
class PreProceedings:
    """The 2026-27 specification's pre-proceedings and family group decision-making module. The
    validator's 2026-27 rules do not read it yet; the Hub keeps it and records its start."""

    start: dt.date | None
    letter_before_proceedings_sent: dt.date | None
    fgdm_offered: str
    fgdm_facilitated: str
    initial_meeting: dt.date | None
    review_meetings: int | None
    step_decision: dt.date | None
    outcome: str
    court_application: dt.date | None
    letter_initial_cp: dt.date | None


@dataclass(frozen=True)
class Episode:
    """One CINdetails module: a referral and what followed it, to its closure."""

    referral_date: dt.date | None
    referral_source: str
    primary_need: str
    closure_date: dt.date | None
    closure_reason: str
    initial_cpc: dt.date | None  # DateOfInitialCPC given at the episode's level (not in a Section47)
    referral_nfa: bool | None
    assessments: tuple[Assessment, ...] = ()
    cin_plans: tuple[CinPlan, ...] = ()
    section47s: tuple[Section47, ...] = ()
    plans: tuple[ProtectionPlan, ...] = ()
    pre_proceedings: tuple[PreProceedings, ...] = ()

    @property
    def has_protection_plan(self) -> bool:
        return bool(self.plans)


@dataclass(frozen=True)
class CensusChild:
    la_child_id: str
    upn: str
    former_upn: str
    upn_unknown: str
    birth_date: dt.date | None
    expected_birth_date: dt.date | None
    sex: str  # F, M or U (2024-25 onwards)
    gender_current: str  # the code before Sex replaced it (kept when a file still has it)
    death_date: dt.date | None
    ethnicity: str
    disabilities: tuple[str, ...] = ()
    episodes: tuple[Episode, ...] = ()


@dataclass
class CensusFile:
    header: Header
    children: list[CensusChild] = field(default_factory=list)
    errors: list[ReadingError] = field(default_factory=list)


# ---- parsing ----------------------------------------------------------------------------------


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(content: bytes) -> etree._Element:
    """The file's root element, or `CensusFileError` saying why it cannot be read."""
    if len(content) > MAX_FILE_BYTES:
        raise CensusFileError(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB. Check it is a census file."
        )
    if not content.strip():
        raise CensusFileError("The file is empty. Upload the census XML file your case-management system produced.")
    try:
        tree = etree.fromstring(content, parser=_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        line = f" (line {exc.lineno})" if getattr(exc, "lineno", None) else ""
        raise CensusFileError(
            f"The file is not well-formed XML{line}: {exc.msg}. Upload the census XML file as your "
            "case-management system produced it."
        ) from exc
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise CensusFileError(
            "The file declares a DOCTYPE, which a census file never has, so it was not read. Upload the census "
            "XML file as your case-management system produced it."
        )
    root = tree.getroot()
    if _local(root) != "Message" or _child(root, "Children") is None:
        raise CensusFileError(
            "This is not a Children in Need census file: it has no Message element with Children in it."
        )
    return root


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _child(element: etree._Element | None, name: str) -> etree._Element | None:
    if element is None:
        return None
    return next((e for e in element if _local(e) == name), None)


def _children(element: etree._Element | None, name: str) -> list[etree._Element]:
    if element is None:
        return []
    return [e for e in element if _local(e) == name]


def _text(element: etree._Element | None, name: str) -> str:
    found = _child(element, name)
    return " ".join((found.text or "").split()) if found is not None else ""


class _Reader:
    """Reads one file's children, collecting the errors of values that are not of their kind."""

    def __init__(self) -> None:
        self.errors: list[ReadingError] = []
        self.child_id = ""

    def error(self, element: str, message: str) -> None:
        self.errors.append(ReadingError(self.child_id, element, message))

    def date(self, element: etree._Element | None, name: str, where: str) -> dt.date | None:
        text = _text(element, name)
        if not text:
            return None
        return self.date_text(text, f"{where}/{name}")

    def date_text(self, text: str, element: str) -> dt.date | None:
        try:
            return _strict_date(text)
        except ValueError:
            self.error(element, f"{text!r} is not a date. Write dates as YYYY-MM-DD, e.g. 2025-05-06.")
            return None

    def count(self, element: etree._Element | None, name: str, where: str) -> int | None:
        text = _text(element, name)
        if not text:
            return None
        if not text.isdigit():
            self.error(f"{where}/{name}", f"{text!r} is not a whole number.")
            return None
        return int(text)

    def flag(self, element: etree._Element | None, name: str, where: str) -> bool | None:
        text = _text(element, name).lower()
        if not text:
            return None
        if text not in TRUE_WORDS | FALSE_WORDS:
            self.error(f"{where}/{name}", f"{text!r} is not a yes/no value. Use 1 or true, 0 or false.")
            return None
        return text in TRUE_WORDS

    # ---- modules --------------------------------------------------------------------------------

    def child(self, element: etree._Element) -> CensusChild:
        ids = _child(element, "ChildIdentifiers")
        self.child_id = _text(ids, "LAchildID")
        characteristics = _child(element, "ChildCharacteristics")
        where = "ChildIdentifiers"
        return CensusChild(
            la_child_id=self.child_id,
            upn=_text(ids, "UPN").upper(),
            former_upn=_text(ids, "FormerUPN").upper(),
            upn_unknown=_text(ids, "UPNunknown"),
            birth_date=self.date(ids, "PersonBirthDate", where),
            expected_birth_date=self.date(ids, "ExpectedPersonBirthDate", where),
            sex=_text(ids, "Sex").upper(),
            gender_current=_text(ids, "GenderCurrent"),
            death_date=self.date(ids, "PersonDeathDate", where),
            ethnicity=_text(characteristics, "Ethnicity"),
            disabilities=tuple(
                " ".join((d.text or "").split())
                for d in _children(_child(characteristics, "Disabilities"), "Disability")
            ),
            episodes=tuple(self.episode(e) for e in _children(element, "CINdetails")),
        )

    def episode(self, element: etree._Element) -> Episode:
        where = "CINdetails"
        return Episode(
            referral_date=self.date(element, "CINreferralDate", where),
            referral_source=_text(element, "ReferralSource"),
            primary_need=_text(element, "PrimaryNeedCode"),
            closure_date=self.date(element, "CINclosureDate", where),
            closure_reason=_text(element, "ReasonForClosure"),
            initial_cpc=self.date(element, "DateOfInitialCPC", where),
            referral_nfa=self.flag(element, "ReferralNFA", where),
            assessments=tuple(self.assessment(e) for e in _children(element, "Assessments")),
            cin_plans=tuple(
                CinPlan(
                    start=self.date(e, "CINPlanStartDate", "CINPlanDates"),
                    end=self.date(e, "CINPlanEndDate", "CINPlanDates"),
                )
                for e in _children(element, "CINPlanDates")
            ),
            section47s=tuple(self.section47(e) for e in _children(element, "Section47")),
            plans=tuple(self.plan(e) for e in _children(element, "ChildProtectionPlans")),
            pre_proceedings=tuple(self.pre_proceedings(e) for e in _children(element, "PreProceedingsandFGDM")),
        )

    def assessment(self, element: etree._Element) -> Assessment:
        where = "Assessments"
        factors = _children(_child(element, "FactorsIdentifiedAtAssessment"), "AssessmentFactors")
        return Assessment(
            start=self.date(element, "AssessmentActualStartDate", where),
            internal_review=self.date(element, "AssessmentInternalReviewDate", where),
            authorised=self.date(element, "AssessmentAuthorisationDate", where),
            factors=tuple(" ".join((f.text or "").split()) for f in factors),
        )

    def section47(self, element: etree._Element) -> Section47:
        where = "Section47"
        return Section47(
            start=self.date(element, "S47ActualStartDate", where),
            icpc_target=self.date(element, "InitialCPCtarget", where),
            icpc_date=self.date(element, "DateOfInitialCPC", where),
            icpc_not_required=self.flag(element, "ICPCnotRequired", where),
        )

    def plan(self, element: etree._Element) -> ProtectionPlan:
        where = "ChildProtectionPlans"
        reviews: list[dt.date] = []
        for block in _children(element, "Reviews"):
            # One date per Reviews block is the usual form; a block holding several is read whole.
            for review in _children(block, "CPPreviewDate"):
                text = " ".join((review.text or "").split())
                day = self.date_text(text, "ChildProtectionPlans/Reviews/CPPreviewDate") if text else None
                if day is not None:
                    reviews.append(day)
        return ProtectionPlan(
            start=self.date(element, "CPPstartDate", where),
            end=self.date(element, "CPPendDate", where),
            initial_category=_text(element, "InitialCategoryOfAbuse"),
            latest_category=_text(element, "LatestCategoryOfAbuse"),
            previous_plans=self.count(element, "NumberOfPreviousCPP", where),
            reviews=tuple(reviews),
        )

    def pre_proceedings(self, element: etree._Element) -> PreProceedings:
        where = "PreProceedingsandFGDM"
        return PreProceedings(
            start=self.date(element, "PPStartDate", where),
            letter_before_proceedings_sent=self.date(element, "LBPSentDate", where),
            fgdm_offered=_text(element, "FGDMMeetingOffer"),
            fgdm_facilitated=_text(element, "FGDMMeetingFac"),
            initial_meeting=self.date(element, "InitialPPMeetingDate", where),
            review_meetings=self.count(element, "ReviewMeetingsCount", where),
            step_decision=self.date(element, "StepDecisionDate", where),
            outcome=_text(element, "PPOutcome"),
            court_application=self.date(element, "CourtAppDate", where),
            letter_initial_cp=self.date(element, "LetterInitCPDate", where),
        )


def _strict_date(text: str) -> dt.date:
    """YYYY-MM-DD only (the specification's form); anything else raises ValueError."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(text)
    return dt.date.fromisoformat(text)


def _header(root: etree._Element, reader: _Reader) -> Header:
    header = _child(root, "Header")
    collection = _child(header, "CollectionDetails")
    source = _child(header, "Source")
    return Header(
        collection=_text(collection, "Collection"),
        year=_text(collection, "Year"),
        reference_date=reader.date(collection, "ReferenceDate", "Header/CollectionDetails"),
        source_level=_text(source, "SourceLevel"),
        lea=_text(source, "LEA"),
        software_code=_text(source, "SoftwareCode"),
        release=_text(source, "Release"),
        serial_no=_text(source, "SerialNo"),
        date_time=_text(source, "DateTime"),
    )


def read_census(content: bytes) -> CensusFile:
    """The file's header and children, with the errors of values that are not of their kind.
    Raises `CensusFileError` when the file cannot be read as a census file at all."""
    root = parse_xml(content)
    reader = _Reader()
    header = _header(root, reader)
    if _child(root, "Header") is None:
        reader.error("Header", "The file has no Header. Upload the census XML file as your system produced it.")
    children = [reader.child(element) for element in _children(_child(root, "Children"), "Child")]
    if not children:
        reader.error("Children", "The file holds no children. Check it is the right file.")
    return CensusFile(header=header, children=children, errors=reader.errors)
