"""Importing a Children in Need census XML file: all or nothing, idempotent, checked first by the
national validator.

1. Read the file (`census.reading`): not XML, not the census's structure, or a value not of its kind
   (a date that is not a date) stops it.
2. Run the validator (`census.validator`, a subprocess) with the rule set of the file's census year
   BEFORE anything is written. Its errors (rule code, child, field, the rule's own words) reject the
   file whole; its queries are kept on the batch as warnings and shown with the result.
3. Match each child through the identifiers, as every import links children: the LA child ID (the
   child's `la_child_id`, or the agency's own reference for the child learnt from earlier files),
   then the UPN (its check letter validated). Identifiers naming two different children stop the
   file. Anyone else is a new, unverified child record: the census holds no names, so it is named by
   its LA child ID until someone records the name.
4. In one transaction (the agency row locked, so two imports for one agency run one after the other):
   new children; census fields the matched record lacks; an involvement of the agency per episode
   (the referral decided: from the referral date to the closure; a referral with no further action
   ends the day it was decided); the episode's chronology entries (`census.entries`) through the chronology's
   bulk import path, which skips those already imported (by their reference); and the census's other
   values beside them (`CensusDetail`). A dry run does all this and rolls back, so its counts are exact.

`run_cin_batch` runs a stored batch (registered as the "cin" import format, so the chronology's task,
heartbeat, recovery, retry, batch page and API run census files too).
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from safeguarding.agencies.enums import AgencyKind
from safeguarding.agencies.models import Agency
from safeguarding.census import reading, validator
from safeguarding.census.codes import validate_census_factors
from safeguarding.census.entries import PlannedEntry, planned_entries
from safeguarding.census.years import CensusYear
from safeguarding.children.validators import validate_upn
from safeguarding.chronology.import_formats import ImportFormat
from safeguarding.chronology.import_rows import ImportResult, Progress, chunks
from safeguarding.chronology.models import ChildAgencyReference, ImportBatch

if TYPE_CHECKING:
    from safeguarding.core.types import Person

FORMAT = "cin"
NOT_SOCIAL_CARE = (
    "Only a children's social care agency imports the Children in Need census. Choose your children's "
    "social care agency, or ask its team to import the file."
)


@dataclass
class Planned:
    """One child of the file: who they are in the Hub and what the file adds."""

    census: reading.CensusChild
    number: int  # the child's position in the file (1 for the first)
    child_id: int | None = None
    entries: list[PlannedEntry] = field(default_factory=list)


@dataclass
class CensusResult(ImportResult):
    # The validator's queries: kept on the batch (`ImportBatch.warnings`) and shown with the result.
    warnings: list[dict[str, Any]] = field(default_factory=list)


def census_error(result: ImportResult, number: int, element: str, reason: str, **extra: Any) -> None:
    """An error of the file, in the batch's report (`row` is the child's position in the file, 0 the
    file as a whole; `column` the element), with the rule code, child and value where there are."""
    before = len(result.errors)
    result.add_error(number, element, reason)
    if len(result.errors) > before:
        result.errors[-1].update({k: x for k, x in extra.items() if x})


def _issue(issue: validator.Issue, numbers: dict[str, int]) -> dict[str, Any]:
    where = "/".join(part for part in (issue.table, issue.field) if part)
    flagged = f" (value {issue.value})" if issue.value else ""
    return {
        "row": numbers.get(issue.child, 0),
        "column": where,
        "reason": f"Rule {issue.rule_code}: {issue.message}{flagged}",
        "rule": issue.rule_code,
        "child": issue.child,
        "value": issue.value,
    }


def _census_year(census: reading.CensusFile, result: ImportResult) -> CensusYear | None:
    reference = census.header.reference_date
    if reference is None:
        census_error(result, 0, "Header/CollectionDetails/ReferenceDate", "The file has no reference date (31 March).")
        return None
    try:
        return CensusYear.parse(str(CensusYear.from_reference_date(reference)))
    except ValidationError as exc:
        census_error(result, 0, "Header/CollectionDetails/ReferenceDate", " ".join(exc.messages))
        return None


def validate_census(
    content: bytes, census: reading.CensusFile, result: ImportResult
) -> tuple[CensusYear | None, list[dict[str, Any]]]:
    """Run the validator on the file as uploaded: its errors go to `result`, its queries are
    returned (the warnings to keep). Nothing is written."""
    year = _census_year(census, result)
    if year is None:
        return None, []
    numbers = {c.la_child_id: i for i, c in enumerate(census.children, start=1) if c.la_child_id}
    with tempfile.TemporaryDirectory(prefix="cin-import-") as folder:
        path = Path(folder) / "census.xml"
        path.write_bytes(content)
        try:
            report = validator.validate_file(path, year=year)
        except validator.ValidatorUnavailable as exc:
            census_error(
                result,
                0,
                "",
                "The census validator could not run, so the file was not checked and nothing was saved. "
                f"Tell the partnership's support team: {exc}",
            )
            return year, []
    for issue in report.errors:
        entry = _issue(issue, numbers)
        census_error(result, entry.pop("row"), entry.pop("column"), entry.pop("reason"), **entry)
    return year, [_issue(q, numbers) for q in report.queries]


def _check_codes(census: reading.CensusFile, result: ImportResult) -> None:
    """Values the Hub itself refuses, beyond the validator: a UPN whose check letter is wrong (never
    used to match a child), and assessment factors that are not the census's codes (the validator does
    not check them). A former UPN only warns, as the validator's query 1560Q does: it is not kept."""
    for number, child in enumerate(census.children, start=1):
        problems: list[tuple[str, str]] = []
        if child.upn:
            try:
                validate_upn(child.upn)
            except ValidationError as exc:
                problems.append(("ChildIdentifiers/UPN", " ".join(exc.messages)))
        for episode in child.episodes:
            for assessment in episode.assessments:
                try:
                    validate_census_factors(list(assessment.factors))
                except ValidationError as exc:
                    problems.append(
                        (
                            "Assessments/FactorsIdentifiedAtAssessment",
                            f"{' '.join(exc.messages)} Use the census's codes.",
                        )
                    )
        for element, message in problems:
            census_error(result, number, element, message, child=child.la_child_id)


