"""Reading a partnership file: YAML that lists agencies, their teams, and the people who work there.

The format is documented in `docs/partnership-file.md`. This module only reads and checks the
file's shape (no database): every problem is collected with the line it is on, so a person can
fix the whole file in one pass. `services.load_partnership` adds the checks that need the
database and does the writing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from safeguarding.agencies.enums import HUMAN_ROLES, AgencyKind, PartnerStatus, Role
from safeguarding.agencies.line_yaml import LineDict as LineDict
from safeguarding.agencies.line_yaml import LineList as LineList
from safeguarding.agencies.line_yaml import PartnershipFileError as PartnershipFileError
from safeguarding.agencies.line_yaml import Problem as Problem
from safeguarding.agencies.line_yaml import read_file as read_file
from safeguarding.agencies.line_yaml import read_yaml as read_yaml
from safeguarding.agencies.models import PHONE_MESSAGE, code_validator, phone_validator

TOP_KEYS = ("partnership", "agencies", "users")
AGENCY_KEYS = ("code", "name", "kind", "partner_status", "active", "teams", "import_columns")
TEAM_KEYS = ("code", "name", "active", "front_door", "phone")
# How an agency's file columns of references are read (Agency.import_columns): the agency's own
# reference for a child, or a household, tenancy, family or incident reference several children share.
IMPORT_COLUMN_KINDS = ("child", "household")
MAX_HEADING_LENGTH = 100
USER_KEYS = ("username", "first_name", "last_name", "email", "job_title", "work_phone", "active", "memberships")
MEMBERSHIP_KEYS = ("agency", "team", "role")

_USERNAME_VALIDATOR = UnicodeUsernameValidator()


# --- What the file describes ---------------------------------------------------------------------


@dataclass(frozen=True)
class TeamSpec:
    code: str
    name: str
    active: bool | None
    line: int | None
    front_door: bool | None = None
    front_door_line: int | None = None
    phone: str | None = None


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    kind: str
    partner_status: str | None
    active: bool | None
    teams: tuple[TeamSpec, ...]
    line: int | None
    name_line: int | None = None
    # {column heading: "child" | "household"}; None when the file leaves the agency's setting alone.
    import_columns: dict[str, str] | None = None


@dataclass(frozen=True)
class MembershipSpec:
    agency: str
    team: str | None
    role: str
    line: int | None


@dataclass(frozen=True)
class UserSpec:
    username: str
    first_name: str
    last_name: str
    email: str | None
    job_title: str | None
    active: bool | None
    memberships: tuple[MembershipSpec, ...]
    line: int | None
    work_phone: str | None = None


@dataclass
class PartnershipSpec:
    label: str
    agencies: list[AgencySpec] = field(default_factory=list)
    users: list[UserSpec] = field(default_factory=list)
    # Agency and team codes the file names, even in entries with problems, so that a membership
    # naming them is not reported a second time as naming something unknown.
    mentioned_agencies: set[str] = field(default_factory=set)
    mentioned_teams: set[tuple[str, str]] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)


# --- Checking the shape --------------------------------------------------------------------------


def _line(container: Any, key: Any) -> int | None:
    """The line of a key or item, when the data came from a file (not from a plain dict)."""
    return container.line_of(key) if isinstance(container, (LineDict, LineList)) else None


def _allowed(values: Iterable[str]) -> str:
    return ", ".join(values)


class _Reader:
    """Collects problems while turning plain YAML data into specs."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, line: int | None, reason: str) -> None:
        self.problems.append(Problem(line, reason))

    def mapping(self, value: Any, line: int | None, what: str, keys: tuple[str, ...]) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.problem(line, f"each {what} must be a set of 'key: value' lines, not {_describe(value)}.")
            return None
        for key in value:
            if key not in keys:
                hint = difflib.get_close_matches(str(key), keys, n=1)
                suggestion = f" Did you mean '{hint[0]}'?" if hint else ""
                self.problem(
                    _line(value, key), f"unknown key '{key}' in {what}.{suggestion} Allowed keys: {_allowed(keys)}."
                )
        return value

    def text(
        self,
        entry: Mapping[str, Any],
        key: str,
        what: str,
        *,
        required: bool = True,
        max_length: int = 200,
        example: str | None = None,
    ) -> str | None:
        line = _line(entry, key)
        if key not in entry or entry[key] is None:
            if required:
                self.problem(line if key in entry else _entry_line(entry, None), _missing(key, what, example))
            return None
        value = entry[key]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(line, f"'{key}' in {what} must be text, not {_describe(value)}. Put it in quotes.")
            return None
        text = str(value).strip()
        if not text and required:
            self.problem(line, _missing(key, what, example))
            return None
        if len(text) > max_length:
            self.problem(
                line, f"'{key}' in {what} is {len(text)} characters long; shorten it to {max_length} or fewer."
            )
            return None
        return text

    def code(self, entry: Mapping[str, Any], key: str, what: str) -> str | None:
        line = _line(entry, key)
        if key in entry and isinstance(entry[key], bool):
            self.problem(line, f"'{key}' in {what} was read as yes/no. Put the code in quotes, e.g. {key}: \"NO\".")
            return None
        value = self.text(entry, key, what, max_length=32)
        if value is None:
            return None
        if not _is_code(value):
            self.problem(
                line,
                f"'{key}' in {what} is '{value}': use 2 to 32 capital letters, digits, hyphens or underscores, "
                "starting with a letter or digit (e.g. NBP or SCH-ALD).",
            )
            return None
        return value

    def choice(
        self, entry: Mapping[str, Any], key: str, what: str, choices: list[str], *, required: bool = True
    ) -> str | None:
        example = f"one of: {_allowed(choices)}"
        value = self.text(entry, key, what, required=required, max_length=64, example=example)
        if value is None:
            return None
        if value not in choices:
            hint = difflib.get_close_matches(value, choices, n=1)
            suggestion = f" Did you mean '{hint[0]}'?" if hint else ""
            self.problem(
                _line(entry, key),
                f"'{key}' in {what} is '{value}', which is not allowed.{suggestion} Use one of: {_allowed(choices)}.",
            )
            return None
        return value

    def flag(self, entry: Mapping[str, Any], key: str, what: str) -> bool | None:
        if key not in entry or entry[key] is None:
            return None
        value = entry[key]
        if not isinstance(value, bool):
            self.problem(_line(entry, key), f"'{key}' in {what} must be true or false, not {_describe(value)}.")
            return None
        return value

    def sequence(self, entry: Mapping[str, Any], key: str, what: str, *, required: bool = False) -> list[Any] | None:
        if key not in entry or entry[key] is None:
            if required and key in entry:
                # An empty `memberships:` is more often a slip than a decision to end them all.
                self.problem(_line(entry, key), f"'{key}' of {what} is empty: list them, or write '{key}: []'.")
            elif required:
                self.problem(_entry_line(entry, None), _missing(key, what, f"{key}: []"))
            return None if required else []
        value = entry[key]
        if not isinstance(value, list):
            self.problem(
                _line(entry, key),
                f"'{key}' in {what} must be a list (lines starting with '- '), not {_describe(value)}.",
            )
            return None
        return value


