from django.contrib import admin
from django.urls import include, path

from safeguarding.core import views as core_views

admin.site.site_header = "Safeguarding Hub administration"
admin.site.site_title = "Safeguarding Hub administration"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("safeguarding.accounts.urls")),
    path("", include("safeguarding.core.urls")),
    path("children/", include("safeguarding.children.urls")),
    path("chronology/", include("safeguarding.chronology.urls")),
    path("census/", include("safeguarding.census.urls")),
    path("linking/", include("safeguarding.linking.urls")),
    path("escalations/", include("safeguarding.escalations.urls")),
    path("reviews/", include("safeguarding.reviews.urls")),
    path("plans/", include("safeguarding.plans.urls")),
    path("assessments/", include("safeguarding.assessments.urls")),
    path("alerts/", include("safeguarding.concerns.urls")),
    path("action-plans/", include("safeguarding.actionplans.urls")),
    path("audits/", include("safeguarding.audits.urls")),
    path("learning/", include("safeguarding.learning.urls")),
    path("reports/", include("safeguarding.publishing.urls")),
    path("dashboard/", include("safeguarding.dashboards.urls")),
    path("partnership/", include("safeguarding.agencies.urls")),
    path("api/", include("safeguarding.api.urls")),
    path("django-admin/", admin.site.urls),
]
