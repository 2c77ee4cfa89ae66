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
