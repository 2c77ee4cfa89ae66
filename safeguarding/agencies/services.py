"""State changes for agencies, teams, people and their memberships.

`load_partnership` brings the database in line with a partnership file (`docs/partnership-file.md`):
it checks the whole file first, then writes in one transaction, so a bad file changes nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower

from safeguarding.agencies.enums import PartnerStatus
from safeguarding.agencies.models import Agency, Membership, Team, User
from safeguarding.agencies.partnership_file import (
    AgencySpec,
    MembershipSpec,
    PartnershipFileError,
    PartnershipSpec,
    Problem,
    TeamSpec,
    UserSpec,
    check_partnership,
    read_file,
)
from safeguarding.core import kernel
from safeguarding.core.services import MASK, created_diff, diff, record_activity, snapshot

if TYPE_CHECKING:
    from safeguarding.core.types import Person

AGENCY_FIELDS = ("code", "name", "kind", "partner_status", "is_active", "import_columns")
TEAM_FIELDS = ("agency", "code", "name", "is_active", "is_front_door", "phone")
USER_FIELDS = ("username", "first_name", "last_name", "email", "job_title", "work_phone", "is_active")
# Staff names, addresses and numbers are personal data: the activity log says they changed, not to what.
USER_MASKED_FIELDS = ("first_name", "last_name", "email", "work_phone")
MEMBERSHIP_FIELDS = ("user", "agency", "team", "role", "is_active")


# --- The report ----------------------------------------------------------------------------------


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"

    @property
    def changed(self) -> int:
        return self.created + self.updated


@dataclass
class MembershipTally:
    added: int = 0
    changed_team: int = 0
    ended: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.added} added, {self.changed_team} changed, {self.ended} ended, {self.unchanged} unchanged"

    @property
    def changed(self) -> int:
        return self.added + self.changed_team + self.ended


@dataclass
class LoadReport:
    """What loading a partnership file changed (or, in a dry run, would change)."""

    filename: str
    label: str = ""
    dry_run: bool = False
    agencies: Tally = field(default_factory=Tally)
    teams: Tally = field(default_factory=Tally)
    users: Tally = field(default_factory=Tally)
    memberships: MembershipTally = field(default_factory=MembershipTally)
    # One line per change, in the order made, for `-v 2` and for tests.
    changes: list[str] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.agencies.changed or self.teams.changed or self.users.changed or self.memberships.changed)

    def summary(self) -> str:
        counts = (
            f"Agencies: {self.agencies}. Teams: {self.teams}. Users: {self.users}. Memberships: {self.memberships}."
        )
        if not self.has_changes:
            return f"No changes: the database already matches {self.filename}. {counts}"
        return counts


# --- Loading -------------------------------------------------------------------------------------


def load_partnership(
    *,
    actor: Person | None,
    data: Any = None,
    path: str | Path | None = None,
    filename: str | None = None,
    dry_run: bool = False,
) -> LoadReport:
    """Create or update the agencies, teams, users and memberships a partnership file lists.

    Give either `path` (a YAML file) or `data` (the same structure, already parsed). Raises
    PartnershipFileError, having written nothing, when anything in the file is wrong. With
    `dry_run` the changes are made and then rolled back, so the report is exactly what a real run
    would do.
    """
    if (data is None) == (path is None):
        raise TypeError("Give load_partnership either data or path.")
    problems: list[Problem] = []
    if path is not None:
        data, filename, problems = read_file(path)
    filename = filename or "<data>"
    spec = check_partnership(data, filename, problems)
    report = LoadReport(filename=filename, label=spec.label, dry_run=dry_run)
    try:
        apply_partnership(spec, actor=actor, report=report, filename=filename, dry_run=dry_run)
    except IntegrityError as exc:
        # Validation should have caught this; a concurrent edit (or a rename swap) can still reach here.
        raise PartnershipFileError(
            filename, [Problem(None, f"the database refused the change ({exc}). Nothing was changed; try again.")]
        ) from exc
    return report


@kernel.service
def apply_partnership(
    spec: PartnershipSpec, *, actor: Person | None, report: LoadReport, filename: str, dry_run: bool
) -> None:
    """In one transaction, with what may change locked: the checks against the database, then the
    writes (each logged). A dry run rolls them back, so its report is exactly what a real run does."""
    state = _DatabaseState.load(spec)
    problems = spec.problems + _check_against_database(spec, state)
    if problems:
        raise PartnershipFileError(filename, problems)
    _Writer(actor, state, report).write(spec)
    if not report.has_changes:
        kernel.unchanged()
    if dry_run:
        transaction.set_rollback(True)


@dataclass
class _DatabaseState:
    agencies: dict[str, Agency]
    teams: dict[tuple[str, str], Team]
    users: dict[str, User]
    # Existing users whose username differs from the file's only by case, keyed by the file's spelling.
    near_users: dict[str, User]
    memberships: dict[int, list[Membership]]

    @classmethod
    def load(cls, spec: PartnershipSpec) -> _DatabaseState:
        # Lock what may be updated so two loads at once cannot interleave (a no-op on SQLite,
        # whose IMMEDIATE transactions already serialise writers).
        agencies = {a.code: a for a in Agency.objects.select_for_update()}
        teams = {(t.agency.code, t.code): t for t in Team.objects.select_for_update().select_related("agency")}
        folded = {u.username.casefold(): u.username for u in spec.users}
        found = User.objects.select_for_update().annotate(folded=Lower("username")).filter(folded__in=list(folded))
        users: dict[str, User] = {}
        near: dict[str, User] = {}
        for user in found:
            wanted = folded.get(user.username.casefold())
            if wanted is None:
                continue
            if user.username == wanted:
                users[wanted] = user
            else:
                near[wanted] = user
        memberships: dict[int, list[Membership]] = {}
        for membership in (
            Membership.objects.select_for_update().select_related("agency").filter(user__in=list(users.values()))
        ):
            memberships.setdefault(membership.user_id, []).append(membership)
        return cls(agencies=agencies, teams=teams, users=users, near_users=near, memberships=memberships)


def _check_against_database(spec: PartnershipSpec, state: _DatabaseState) -> list[Problem]:
    problems: list[Problem] = []
    file_agencies = {a.code: a for a in spec.agencies}

    # Agency names are unique (ignoring case, a database constraint): a name in the file must not
    # belong to an agency the file leaves alone.
    untouched = {a.name.casefold(): code for code, a in state.agencies.items() if code not in file_agencies}
    for agency in spec.agencies:
        other_code = untouched.get(agency.name.casefold())
        if other_code is not None:
            problems.append(
                Problem(
                    agency.name_line,
                    f"agency name '{agency.name}' is already used by agency {other_code} in the database; "
                    f"give {agency.code} another name, or rename {other_code} in the file too.",
                )
            )

    problems.extend(_check_front_door(spec, state))

    for user in spec.users:
        existing = state.users.get(user.username)
        if existing is not None and existing.is_system:
            problems.append(
                Problem(
                    user.line,
                    f"username {user.username} belongs to an agency system's API account; "
                    "people need their own username. Choose another.",
                )
            )
        near = state.near_users.get(user.username)
        if near is not None:
            problems.append(
                Problem(
                    user.line,
                    f"username {user.username} differs only in capitals from the existing user {near.username}; "
                    f"spell it {near.username} to update that person, or choose a clearly different username.",
                )
            )
        for membership in user.memberships:
            problems.extend(_check_membership(spec, user, membership, state))
    return problems


def _check_membership(
    spec: PartnershipSpec, user: UserSpec, membership: MembershipSpec, state: _DatabaseState
) -> Iterable[Problem]:
    known_codes = spec.mentioned_agencies | set(state.agencies)
    if membership.agency not in known_codes:
        yield Problem(
            membership.line,
            f"membership of user {user.username} names agency {membership.agency}, which is neither in this file "
            f"nor in the database.{_did_you_mean(membership.agency, known_codes)} "
            "Add the agency under 'agencies:' or correct the code.",
        )
        return
    if membership.team is None:
        return
    teams = {code for (agency_code, code) in [*state.teams, *spec.mentioned_teams] if agency_code == membership.agency}
    if membership.team not in teams:
        listed = f" Its teams are: {', '.join(sorted(teams))}." if teams else " It has no teams yet."
        yield Problem(
            membership.line,
            f"membership of user {user.username} names team {membership.team}, which agency {membership.agency} "
            f"does not have.{_did_you_mean(membership.team, teams)}{listed} "
            f"Add the team under agency {membership.agency}'s 'teams:' or correct the code.",
        )


def _check_front_door(spec: PartnershipSpec, state: _DatabaseState) -> Iterable[Problem]:
    """At most one team in the partnership is its front door, counting the teams already in the
    database that the file leaves alone (the file itself is checked in `check_partnership`)."""
    said = {(agency.code, team.code): team for agency in spec.agencies for team in agency.teams}
    kept = sorted(
        key
        for key, team in state.teams.items()
        if team.is_front_door and (key not in said or said[key].front_door is None)
    )
    for key, team_spec in said.items():
        if not team_spec.front_door:
            continue
        others = [k for k in kept if k != key]
        if others:
            agency_code, team_code = others[0]
            yield Problem(
                team_spec.front_door_line or team_spec.line,
                f"team {key[0]}/{key[1]} is marked 'front_door: true', but team {agency_code}/{team_code} is already "
                "the partnership's front door in the database; the partnership has one front door. Add team "
                f"{team_code} under agency {agency_code} with 'front_door: false', or leave this one out.",
            )


def _did_you_mean(value: str, choices: Iterable[str]) -> str:
    hint = difflib.get_close_matches(value, list(choices), n=1)
    return f" Did you mean {hint[0]}?" if hint else ""


class _Writer:
    """Applies a checked spec. Every change is logged; anything already right is left alone."""

    def __init__(self, actor: Person | None, state: _DatabaseState, report: LoadReport) -> None:
        self.actor = actor
        self.state = state
        self.report = report

    def write(self, spec: PartnershipSpec) -> None:
        for agency_spec in spec.agencies:
            agency = self.write_agency(agency_spec)
            for team_spec in agency_spec.teams:
                self.write_team(agency, team_spec)
        for user_spec in spec.users:
            user = self.write_user(user_spec)
            self.write_memberships(user, user_spec)

    def note(self, line: str) -> None:
        self.report.changes.append(line)

    def _update(self, instance: models.Model, fields: tuple[str, ...], values: dict[str, Any]) -> dict[str, Any]:
        """Set the values that differ and save only those; returns the unmasked diff."""
        before = snapshot(instance, fields)
        for name, value in values.items():
            if value is not None:
                setattr(instance, name, value)
        changes = diff(before, snapshot(instance, fields))
        if changes:
            update_fields = list(changes)
            if any(f.name == "updated_at" for f in instance._meta.get_fields()):
                update_fields.append("updated_at")
            instance.save(update_fields=update_fields)
        return changes

    def write_agency(self, spec: AgencySpec) -> Agency:
        agency = self.state.agencies.get(spec.code)
        if agency is None:
            agency = Agency.objects.create(
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                partner_status=spec.partner_status or PartnerStatus.RELEVANT,
                is_active=True if spec.active is None else spec.active,
                import_columns=spec.import_columns or {},
            )
            self.state.agencies[spec.code] = agency
            record_activity(
                actor=self.actor,
                action="agency.created",
                target=agency,
                changes=created_diff(
                    agency, [f for f in AGENCY_FIELDS if f != "import_columns" or agency.import_columns]
                ),
            )
            self.report.agencies.created += 1
            self.note(f"Created agency {agency.code} ({agency.name})")
            return agency
        changes = self._update(
            agency,
            AGENCY_FIELDS,
            {
                "name": spec.name,
                "kind": spec.kind,
                "partner_status": spec.partner_status,
                "is_active": spec.active,
                "import_columns": spec.import_columns,
            },
        )
        if changes:
            record_activity(actor=self.actor, action="agency.updated", target=agency, changes=changes)
            self.report.agencies.updated += 1
            self.note(f"Updated agency {agency.code}: {', '.join(changes)}")
        else:
            self.report.agencies.unchanged += 1
        return agency

    def write_team(self, agency: Agency, spec: TeamSpec) -> Team:
        key = (agency.code, spec.code)
        team = self.state.teams.get(key)
        if team is None:
            team = Team.objects.create(
                agency=agency,
                code=spec.code,
                name=spec.name,
                is_active=True if spec.active is None else spec.active,
                is_front_door=bool(spec.front_door),
                phone=spec.phone or "",
            )
            self.state.teams[key] = team
            record_activity(
                actor=self.actor,
                action="team.created",
                target=team,
                changes=created_diff(
                    team, [f for f in TEAM_FIELDS if f not in ("is_front_door", "phone") or getattr(team, f)]
                ),
            )
            self.report.teams.created += 1
            self.note(f"Created team {agency.code}/{team.code} ({team.name})")
            return team
        changes = self._update(
            team,
            TEAM_FIELDS,
            {"name": spec.name, "is_active": spec.active, "is_front_door": spec.front_door, "phone": spec.phone},
        )
        if changes:
            record_activity(actor=self.actor, action="team.updated", target=team, changes=changes)
            self.report.teams.updated += 1
            self.note(f"Updated team {agency.code}/{team.code}: {', '.join(changes)}")
        else:
            self.report.teams.unchanged += 1
        return team

    def write_user(self, spec: UserSpec) -> User:
        user = self.state.users.get(spec.username)
        if user is None:
            user = User(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=spec.email or "",
                job_title=spec.job_title or "",
                work_phone=spec.work_phone or "",
                is_active=True if spec.active is None else spec.active,
            )
            # No password travels in the file: an administrator sets one, or the person uses the
            # reset flow. Until then the account cannot sign in.
            user.set_unusable_password()
            user.save()
            self.state.users[spec.username] = user
            record_activity(
                actor=self.actor,
                action="user.created",
                target=user,
                changes=created_diff(user, USER_FIELDS, USER_MASKED_FIELDS),
            )
            self.report.users.created += 1
            self.note(f"Created user {user.username}")
            return user
        values = {
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "email": spec.email,
            "job_title": spec.job_title,
            "work_phone": spec.work_phone,
            "is_active": spec.active,
        }
        changes = self._update(user, USER_FIELDS, values)
        if changes:
            masked = {key: [MASK, MASK] if key in USER_MASKED_FIELDS else change for key, change in changes.items()}
            record_activity(actor=self.actor, action="user.updated", target=user, changes=masked)
            self.report.users.updated += 1
            self.note(f"Updated user {user.username}: {', '.join(changes)}")
        else:
            self.report.users.unchanged += 1
        return user

    def write_memberships(self, user: User, spec: UserSpec) -> None:
        existing = {(m.agency_id, m.role): m for m in self.state.memberships.get(user.pk, [])}
        listed: set[tuple[int, str]] = set()
        for m_spec in spec.memberships:
            agency = self.state.agencies[m_spec.agency]
            team = self.state.teams[(m_spec.agency, m_spec.team)] if m_spec.team else None
            listed.add((agency.pk, m_spec.role))
            membership = existing.get((agency.pk, m_spec.role))
            where = f"{user.username}: {m_spec.role} in {agency.code}" + (f" ({m_spec.team})" if m_spec.team else "")
            if membership is None:
                membership = Membership.objects.create(user=user, agency=agency, team=team, role=m_spec.role)
                record_activity(
                    actor=self.actor,
                    action="membership.added",
                    target=membership,
                    changes=created_diff(membership, MEMBERSHIP_FIELDS),
                )
                self.report.memberships.added += 1
                self.note(f"Added membership {where}")
                continue
            was_active = membership.is_active
            changes = self._update(membership, MEMBERSHIP_FIELDS, {"team": team, "is_active": True})
            if team is None and membership.team_id is not None:
                # A membership listed without a team leaves the team it had.
                changes.update(self._clear_team(membership))
            if not changes:
                self.report.memberships.unchanged += 1
            elif not was_active:
                record_activity(actor=self.actor, action="membership.added", target=membership, changes=changes)
                self.report.memberships.added += 1
                self.note(f"Added membership {where} (restarted)")
            else:
                record_activity(actor=self.actor, action="membership.updated", target=membership, changes=changes)
                self.report.memberships.changed_team += 1
                self.note(f"Changed membership {where}")
        for key, membership in existing.items():
            if key in listed or not membership.is_active:
                continue
            changes = self._update(membership, MEMBERSHIP_FIELDS, {"is_active": False})
            record_activity(actor=self.actor, action="membership.ended", target=membership, changes=changes)
            self.report.memberships.ended += 1
            self.note(f"Ended membership {user.username}: {membership.role} in {membership.agency.code}")

    def _clear_team(self, membership: Membership) -> dict[str, Any]:
        before = membership.team_id
        membership.team = None
        membership.save(update_fields=["team"])
        return {"team": [before, None]}
