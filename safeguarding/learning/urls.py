from django.urls import path

from safeguarding.learning import briefing_views, views

app_name = "learning"

urlpatterns = [
    path("", views.events, name="events"),
    path("events/new/", views.create, name="create"),
    path("events/from-review/<int:review_pk>/", views.create_from_review, name="create-from-review"),
    path("events/<int:pk>/", views.detail, name="detail"),
    path("events/<int:pk>/edit/", views.edit, name="edit"),
    path("events/<int:pk>/register/", views.register, name="register"),
    path("events/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("events/<int:pk>/invitations/", views.invitations, name="invitations"),
    path("events/<int:pk>/invitations/<int:invitation_pk>/remove/", views.remove_invitation, name="remove-invitation"),
    path(
        "events/<int:pk>/registrations/<int:registration_pk>/remove/",
        views.remove_registration,
        name="remove-registration",
    ),
    path("events/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("events/<int:pk>/walk-ins/", views.walk_in, name="walk-in"),
    path("events/<int:pk>/walk-ins/<int:attendance_pk>/remove/", views.remove_walk_in, name="remove-walk-in"),
    path("events/<int:pk>/evaluation/", views.evaluate, name="evaluate"),
    path("events/<int:pk>/follow-up/", views.follow_up, name="follow-up"),
    path("reports/", views.report, name="report"),
    path("briefings/", briefing_views.briefing_list, name="briefings"),
    path("briefings/from-review/<int:review_pk>/", briefing_views.briefing_create, name="briefing-create"),
    path("briefings/<int:pk>/", briefing_views.briefing_detail, name="briefing"),
    path("briefings/<int:pk>/edit/", briefing_views.briefing_edit, name="briefing-edit"),
    path("briefings/<int:pk>/publish/", briefing_views.briefing_publish, name="briefing-publish"),
    path("briefings/<int:pk>/briefing.pdf", briefing_views.briefing_pdf, name="briefing-pdf"),
]
