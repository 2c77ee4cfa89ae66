"""What the census holds about a chronology entry of children's social care beyond its type, date and
category (docs/cin-census.md, "Census details"). One row beside the entry it describes; the importer
writes what the file gave, the exporter prefers a stored value to one it derives."""

from __future__ import annotations

from django.db import models

from safeguarding.census.codes import AbuseCategory, PrimaryNeed, validate_census_factors
from safeguarding.chronology.models import Event


class CensusDetail(models.Model):
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="census_detail")
    # On a referral (referral_to_csc): CINdetails/PrimaryNeedCode and ReferralNFA.
    primary_need = models.CharField(max_length=2, choices=PrimaryNeed.choices, blank=True)
    referral_nfa = models.BooleanField(null=True, blank=True)
    # On an assessment (assessment_completed, or assessment_started while open).
    factors = models.JSONField(default=list, blank=True, validators=[validate_census_factors])
    internal_review_date = models.DateField(null=True, blank=True)
    # On a section 47 enquiry (section_47_enquiry).
    icpc_target = models.DateField(null=True, blank=True)
    icpc_not_required = models.BooleanField(null=True, blank=True)
    # On a child protection plan's start (plan_started, category child_protection).
    initial_category = models.CharField(max_length=3, choices=AbuseCategory.choices, blank=True)
    latest_category = models.CharField(max_length=3, choices=AbuseCategory.choices, blank=True)
    previous_plans = models.PositiveSmallIntegerField(null=True, blank=True)
    # On an initial conference: recorded at the CINdetails level of the file, not in a Section47.
    at_episode_level = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Census detail of entry {self.event_id}"
