import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
application = get_wsgi_application()

# Load what every first request would otherwise load (URL resolver, calendar, WeasyPrint's fonts).
from safeguarding.core.warmup import warm_up  # noqa: E402 - needs the application's settings

warm_up()
