"""The rapid review's clock starts on the day the partners became aware (Working Together 2018 ch. 4,
2023 ch. 5), not on the notification's day.

Rapid reviews already stored were counted from the notification: the new field records that for
them, then, unless RAPID_REVIEW_CLOCK_FROM is "notification", their start and due date are counted
again from the day of awareness (a review sent to the panel keeps its sent date, so one that met the
old date but not the statutory one now shows as late, as it was). Agency requests keep the dates they
were sent with. Reversing puts back the notification's count (the notification's sent date, or the
rapid review's own start if it was never sent).
"""

from django.conf import settings
from django.db import migrations, models


def _calendar(apps):
    from safeguarding.core.calendar import WorkingCalendar

    Amendment = apps.get_model("core", "BankHolidayAmendment")
    return WorkingCalendar({a.day: (a.name if a.change == "added" else None) for a in Amendment.objects.all()})


def _recount(apps, clock_from):
    calendar = _calendar(apps)
    RapidReview = apps.get_model("reviews", "RapidReview")
    for rapid in RapidReview.objects.select_related("review__notification"):
        notification = rapid.review.notification
        start = notification.aware_on if clock_from == "awareness" else notification.sent_to_panel_on or rapid.opened_on
        rapid.opened_on, rapid.due_on = start, calendar.add_working_days(start, 15)
        rapid.clock_from = clock_from
        rapid.save(update_fields=["opened_on", "due_on", "clock_from"])


def forwards(apps, schema_editor):
    RapidReview = apps.get_model("reviews", "RapidReview")
    RapidReview.objects.update(clock_from="notification")
    if getattr(settings, "RAPID_REVIEW_CLOCK_FROM", "awareness") == "awareness":
        _recount(apps, "awareness")


def backwards(apps, schema_editor):
    _recount(apps, "notification")


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0002_default_themes"),
        ("core", "0003_bank_holiday_amendments"),
    ]

    operations = [
        migrations.AddField(
            model_name="rapidreview",
            name="clock_from",
            field=models.CharField(
                choices=[("awareness", "The day the partners became aware"), ("notification", "The notification")],
                default="awareness",
                max_length=16,
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
