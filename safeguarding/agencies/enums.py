from django.db import models


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    EARLY_HELP = "early_help", "Early help"
    SCHOOL = "school", "School or college"
    EARLY_YEARS = "early_years", "Early years setting"
    GP = "gp", "GP practice"
    HOUSING = "housing", "Housing"
    PROBATION = "probation", "Probation"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    MENTAL_HEALTH = "mental_health", "Mental health service"
    VOLUNTARY = "voluntary", "Voluntary sector"
    BUSINESS_UNIT = "business_unit", "Partnership business unit"
    OTHER = "other", "Other"


class PartnerStatus(models.TextChoices):
    STATUTORY = "statutory", "Statutory safeguarding partner"
    RELEVANT = "relevant", "Relevant agency"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    MANAGER = "manager", "Manager"
    SENIOR_MANAGER = "senior_manager", "Senior manager"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Designated safeguarding lead"
    BUSINESS_UNIT = "business_unit", "Partnership business unit"
    REVIEWER = "reviewer", "Independent reviewer"
    SCRUTINEER = "scrutineer", "Scrutineer"
    ADMINISTRATOR = "administrator", "Administrator"
    # Decides possible matches between child records (merge or keep apart) and undoes merges.
    DATA_STEWARD = "data_steward", "Data steward"
    AGENCY_SYSTEM = "agency_system", "Agency system (API)"


# Roles whose members see the children their agency is involved with.
CASE_ROLES = frozenset(
    {Role.PRACTITIONER, Role.MANAGER, Role.SENIOR_MANAGER, Role.SAFEGUARDING_LEAD, Role.AGENCY_SYSTEM}
)
# Roles that may grant time-limited access to a child's record to people in their own agency.
GRANTING_ROLES = frozenset({Role.MANAGER, Role.SENIOR_MANAGER, Role.SAFEGUARDING_LEAD})
# Roles a person may hold (agency systems are created with API tokens, not by people).
HUMAN_ROLES = [r for r in Role if r != Role.AGENCY_SYSTEM]
