from django.urls import path

from safeguarding.concerns import views

app_name = "concerns"

urlpatterns = [
    path("", views.alert_list, name="list"),
    path("rules/", views.rules_list, name="rules"),
    path("rules/new/", views.rule_edit, name="rule-new"),
    path("rules/<int:pk>/", views.rule_detail, name="rule"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule-edit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