def plan_children(census: reading.CensusFile, agency: Agency, result: ImportResult) -> list[Planned]:
    """Match every child of the file to a Hub record by identifier (errors to `result`). Reads only."""
    planned = [Planned(c, n, entries=planned_entries(c)) for n, c in enumerate(census.children, start=1)]
    la_ids = {p.census.la_child_id for p in planned}
    upns = {p.census.upn for p in planned if p.census.upn}
    from safeguarding.children.models import Child

    by_la: dict[str | None, int] = {}
    by_ref: dict[str, int] = {}
    by_upn: dict[str | None, int] = {}
    # Every record, merged ones too: a record merged into another still holds its identifiers (they are
    # unique), and stands for the record it was merged into.
    records = Child.all_records
    for chunk in chunks(la_ids):
        by_la.update(
            (la, into or pk)
            for la, pk, into in records.filter(la_child_id__in=chunk).values_list("la_child_id", "pk", "merged_into_id")
        )
        by_ref.update(
            ChildAgencyReference.objects.filter(
                agency=agency, reference__in=chunk, child__merged_into__isnull=True
            ).values_list("reference", "child_id")
        )
    for chunk in chunks(upns):
        by_upn.update(
            (upn, into or pk)
            for upn, pk, into in records.filter(upn__in=chunk).values_list("upn", "pk", "merged_into_id")
        )
    for p in planned:
        found = {
            "LA child ID": by_la.get(p.census.la_child_id),
            "your reference for the child": by_ref.get(p.census.la_child_id),
            "UPN": by_upn.get(p.census.upn) if p.census.upn else None,
        }
        ids = {pk for pk in found.values() if pk is not None}
        if len(ids) > 1:
            names = " and ".join(name for name, pk in found.items() if pk is not None)
            census_error(
                result,
                p.number,
                "ChildIdentifiers",
                f"The {names} of this child belong to different children in the Hub. Check the identifiers "
                "in your case-management system, then import the file again.",
                child=p.census.la_child_id,
            )
            continue
        p.child_id = ids.pop() if ids else None
    result.children_matched = sum(1 for p in planned if p.child_id is not None)
    return planned


def import_census(
    *,
    actor: Person | None,
    agency: Agency,
    content: bytes,
    batch: ImportBatch | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> CensusResult:
    """Check the whole file (reading, the validator, the identifiers), then write it all or nothing.
    The validator's queries are the result's `warnings`."""
    from safeguarding.census import writing

    result = CensusResult()
    if agency.kind != AgencyKind.CHILDRENS_SOCIAL_CARE:
        census_error(result, 0, "", NOT_SOCIAL_CARE)
        return result
    try:
        census = reading.read_census(content)
    except reading.CensusFileError as exc:
        census_error(result, 0, "", str(exc))
        return result
    result.rows_total = len(census.children)
    if progress:
        progress(0, result.rows_total, "validating")
    _year, result.warnings = validate_census(content, census, result)
    numbers = {c.la_child_id: i for i, c in enumerate(census.children, start=1)}
    for problem in census.errors:
        census_error(result, numbers.get(problem.child, 0), problem.element, problem.message, child=problem.child)
    _check_codes(census, result)
    if result.rejected:
        return result
    planned = plan_children(census, agency, result)
    _refuse_future_entries(planned, result)
    if result.rejected:
        return result
    if progress:
        progress(result.rows_total, result.rows_total, "saving")
    with contextlib.suppress(writing.DryRunRollback):
        writing.write_census(
            planned, actor=actor, agency=agency, batch=batch, result=result, dry_run=dry_run, progress=progress
        )
    return result


def _refuse_future_entries(planned: list[Planned], result: ImportResult) -> None:
    """A chronology entry cannot be dated after today (the chronology's rule for every entry)."""
    today = timezone.localdate()
    for p in planned:
        late = [e for e in p.entries if e.occurred_on > today]
        if late:
            census_error(
                result,
                p.number,
                "CINdetails",
                f"The file records {late[0].summary.rstrip('.').lower()} on {late[0].occurred_on:%d/%m/%Y}, "
                "after today. Check the dates in your case-management system.",
                child=p.census.la_child_id,
            )


def run_cin_batch(batch: ImportBatch, progress: Progress | None = None) -> ImportResult:
    """Import a stored census batch (the "cin" format's reader, run by `chronology.importer.run_batch`);
    the validator's queries are stored on the batch as its warnings."""
    result = import_census(
        actor=batch.uploaded_by,
        agency=batch.agency,
        content=bytes(batch.content or b""),
        batch=batch,
        dry_run=batch.dry_run,
        progress=progress,
    )
    ImportBatch.objects.filter(pk=batch.pk).update(warnings=result.warnings)
    batch.warnings = result.warnings
    return result


CIN_FORMAT = ImportFormat(code=FORMAT, label="Children in Need census XML", run=run_cin_batch)
