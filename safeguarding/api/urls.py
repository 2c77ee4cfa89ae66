"""The API's URLs: /api/v1/ routes each app's viewsets (each app's `api.viewsets.register` adds its
own), the OpenAPI schema and its docs page, and the administrators' token pages."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from safeguarding.actionplans.api import viewsets as actionplans
from safeguarding.api import bank_holidays, views
from safeguarding.api.docs import ApiDocsView
from safeguarding.assessments.api import viewsets as assessments
from safeguarding.audits.api import viewsets as audits
from safeguarding.census import import_api as census_imports
from safeguarding.census.api import viewsets as census
from safeguarding.children.api import viewsets as children
from safeguarding.chronology.api import viewsets as chronology
from safeguarding.concerns.api import viewsets as concerns
from safeguarding.dashboards.api import viewsets as dashboards
from safeguarding.escalations.api import viewsets as escalations
from safeguarding.learning.api import viewsets as learning
from safeguarding.linking.api import viewsets as linking
from safeguarding.plans.api import viewsets as plans
from safeguarding.reviews.api import viewsets as reviews

app_name = "api"

router = SimpleRouter()
# Each app registers its own viewsets (one module per app, so apps never edit this file's routes).
for app in (
    children,
    escalations,
    reviews,
    chronology,
    census,
    census_imports,
    plans,
    assessments,
    concerns,
    actionplans,
    audits,
    learning,
    linking,
    dashboards,
    bank_holidays,
):
    app.register(router)

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", ApiDocsView.as_view(url_name="api:schema"), name="docs"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/new/", views.token_create, name="token-create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
