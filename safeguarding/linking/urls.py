from django.urls import path

app_name = "linking"

urlpatterns: list = []
