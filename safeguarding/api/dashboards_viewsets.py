"""API for dashboards: `register` adds this app's viewsets to the /api/v1/ router."""

from rest_framework.routers import SimpleRouter


def register(router: SimpleRouter) -> None:
    return None
