from django.urls import path

from safeguarding.linking import views

app_name = "linking"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.match_detail, name="match"),
    path("merges/", views.merge_list, name="merges"),
    path("merges/<int:pk>/", views.merge_detail, name="merge"),
    path("merges/<int:pk>/undo/", views.unmerge, name="unmerge"),
]
