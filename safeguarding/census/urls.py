from django.urls import path

from safeguarding.census import views

app_name = "census"

urlpatterns = [
    path("export/", views.export, name="export"),
]
