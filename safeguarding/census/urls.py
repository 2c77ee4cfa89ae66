from django.urls import path

from safeguarding.census import import_views, views

app_name = "census"

urlpatterns = [
    path("export/", views.export, name="export"),
    path("import/", import_views.import_new, name="import-new"),
]
