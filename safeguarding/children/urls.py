from django.urls import path

from safeguarding.children import views

app_name = "children"

urlpatterns = [
    path("", views.search, name="search"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/summary/", views.summary, name="summary"),
    path("<int:pk>/activity/", views.activity, name="activity"),
    path("shared-information/", views.sharing_list, name="sharing"),
    path("shared-information/<int:pk>/", views.sharing_detail, name="sharing-detail"),
    path("access-grants/", views.grants, name="grants"),
    path("access-grants/new/", views.grant_new, name="grant-new"),
    path("access-grants/<int:pk>/end/", views.grant_revoke, name="grant-revoke"),
]
