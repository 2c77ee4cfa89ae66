from django.urls import URLPattern, URLResolver, path

from safeguarding.assessments import views

app_name = "assessments"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("training/", views.training, name="training"),
    path("training/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:pk>/", views.template_detail, name="template"),
    path("child/<int:child_id>/compare/", views.compare, name="compare"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/cite/", views.cite, name="cite"),
]
