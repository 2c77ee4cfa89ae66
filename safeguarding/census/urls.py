from django.urls import path

from safeguarding.census import import_views

app_name = "census"

urlpatterns = [
    path("import/", import_views.import_new, name="import-new"),
]
