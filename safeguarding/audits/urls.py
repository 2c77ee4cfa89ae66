from django.urls import URLPattern, URLResolver, path

from safeguarding.audits import views

app_name = "audits"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("programmes/new/", views.programme_new, name="programme-new"),
    path("new/", views.audit_new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.audit_edit, name="edit"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/auditors/new/", views.auditor_add, name="auditor-add"),
    path("<int:pk>/auditors/<int:auditor_pk>/remove/", views.auditor_remove, name="auditor-remove"),
    path("<int:pk>/sample/", views.sample, name="sample"),
    path("<int:pk>/sample/choose/", views.choose_case, name="choose-case"),
    path("<int:pk>/cases/<int:case_pk>/", views.case_detail, name="case"),
    path("<int:pk>/cases/<int:case_pk>/remove/", views.remove_case, name="remove-case"),
    path("<int:pk>/cases/<int:case_pk>/agencies/<int:agency_pk>/", views.respond, name="respond"),
    path("<int:pk>/moderation/", views.moderation, name="moderation"),
    path("<int:pk>/cases/<int:case_pk>/moderate/<slug:area>/", views.moderate, name="moderate"),
    path("<int:pk>/findings/new/", views.finding_new, name="finding-new"),
    path("<int:pk>/findings/<int:finding_pk>/action/", views.finding_action, name="finding-action"),
    path("<int:pk>/summary/", views.summary, name="summary"),
    path("<int:pk>/summary.pdf", views.summary_pdf, name="summary-pdf"),
]
