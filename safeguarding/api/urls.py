from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from safeguarding.api import (
    actionplans_viewsets,
    assessments_viewsets,
    audits_viewsets,
    concerns_viewsets,
    dashboards_viewsets,
    learning_viewsets,
    linking_viewsets,
    plans_viewsets,
    publishing_viewsets,
    views,
)
from safeguarding.api.chronology_viewsets import ChildChronologyViewSet, EventViewSet
from safeguarding.api.docs import ApiDocsView
from safeguarding.api.escalations_viewsets import EscalationViewSet
from safeguarding.api.reviews_viewsets import ReviewRequestViewSet, ReviewViewSet
from safeguarding.api.viewsets import ChildViewSet

app_name = "api"

router = SimpleRouter()
router.register("children", ChildViewSet, basename="child")
router.register("escalations", EscalationViewSet, basename="escalation")
router.register("reviews", ReviewViewSet, basename="review")
router.register("review-requests", ReviewRequestViewSet, basename="review-request")
router.register(r"children/(?P<id>[^/]+)/chronology", ChildChronologyViewSet, basename="child-chronology")
router.register("events", EventViewSet, basename="event")
# Each later app adds its own viewsets (one module per app, so apps never edit this file).
for module in (
    plans_viewsets,
    assessments_viewsets,
    concerns_viewsets,
    actionplans_viewsets,
    audits_viewsets,
    learning_viewsets,
    linking_viewsets,
    publishing_viewsets,
    dashboards_viewsets,
):
    module.register(router)

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", ApiDocsView.as_view(url_name="api:schema"), name="docs"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/new/", views.token_create, name="token-create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
