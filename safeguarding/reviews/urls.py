from django.urls import path

from safeguarding.reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.index, name="index"),
    path("notify/", views.notify, name="notify"),
    path("monitoring/", views.monitoring, name="monitoring"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/panel/", views.panel, name="panel"),
    path("<int:pk>/sign-off/", views.sign_off, name="sign-off"),
    path("<int:pk>/requests/new/", views.new_request, name="new-request"),
    path("<int:pk>/members/new/", views.add_member, name="add-member"),
    path("<int:pk>/terms/", views.terms, name="terms"),
    path("<int:pk>/practitioner-events/new/", views.practitioner_event, name="practitioner-event"),
    path("<int:pk>/family/new/", views.family_contact, name="family-contact"),
    path("<int:pk>/drafts/new/", views.upload_draft, name="upload-draft"),
    path("<int:pk>/sent/", views.sent_dates, name="sent-dates"),
    path("<int:pk>/findings/", views.findings, name="findings"),
    path("<int:pk>/findings/new/", views.add_finding, name="add-finding"),
    path("<int:pk>/recommendations/new/", views.add_recommendation, name="add-recommendation"),
    path("<int:pk>/recommendations/<int:rec_pk>/status/", views.recommendation_status, name="recommendation-status"),
    path("<int:pk>/chronology/", views.review_chronology, name="chronology"),
    path("<int:pk>/<slug:slug>/", views.transition, name="transition"),
]
