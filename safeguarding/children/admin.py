# Children's records are deliberately not in the Django admin: the admin would bypass the access
# rules and the activity log. They are reached only through the pages and API, which check both.
