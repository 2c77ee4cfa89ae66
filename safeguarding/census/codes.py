"""The Children in Need census's code sets (DfE CIN census specification; the lists the validator
`cin_validator` checks: rules 8866, 8650, 8640, 8905/8910, 8869, 8945Q/8950Q). The child's own
codes (ethnicity, disability, UPN unknown, sex) are in `children.enums`."""

from django.core.exceptions import ValidationError
from django.db import models


class ReferralSource(models.TextChoices):
    INDIVIDUAL = "1A", "Individual"
    FAMILY = "1B", "Individual: family member, relative or carer"
    ACQUAINTANCE = "1C", "Individual: acquaintance (including neighbours and child minders)"
    SELF = "1D", "Individual: self"
    SCHOOLS = "2A", "Schools"
    EDUCATION = "2B", "Education services"
    GP = "3A", "Health services: GP"
    HEALTH_VISITOR = "3B", "Health services: health visitor"
    SCHOOL_NURSE = "3C", "Health services: school nurse"
    PRIMARY_HEALTH = "3D", "Health services: other primary health services"
    EMERGENCY = "3E", "Health services: A&E (emergency department)"
    OTHER_HEALTH = "3F", "Health services: other"
    HOUSING = "4", "Housing"
    LA_SOCIAL_CARE = "5A", "Local authority services: social care"
    LA_OTHER_INTERNAL = "5B", "Local authority services: other internal"
    LA_EXTERNAL = "5C", "Local authority services: external (for example another local authority)"
    EARLY_HELP = "5D", "Early help"
    POLICE = "6", "Police"
    LEGAL = "7", "Other legal agency"
    OTHER = "8", "Other"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"


class PrimaryNeed(models.TextChoices):
    N0 = "N0", "Not stated"
    N1 = "N1", "Abuse or neglect"
    N2 = "N2", "Child's disability or illness"
    N3 = "N3", "Parental disability or illness"
    N4 = "N4", "Family in acute stress"
    N5 = "N5", "Family dysfunction"
    N6 = "N6", "Socially unacceptable behaviour"
    N7 = "N7", "Low income"
    N8 = "N8", "Absent parenting"
    N9 = "N9", "Cases other than children in need"


class ClosureReason(models.TextChoices):
    RC1 = "RC1", "Adopted"
    RC2 = "RC2", "Died"
    RC3 = "RC3", "Child arrangements order"
    RC4 = "RC4", "Special guardianship order"
    RC5 = "RC5", "Transferred to services of another local authority"
    RC6 = "RC6", "Transferred to adult social care"
    RC7 = "RC7", "Services ceased for any other reason, including the child no longer in need"
    RC8 = "RC8", "Case closed after assessment, no further action"
    RC9 = "RC9", "Case closed after assessment, referred to early help"


class AbuseCategory(models.TextChoices):
    NEG = "NEG", "Neglect"
    PHY = "PHY", "Physical abuse"
    SAB = "SAB", "Sexual abuse"
    EMO = "EMO", "Emotional abuse"
    MUL = "MUL", "Multiple (no longer used for new plans)"


