from django.db import models


class LawfulBasis(models.TextChoices):
    """The lawful basis on which an agency shares information about a child (domain.md §9)."""

    PUBLIC_TASK = "public_task", "Public task (UK GDPR 6(1)(e)); safeguarding (DPA 2018 Sch 1 para 18)"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (UK GDPR 6(1)(c))"
    VITAL_INTERESTS = "vital_interests", "Vital interests (UK GDPR 6(1)(d))"
    CONSENT = "consent", "Consent (UK GDPR 6(1)(a))"


class RelationshipKind(models.TextChoices):
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    STEP_PARENT = "step_parent", "Step-parent"
    PARENTS_PARTNER = "parents_partner", "Parent's partner"
    GRANDPARENT = "grandparent", "Grandparent"
    AUNT_UNCLE = "aunt_uncle", "Aunt or uncle"
    KINSHIP_CARER = "kinship_carer", "Kinship carer"
    FOSTER_CARER = "foster_carer", "Foster carer"
    FAMILY_FRIEND = "family_friend", "Family friend"
    OTHER_ADULT = "other_adult", "Other adult"
    SIBLING = "sibling", "Sibling"
    HALF_SIBLING = "half_sibling", "Half-sibling"
    STEP_SIBLING = "step_sibling", "Step-sibling"


CHILD_TO_CHILD_KINDS = frozenset(
    {RelationshipKind.SIBLING, RelationshipKind.HALF_SIBLING, RelationshipKind.STEP_SIBLING}
)


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NOT_KNOWN = "not_known", "Not known"


class SharingStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    INVOLVED = "involved", "Agency now involved"
    DECLINED = "declined", "Agency not involved"


class Ethnicity(models.TextChoices):
    """The Children in Need census's ethnicity codes (the DfE code set; the validator's rule 4220)."""

    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy/Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Caribbean"
    BAFR = "BAFR", "African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class Disability(models.TextChoices):
    """The Children in Need census's disability codes (the validator's rules 8540, 8790, 8794)."""

    NONE = "NONE", "No disability"
    MOB = "MOB", "Mobility"
    HAND = "HAND", "Hand function"
    PC = "PC", "Personal care"
    INC = "INC", "Incontinence"
    COMM = "COMM", "Communication"
    LD = "LD", "Learning"
    HEAR = "HEAR", "Hearing"
    VIS = "VIS", "Vision"
    BEH = "BEH", "Behaviour"
    CON = "CON", "Consciousness"
    AUT = "AUT", "Diagnosed with autism or Asperger syndrome"
    DDA = "DDA", "Other disability (Disability Discrimination Act)"


class UPNUnknown(models.TextChoices):
    """Why a child has no UPN (the census's UPNunknown codes, N00135). The labels are short forms: the
    census specification's table has the full wording."""

    UN1 = "UN1", "UN1: under 6 and not yet attending school"
    UN2 = "UN2", "UN2: never attended a school in England"
    UN3 = "UN3", "UN3: educated at home"
    UN4 = "UN4", "UN4: refugee or asylum seeker"
    UN5 = "UN5", "UN5: sources holding UPNs could not match the child"
    UN6 = "UN6", "UN6: 6 or over and not attending school"
    UN7 = "UN7", "UN7: referral with no further action"
    UN8 = "UN8", "UN8: other reason (see the census specification)"
    UN9 = "UN9", "UN9: other reason (see the census specification)"
    UN10 = "UN10", "UN10: other reason (see the census specification)"


# The census's sex codes (N00783, the validator's rule 4180): the Hub keeps its own stored values and
# maps them on the way in and out (docs/cin-census.md, "Sex").
CENSUS_SEX = {Sex.FEMALE: "F", Sex.MALE: "M", Sex.NOT_KNOWN: "U"}
SEX_FROM_CENSUS = {code: sex for sex, code in CENSUS_SEX.items()}