def _is_code(value: str) -> bool:
    try:
        code_validator(value)  # the model's own rule for agency and team codes
    except ValidationError:
        return False
    return True


def _missing(key: str, what: str, example: str | None = None) -> str:
    extra = f" ({example})" if example else ""
    return f"{what} has no '{key}'; add it{extra}."


def _describe(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a set of keys"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "yes/no"
    if value is None:
        return "nothing"
    return f"'{value}'"


def check_partnership(data: Any, filename: str, problems: Iterable[Problem] = ()) -> PartnershipSpec:
    """Turn parsed YAML into specs, collecting every problem in its shape (with `problems` already
    found while reading, such as keys given twice) in `spec.problems`. The entries that could be
    read are kept, so the caller can add the checks that need the database and report everything
    at once. A file whose top level cannot be read at all raises PartnershipFileError."""
    reader = _Reader()
    reader.problems.extend(problems)
    if data is None:
        reader.problem(None, "the file is empty. Add an 'agencies:' list, a 'users:' list, or both.")
        raise PartnershipFileError(filename, reader.problems)
    if not isinstance(data, Mapping):
        reader.problem(
            1, f"the file must be a set of 'key: value' lines (partnership:, agencies:, users:), not {_describe(data)}."
        )
        raise PartnershipFileError(filename, reader.problems)
    reader.mapping(data, 1, "the file", TOP_KEYS)
    label = reader.text(data, "partnership", "the file", required=False) or ""
    spec = PartnershipSpec(label=label, problems=reader.problems)
    agencies = reader.sequence(data, "agencies", "the file") or []
    users = reader.sequence(data, "users", "the file") or []
    if "agencies" not in data and "users" not in data:
        reader.problem(1, "the file has neither 'agencies:' nor 'users:'. Add at least one of them.")

    first_lines: dict[str, int | None] = {}
    for index, raw in enumerate(agencies):
        line = _line(agencies, index)
        code = _raw_text(raw, "code")
        if code:
            spec.mentioned_agencies.add(code)
            spec.mentioned_teams.update((code, team) for team in _raw_team_codes(raw))
            if code in first_lines:
                reader.problem(
                    _entry_line(raw, line),
                    f"agency code {code} is used twice (first on line {first_lines[code]}); "
                    "each agency needs its own code.",
                )
                _read_agency(reader, raw, line)  # for its other problems
                continue
            first_lines[code] = _entry_line(raw, line)
        agency = _read_agency(reader, raw, line)
        if agency is not None:
            spec.agencies.append(agency)

    user_lines: dict[str, tuple[str, int | None]] = {}
    for index, raw in enumerate(users):
        line = _line(users, index)
        username = _raw_text(raw, "username")
        if username:
            folded = username.casefold()
            if folded in user_lines:
                first, first_line = user_lines[folded]
                reader.problem(
                    _entry_line(raw, line),
                    f"username {username} is listed twice (first as {first} on line {first_line}); "
                    "list each person once, with all their memberships.",
                )
                _read_user(reader, raw, line)  # for its other problems
                continue
            user_lines[folded] = (username, _entry_line(raw, line))
        user = _read_user(reader, raw, line)
        if user is not None:
            spec.users.append(user)

    _check_duplicates(reader, spec)
    return spec


def _raw_text(raw: Any, key: str) -> str | None:
    value = raw.get(key) if isinstance(raw, Mapping) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _raw_team_codes(raw: Any) -> list[str]:
    teams = raw.get("teams") if isinstance(raw, Mapping) else None
    if not isinstance(teams, list):
        return []
    return [code for code in (_raw_text(team, "code") for team in teams) if code]


def _read_agency(reader: _Reader, raw: Any, line: int | None) -> AgencySpec | None:
    entry = reader.mapping(raw, line, "agency", AGENCY_KEYS)
    if entry is None:
        return None
    code = reader.code(entry, "code", "agency")
    what = f"agency {code}" if code else "agency"
    name = reader.text(entry, "name", what)
    kind = reader.choice(entry, "kind", what, list(AgencyKind.values))
    status = reader.choice(entry, "partner_status", what, list(PartnerStatus.values), required=False)
    active = reader.flag(entry, "active", what)
    teams: list[TeamSpec] = []
    raw_teams = reader.sequence(entry, "teams", what) or []
    for index, raw_team in enumerate(raw_teams):
        team_entry = reader.mapping(raw_team, _line(raw_teams, index), f"team in {what}", TEAM_KEYS)
        if team_entry is None:
            continue
        team_code = reader.code(team_entry, "code", f"team in {what}")
        team_what = f"team {code or '?'}/{team_code}" if team_code else f"team in {what}"
        team_name = reader.text(team_entry, "name", team_what)
        team_active = reader.flag(team_entry, "active", team_what)
        front_door = reader.flag(team_entry, "front_door", team_what)
        phone = _read_phone(reader, team_entry, "phone", team_what)
        if front_door and team_active is False:
            reader.problem(
                _line(team_entry, "front_door"),
                f"{team_what} is the front door but has 'active: false'; a closed team cannot receive the "
                "front door's work. Make another team the front door, or remove 'active: false'.",
            )
        if team_code and team_name:
            teams.append(
                TeamSpec(
                    team_code,
                    team_name,
                    team_active,
                    _line(raw_teams, index),
                    front_door,
                    _line(team_entry, "front_door") if "front_door" in team_entry else None,
                    phone,
                )
            )
    import_columns = _read_import_columns(reader, entry, what)
    if not (code and name and kind):
        return None
    return AgencySpec(
        code,
        name,
        kind,
        status,
        active,
        tuple(teams),
        _entry_line(entry, line),
        _line(entry, "name"),
        import_columns,
    )


def heading_key(text: str) -> str:
    """Column headings compared as the importer compares them: ignoring capitals, spaces and a
    trailing full stop or colon (chronology.tabular.header_key)."""
    return re.sub(r"\s+", "", text).lower().strip(".:*")


def _read_import_columns(reader: _Reader, entry: Mapping[str, Any], what: str) -> dict[str, str] | None:
    """`import_columns: {"Tenancy ref": household, "Client ID": child}`: how the agency's reference
    columns are read when it imports a chronology file."""
    if "import_columns" not in entry:
        return None
    value = entry["import_columns"]
    line = _line(entry, "import_columns")
    example = 'import_columns: {"Tenancy ref": household}'
    if value is None:
        reader.problem(
            line, f"'import_columns' of {what} is empty: list the columns ({example}), or write 'import_columns: {{}}'."
        )
        return None
    if not isinstance(value, Mapping):
        reader.problem(
            line,
            f"'import_columns' in {what} must be a set of 'column heading: child or household' lines, "
            f"not {_describe(value)}. For example: {example}.",
        )
        return None
    columns: dict[str, str] = {}
    first: dict[str, tuple[str, int | None]] = {}
    for heading, kind in value.items():
        key_line = _line(value, heading) or line
        if isinstance(heading, bool) or not isinstance(heading, (str, int, float)) or not str(heading).strip():
            reader.problem(key_line, f"a column heading in 'import_columns' of {what} must be text; put it in quotes.")
            continue
        text = " ".join(str(heading).split())
        if len(text) > MAX_HEADING_LENGTH:
            reader.problem(
                key_line,
                f"the column heading '{text[:40]}…' in 'import_columns' of {what} is {len(text)} characters long; "
                f"headings can be at most {MAX_HEADING_LENGTH}.",
            )
            continue
        if kind not in IMPORT_COLUMN_KINDS:
            hint = difflib.get_close_matches(str(kind), IMPORT_COLUMN_KINDS, n=1) if isinstance(kind, str) else []
            suggestion = f" Did you mean '{hint[0]}'?" if hint else ""
            reader.problem(
                key_line,
                f"column '{text}' in 'import_columns' of {what} is {_describe(kind)}, which is not allowed."
                f"{suggestion} Use child (the column is your reference for the child) or household "
                "(a household, tenancy, family or incident reference several children may share).",
            )
            continue
        key = heading_key(text)
        if key in first:
            earlier, earlier_line = first[key]
            reader.problem(
                key_line,
                f"column '{text}' in 'import_columns' of {what} is the same heading as '{earlier}' "
                f"(line {earlier_line}): headings are compared ignoring capitals and spaces. Keep one.",
            )
            continue
        first[key] = (text, key_line)
        columns[text] = str(kind)
    return columns


def _read_user(reader: _Reader, raw: Any, line: int | None) -> UserSpec | None:
    entry = reader.mapping(raw, line, "user", USER_KEYS)
    if entry is None:
        return None
    username = reader.text(entry, "username", "user", max_length=150)
    if username is not None:
        try:
            _USERNAME_VALIDATOR(username)
        except ValidationError:
            reader.problem(
                _line(entry, "username"),
                f"username '{username}' may only hold letters, digits and @ . + - _ (no spaces).",
            )
            username = None
    what = f"user {username}" if username else "user"
    first_name = reader.text(entry, "first_name", what, max_length=150)
    last_name = reader.text(entry, "last_name", what, max_length=150)
    email = reader.text(entry, "email", what, required=False, max_length=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            reader.problem(_line(entry, "email"), f"email '{email}' of {what} is not an email address; correct it.")
    job_title = reader.text(entry, "job_title", what, required=False)
    work_phone = _read_phone(reader, entry, "work_phone", what)
    active = reader.flag(entry, "active", what)
    memberships: list[MembershipSpec] = []
    raw_memberships = reader.sequence(entry, "memberships", what, required=True)
    for index, raw_membership in enumerate(raw_memberships or []):
        m_line = _line(raw_memberships, index)
        m_entry = reader.mapping(raw_membership, m_line, f"membership of {what}", MEMBERSHIP_KEYS)
        if m_entry is None:
            continue
        m_what = f"membership of {what}"
        agency = reader.code(m_entry, "agency", m_what)
        team = reader.code(m_entry, "team", m_what) if m_entry.get("team") is not None else None
        role = _read_role(reader, m_entry, m_what)
        if agency and role and (team is not None or m_entry.get("team") is None):
            memberships.append(MembershipSpec(agency, team, role, _entry_line(m_entry, m_line)))
    if not (username and first_name and last_name) or raw_memberships is None:
        return None
    return UserSpec(
        username,
        first_name,
        last_name,
        email,
        job_title,
        active,
        tuple(memberships),
        _entry_line(entry, line),
        work_phone,
    )


def _read_phone(reader: _Reader, entry: Mapping[str, Any], key: str, what: str) -> str | None:
    """An optional work telephone number ("" clears it); a number that is not one is a problem."""
    phone = reader.text(entry, key, what, required=False, max_length=20)
    if phone:
        try:
            phone_validator(phone)
        except ValidationError:
            reader.problem(
                _line(entry, key), f"'{key}' '{phone}' of {what} is not a UK telephone number. {PHONE_MESSAGE}"
            )
            return None
    return phone


def _read_role(reader: _Reader, entry: Mapping[str, Any], what: str) -> str | None:
    if entry.get("role") == Role.AGENCY_SYSTEM:
        reader.problem(
            _line(entry, "role"),
            f"'role' in {what} is 'agency_system': agency system accounts come with API tokens, not from this file. "
            f"Use one of: {_allowed(HUMAN_ROLES)}.",
        )
        return None
    return reader.choice(entry, "role", what, [str(r) for r in HUMAN_ROLES])


def _entry_line(entry: Any, fallback: int | None) -> int | None:
    return getattr(entry, "line", None) or fallback


def _check_duplicates(reader: _Reader, spec: PartnershipSpec) -> None:
    """Names and codes that must be unique within the file (agency codes and usernames are
    checked as they are read)."""
    name_lines: dict[str, tuple[str, int | None]] = {}
    front_doors: list[tuple[str, TeamSpec]] = []
    for agency in spec.agencies:
        folded = agency.name.casefold()
        if folded in name_lines:
            reader.problem(
                agency.name_line,
                f"agency name '{agency.name}' is also used by agency {name_lines[folded][0]} "
                f"(line {name_lines[folded][1]}); give each agency its own name.",
            )
        else:
            name_lines[folded] = (agency.code, agency.name_line)
        team_lines: dict[str, int | None] = {}
        for team in agency.teams:
            if team.front_door:
                front_doors.append((agency.code, team))
            if team.code in team_lines:
                reader.problem(
                    team.line,
                    f"team code {team.code} is used twice in agency {agency.code} "
                    f"(first on line {team_lines[team.code]}); each team in an agency needs its own code.",
                )
            team_lines.setdefault(team.code, team.line)

    # The partnership has one front door (its MASH): it hears about children an agency shares
    # information on who have no lead professional.
    if len(front_doors) > 1:
        first_code, first_team = front_doors[0]
        for agency_code, team in front_doors[1:]:
            reader.problem(
                team.front_door_line or team.line,
                f"team {agency_code}/{team.code} is marked 'front_door: true', but so is team "
                f"{first_code}/{first_team.code} (line {first_team.front_door_line or first_team.line}); "
                "the partnership has one front door. Keep 'front_door: true' on one team only.",
            )

    for user in spec.users:
        seen: dict[tuple[str, str], int | None] = {}
        for membership in user.memberships:
            key = (membership.agency, membership.role)
            if key in seen:
                reader.problem(
                    membership.line,
                    f"user {user.username} holds the role {membership.role} in {membership.agency} twice "
                    f"(first on line {seen[key]}); a person holds each role once per agency.",
                )
            seen.setdefault(key, membership.line)
