from django.urls import path

from safeguarding.plans import views, views_monitoring

app_name = "plans"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("child/<int:child_pk>/", views.for_child, name="for-child"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/objectives/add/", views.objective_add, name="objective-add"),
    path("<int:pk>/objectives/<uuid:uid>/edit/", views.objective_edit, name="objective-edit"),
    path("<int:pk>/objectives/<uuid:uid>/remove/", views.objective_remove, name="objective-remove"),
    path("<int:pk>/objectives/<uuid:uid>/", views_monitoring.objective_updates, name="updates"),
    path("<int:pk>/objectives/<uuid:uid>/cite/", views_monitoring.cite, name="cite"),
    path("<int:pk>/people/", views.participants, name="participants"),
    path("<int:pk>/people/<int:participant_pk>/remove/", views.participant_remove, name="participant-remove"),
    path("<int:pk>/agree/", views.agree, name="agree"),
    path("<int:pk>/amend/", views.amend, name="amend"),
    path("<int:pk>/compare/", views.compare, name="compare"),
    path("<int:pk>/reviews/new/", views_monitoring.review_new, name="review-new"),
    path("<int:pk>/scaling/", views_monitoring.scaling_chart, name="scaling"),
    path("<int:pk>/family.pdf", views_monitoring.family_pdf, name="family-pdf"),
    path("<int:pk>/end/", views_monitoring.end, name="end"),
]
