from django.urls import path

from safeguarding.actionplans import views

app_name = "actionplans"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_plan, name="new"),
    path("<int:pk>/", views.plan_detail, name="plan"),
    path("<int:pk>/edit/", views.edit_plan, name="edit-plan"),
    path("<int:pk>/actions/new/", views.add_action, name="add-action"),
    path("<int:pk>/versions/new/", views.freeze, name="freeze"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("actions/<int:pk>/edit/", views.edit_action, name="edit-action"),
    path("actions/<int:pk>/sign-off/", views.sign_off, name="sign-off"),
    path("actions/<int:pk>/recheck/", views.recheck, name="recheck"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("versions/<int:pk>/decision/", views.record_decision, name="decision"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
]
