from django.contrib import admin

from safeguarding.learning.models import ReasonTheme

# Events, registrations and briefings change through the pages and the API (their services log each
# change); only the configuration is edited here.
admin.site.register(ReasonTheme)
