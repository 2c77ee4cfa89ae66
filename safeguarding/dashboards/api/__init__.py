"""The dashboards API: serializers and viewsets (registered on /api/v1/ by `safeguarding.api.urls`)."""
