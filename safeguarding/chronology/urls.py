from django.urls import path

from safeguarding.chronology import views

app_name = "chronology"

urlpatterns = [
    path("imports/", views.import_list, name="import-list"),
    path("imports/new/", views.import_new, name="import-new"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
]
