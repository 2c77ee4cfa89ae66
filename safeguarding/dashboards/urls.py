from django.urls import URLPattern, URLResolver, path

from safeguarding.dashboards import views

app_name = "dashboards"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("pack.<str:fmt>", views.pack, name="pack"),
]
