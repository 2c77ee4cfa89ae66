import gc
import os
from typing import Any

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
application = get_wsgi_application()

# Load what every first request would otherwise load (URL resolver, calendar, WeasyPrint's fonts).
from safeguarding.core.warmup import warm_up  # noqa: E402 - needs the application's settings

warm_up()

# Python's cyclic garbage collector walks every object that is still tracked at each full collection:
# the modules, settings, URL patterns and compiled templates of the process included, which live as long
# as it does. A page that builds thousands of objects (a child's chronology) sets a full collection off,
# and walking those cost about half the chronology API's CPU time. Frozen, they are never walked again:
# once the application is loaded, and once more after the first request (which fills the URL resolver and
# the template cache).
gc.freeze()


def _freeze_after_first_request(**kwargs: Any) -> None:
    request_finished.disconnect(_freeze_after_first_request)
    gc.freeze()


request_finished.connect(_freeze_after_first_request)