class AssessmentFactor(models.TextChoices):
    """Factors identified at the end of assessment; A: about the child, B: a parent or carer, C:
    another person in the household."""

    ALCOHOL_CHILD = "1A", "Alcohol misuse: the child"
    ALCOHOL_PARENT = "1B", "Alcohol misuse: a parent or carer"
    ALCOHOL_OTHER = "1C", "Alcohol misuse: another person"
    DRUGS_CHILD = "2A", "Drug misuse: the child"
    DRUGS_PARENT = "2B", "Drug misuse: a parent or carer"
    DRUGS_OTHER = "2C", "Drug misuse: another person"
    DOMESTIC_ABUSE_CHILD = "3A", "Domestic abuse: the child"
    DOMESTIC_ABUSE_PARENT = "3B", "Domestic abuse: a parent or carer"
    DOMESTIC_ABUSE_OTHER = "3C", "Domestic abuse: another person"
    MENTAL_HEALTH_CHILD = "4A", "Mental health: the child"
    MENTAL_HEALTH_PARENT = "4B", "Mental health: a parent or carer"
    MENTAL_HEALTH_OTHER = "4C", "Mental health: another person"
    LEARNING_DISABILITY_CHILD = "5A", "Learning disability: the child"
    LEARNING_DISABILITY_PARENT = "5B", "Learning disability: a parent or carer"
    LEARNING_DISABILITY_OTHER = "5C", "Learning disability: another person"
    ILLNESS_CHILD = "6A", "Physical disability or illness: the child"
    ILLNESS_PARENT = "6B", "Physical disability or illness: a parent or carer"
    ILLNESS_OTHER = "6C", "Physical disability or illness: another person"
    YOUNG_CARER = "7A", "Young carer"
    PRIVATE_FOSTERING_OVERSEAS = "8B", "Privately fostered: overseas child"
    PRIVATE_FOSTERING_UK_EDUCATION = "8C", "Privately fostered: UK child in education or training"
    PRIVATE_FOSTERING_FAMILY = "8D", "Privately fostered: UK child, family difficulties"
    PRIVATE_FOSTERING_CHOICE = "8E", "Privately fostered: UK child, the child's or parent's choice"
    PRIVATE_FOSTERING_OTHER = "8F", "Privately fostered: other"
    UNACCOMPANIED = "9A", "Unaccompanied asylum-seeking child"
    MISSING = "10A", "Going or being missing"
    SEXUAL_EXPLOITATION = "11A", "Child sexual exploitation"
    TRAFFICKING = "12A", "Trafficking"
    GANGS = "13A", "Gangs"
    BEHAVIOUR = "14A", "Socially unacceptable behaviour"
    SELF_HARM = "15A", "Self-harm"
    NEGLECT = "16A", "Abuse or neglect: neglect"
    EMOTIONAL_ABUSE = "17A", "Abuse or neglect: emotional abuse"
    SEXUAL_ABUSE = "18A", "Abuse or neglect: sexual abuse (use 18B or 18C)"
    SEXUAL_ABUSE_ADULT = "18B", "Abuse or neglect: sexual abuse by an adult"
    SEXUAL_ABUSE_CHILD = "18C", "Abuse or neglect: sexual abuse by a child or young person"
    PHYSICAL_ABUSE = "19A", "Abuse or neglect: physical abuse (use 19B or 19C)"
    PHYSICAL_ABUSE_ADULT = "19B", "Abuse or neglect: physical abuse by an adult"
    PHYSICAL_ABUSE_CHILD = "19C", "Abuse or neglect: physical abuse by a child or young person"
    OTHER = "20", "Other"
    NONE = "21", "No factors identified"
    FGM = "22A", "Female genital mutilation"
    FAITH = "23A", "Abuse linked to faith or belief"
    CRIMINAL_EXPLOITATION = "24A", "Child criminal exploitation"


# The chronology's event types the census reads and writes (census/data/census_event_types.json adds
# the new ones and the categories; docs/cin-census.md has the whole mapping).
REFERRAL = "referral_to_csc"
REFERRAL_OUTCOME = "referral_outcome"
ASSESSMENT_STARTED = "assessment_started"
ASSESSMENT_COMPLETED = "assessment_completed"
STRATEGY_DISCUSSION = "strategy_discussion"
SECTION_47 = "section_47_enquiry"
CONFERENCE = "child_protection_conference"
PLAN_STARTED = "plan_started"
PLAN_ENDED = "plan_ended"
CIN_CLOSED = "cin_closed"
# Categories of those types.
NFA = "nfa"
INITIAL = "initial"
REVIEW = "review"
CHILD_IN_NEED = "child_in_need"
CHILD_PROTECTION = "child_protection"


def validate_census_factors(value: object) -> None:
    """Assessment factors: a list of the census's codes, each once; "21" (no factors) alone (rules 8869, 8898)."""
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError("Assessment factors must be a list of codes.", code="factor_list")
    unknown = [code for code in value if code not in AssessmentFactor.values]
    if unknown:
        raise ValidationError(f"Unknown assessment factor {unknown[0]!r}.", code="factor_code")
    if len(set(value)) != len(value):
        raise ValidationError("Give each assessment factor once.", code="factor_repeated")
    if AssessmentFactor.NONE in value and len(value) > 1:
        raise ValidationError('"21" (no factors identified) cannot go with other factors.', code="factor_none")
