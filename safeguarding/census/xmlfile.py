"""Writing a CIN census XML file (the DfE's element names and order) from `records`."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import date, datetime

from safeguarding.census.records import Assessment, ChildReturn, CPPlan, Episode, Section47
from safeguarding.census.years import CensusYear

SOFTWARE_CODE = "Safeguarding Hub"


def _text(parent: ET.Element, tag: str, value: object) -> None:
    """An element only for a value that is there (the census leaves absent items out)."""
    if value is None or value == "":
        return
    if isinstance(value, bool):
        # 1/0, not true/false: the validator's rules compare both ways, and some only with "1"/"0".
        value = "1" if value else "0"
    elif isinstance(value, date):
        value = value.isoformat()
    ET.SubElement(parent, tag).text = str(value)


def _header(root: ET.Element, year: CensusYear, lea: str, produced_at: datetime) -> None:
    header = ET.SubElement(root, "Header")
    details = ET.SubElement(header, "CollectionDetails")
    _text(details, "Collection", "CIN")
    _text(details, "Year", year.header_year)
    _text(details, "ReferenceDate", year.reference_date)
    source = ET.SubElement(header, "Source")
    _text(source, "SourceLevel", "L")
    _text(source, "LEA", lea)
    _text(source, "SoftwareCode", SOFTWARE_CODE)
    _text(source, "Release", "1")
    _text(source, "SerialNo", "1")
    _text(source, "DateTime", produced_at.replace(microsecond=0, tzinfo=None).isoformat())


def _identifiers(parent: ET.Element, child: ChildReturn) -> None:
    ids = ET.SubElement(parent, "ChildIdentifiers")
    _text(ids, "LAchildID", child.la_child_id)
    _text(ids, "UPN", child.upn)
    _text(ids, "FormerUPN", child.former_upn)
    _text(ids, "UPNunknown", child.upn_unknown)
    _text(ids, "PersonBirthDate", child.date_of_birth)
    _text(ids, "ExpectedPersonBirthDate", child.expected_date_of_birth)
    _text(ids, "Sex", child.sex)
    _text(ids, "PersonDeathDate", child.date_of_death)
    characteristics = ET.SubElement(parent, "ChildCharacteristics")
    _text(characteristics, "Ethnicity", child.ethnicity)
    if child.disabilities:
        disabilities = ET.SubElement(characteristics, "Disabilities")
        for code in child.disabilities:
            _text(disabilities, "Disability", code)


def _assessment(parent: ET.Element, assessment: Assessment) -> None:
    element = ET.SubElement(parent, "Assessments")
    _text(element, "AssessmentActualStartDate", assessment.start)
    _text(element, "AssessmentInternalReviewDate", assessment.internal_review)
    _text(element, "AssessmentAuthorisationDate", assessment.authorised)
    if assessment.factors:
        factors = ET.SubElement(element, "FactorsIdentifiedAtAssessment")
        for code in assessment.factors:
            _text(factors, "AssessmentFactors", code)


def _section47(parent: ET.Element, enquiry: Section47) -> None:
    element = ET.SubElement(parent, "Section47")
    _text(element, "S47ActualStartDate", enquiry.start)
    _text(element, "InitialCPCtarget", enquiry.icpc_target)
    _text(element, "DateOfInitialCPC", enquiry.icpc)
    _text(element, "ICPCnotRequired", enquiry.icpc_not_required)


def _cp_plan(parent: ET.Element, plan: CPPlan) -> None:
    element = ET.SubElement(parent, "ChildProtectionPlans")
    _text(element, "CPPstartDate", plan.start)
    _text(element, "CPPendDate", plan.end)
    _text(element, "InitialCategoryOfAbuse", plan.initial_category)
    _text(element, "LatestCategoryOfAbuse", plan.latest_category)
    _text(element, "NumberOfPreviousCPP", plan.previous_plans)
    for review in plan.reviews:
        _text(ET.SubElement(element, "Reviews"), "CPPreviewDate", review)


def _episode(parent: ET.Element, episode: Episode) -> None:
    element = ET.SubElement(parent, "CINdetails")
    _text(element, "CINreferralDate", episode.referral)
    _text(element, "ReferralSource", episode.source)
    _text(element, "PrimaryNeedCode", episode.primary_need)
    _text(element, "CINclosureDate", episode.closure)
    _text(element, "ReasonForClosure", episode.closure_reason)
    _text(element, "DateOfInitialCPC", episode.icpc_at_episode_level)
    _text(element, "ReferralNFA", episode.nfa)
    for assessment in episode.assessments:
        _assessment(element, assessment)
    for plan in episode.cin_plans:
        dates = ET.SubElement(element, "CINPlanDates")
        _text(dates, "CINPlanStartDate", plan.start)
        _text(dates, "CINPlanEndDate", plan.end)
    for enquiry in episode.section47s:
        _section47(element, enquiry)
    for cp_plan in episode.cp_plans:
        _cp_plan(element, cp_plan)


def write_census(children: Iterable[ChildReturn], *, year: CensusYear, lea: str, produced_at: datetime) -> bytes:
    root = ET.Element("Message")
    _header(root, year, lea, produced_at)
    container = ET.SubElement(root, "Children")
    for child in children:
        element = ET.SubElement(container, "Child")
        _identifiers(element, child)
        for episode in child.episodes:
            _episode(element, episode)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
