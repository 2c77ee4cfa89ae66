from django.urls import URLPattern, URLResolver

app_name = "actionplans"

urlpatterns: list[URLPattern | URLResolver] = []
