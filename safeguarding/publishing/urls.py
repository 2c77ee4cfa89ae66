from django.urls import path

from safeguarding.publishing import views

app_name = "publishing"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/<int:review_id>/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/details/", views.edit, name="edit"),
    path("<int:pk>/text/", views.edit_text, name="edit-text"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/generate/", views.generate, name="generate"),
    path("<int:pk>/insert-figures/", views.insert_sentences, name="insert-figures"),
    path("generated/<int:pk>/pdf/", views.download_pdf, name="download-pdf"),
    path("generated/<int:pk>/docx/", views.download_docx, name="download-docx"),
    path("generated/<int:pk>/decision/", views.decision, name="decision"),
]
