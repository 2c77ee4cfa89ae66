"""The default procedure (domain.md §4): six reasons and four stages. Partnerships change them in the admin."""

from django.db import migrations

REASONS = [
    ("threshold", "Threshold decision", "A decision about the level of need or whether to accept a referral.", 1),
    (
        "child-protection",
        "Whether child protection procedures apply",
        "For example, whether to hold a strategy discussion or s47 enquiry.",
        2,
    ),
    (
        "plan-adequacy",
        "Adequacy of a plan",
        "A child in need, child protection or early help plan that does not meet the child's needs.",
        3,
    ),
    ("information-sharing", "Information sharing", "Information not shared, or shared too late.", 4),
    ("drift", "Drift or no progress", "A plan that is drifting, or actions not done.", 5),
    ("other", "Other", "Any other professional difference about a child.", 6),
]

# number, name, raising roles, receiving roles, partnership roles, working days, urgent hours
STAGES = [
    (1, "Practitioner to practitioner", ",practitioner,", ",practitioner,", "", 2, 4),
    (2, "Manager to manager", ",manager,safeguarding_lead,", ",manager,safeguarding_lead,", "", 5, 24),
    (3, "Senior manager to senior manager", ",senior_manager,", ",senior_manager,", "", 5, 24),
    (
        4,
        "Partnership: business manager, then an independently chaired meeting",
        ",senior_manager,",
        ",senior_manager,",
        ",business_unit,",
        10,
        48,
    ),
]


def add_defaults(apps, schema_editor):
    Reason = apps.get_model("escalations", "EscalationReason")
    Stage = apps.get_model("escalations", "EscalationStage")
    for code, name, description, order in REASONS:
        Reason.objects.update_or_create(code=code, defaults={"name": name, "description": description, "order": order})
    for number, name, raising, receiving, partnership, days, hours in STAGES:
        Stage.objects.update_or_create(
            number=number,
            defaults={
                "name": name,
                "raising_roles": raising,
                "receiving_roles": receiving,
                "partnership_roles": partnership,
                "response_working_days": days,
                "urgent_response_hours": hours,
            },
        )


def remove_defaults(apps, schema_editor):
    apps.get_model("escalations", "EscalationReason").objects.filter(
        code__in=[r[0] for r in REASONS], escalations__isnull=True
    ).delete()
    apps.get_model("escalations", "EscalationStage").objects.filter(
        number__in=[s[0] for s in STAGES], escalations__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("escalations", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
