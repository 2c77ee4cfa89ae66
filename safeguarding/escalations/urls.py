from django.urls import path

from safeguarding.escalations import raise_views, views

app_name = "escalations"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("raise/", raise_views.raise_new, name="raise"),
    path("raise/children/", raise_views.raise_children, name="raise-children"),
    path("raise/people/", raise_views.raise_people, name="raise-people"),
    path("raise/child-details/", raise_views.raise_child_details, name="raise-child-details"),
    path("log/", views.log, name="log"),
    path("report/", views.report, name="report"),
    path("report.csv", views.report_csv, name="report-csv"),
    path("report.pdf", views.report_pdf, name="report-pdf"),
    path("learning/", views.learning, name="learning"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:slug>/", views.act, name="act"),
    path("<int:pk>/agreed-actions/<int:action_pk>/done/", views.agreed_action_done, name="agreed-action-done"),
]
