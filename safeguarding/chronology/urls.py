from django.urls import path

from safeguarding.chronology import error_views, views

app_name = "chronology"

urlpatterns = [
    path("imports/", views.import_list, name="import-list"),
    path("imports/new/", views.import_new, name="import-new"),
    path("imports/template.csv", views.import_template, name="import-template"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/confirm-types/", views.import_confirm_types, name="import-confirm-types"),
    path("imports/<int:pk>/retry/", views.import_retry, name="import-retry"),
    path("children/<int:child_id>/", views.child_chronology, name="child"),
    path("children/<int:child_id>/add/", views.entry_add, name="entry-add"),
    path("children/<int:child_id>/export.pdf", views.export_pdf, name="export-pdf"),
    path("children/<int:child_id>/export.xlsx", views.export_xlsx, name="export-xlsx"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/correct/", views.entry_correct, name="entry-correct"),
    path("entries/<int:pk>/entered-in-error/", error_views.entry_entered_in_error, name="entry-entered-in-error"),
    path("entries/<int:pk>/reinstate/", error_views.entry_reinstate, name="entry-reinstate"),
]
