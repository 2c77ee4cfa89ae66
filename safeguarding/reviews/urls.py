from django.urls import path

from safeguarding.reviews import views, views_decisions, views_findings, views_publication, views_recording

app_name = "reviews"

urlpatterns = [
    path("", views.index, name="index"),
    path("notify/", views.notify, name="notify"),
    path("monitoring/", views.monitoring, name="monitoring"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/panel/", views_recording.panel, name="panel"),
    path("<int:pk>/sign-off/", views_recording.sign_off, name="sign-off"),
    path("<int:pk>/requests/new/", views_recording.new_request, name="new-request"),
    path("<int:pk>/members/new/", views_recording.add_member, name="add-member"),
    path("<int:pk>/terms/", views_recording.terms, name="terms"),
    path("<int:pk>/practitioner-events/new/", views_recording.practitioner_event, name="practitioner-event"),
    path("<int:pk>/family/new/", views_recording.family_contact, name="family-contact"),
    path("<int:pk>/drafts/new/", views_recording.upload_draft, name="upload-draft"),
    path("<int:pk>/sent/", views_recording.sent_dates, name="sent-dates"),
    path("<int:pk>/findings/", views_findings.findings, name="findings"),
    path("<int:pk>/findings/new/", views_findings.add_finding, name="add-finding"),
    path("<int:pk>/recommendations/new/", views_findings.add_recommendation, name="add-recommendation"),
    path(
        "<int:pk>/recommendations/<int:rec_pk>/status/",
        views_findings.recommendation_status,
        name="recommendation-status",
    ),
    path("<int:pk>/chronology/", views_findings.review_chronology, name="chronology"),
    path("<int:pk>/notification-copies/", views_decisions.copies, name="notification-copies"),
    path("<int:pk>/partners-informed/", views_decisions.partners_informed, name="partners-informed"),
    path("<int:pk>/panel-response/", views_decisions.panel_response, name="panel-response"),
    path("<int:pk>/close-national-review/", views_decisions.close_national_review, name="close-national-review"),
    path("<int:pk>/reopen/", views_decisions.reopen, name="reopen"),
    path("<int:pk>/publication/", views_publication.page, name="publication"),
    path("<int:pk>/publication/defer/", views_publication.defer, name="publication-defer"),
    path("<int:pk>/publication/resume/", views_publication.resume, name="publication-resume"),
    path("<int:pk>/publication/learning-only/", views_publication.learning_only, name="publication-learning-only"),
    path("<int:pk>/publication/report/", views_publication.upload, name="publication-upload"),
    path("<int:pk>/publication/reports/<int:report_pk>/", views_publication.download, name="publication-download"),
    path("<int:pk>/publication/identifiers/<int:hit_pk>/", views_publication.intended, name="publication-intended"),
    path("<int:pk>/publication/nspcc/", views_publication.nspcc, name="publication-nspcc"),
    path("<int:pk>/<slug:slug>/", views.transition, name="transition"),
]
