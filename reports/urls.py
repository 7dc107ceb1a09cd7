from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.my_filings, name="mine"),
    path("new/", views.filing_create, name="create"),
    path("queue/", views.review_queue, name="queue"),
    path("matters/", views.matter_list, name="matters"),
    path("matters/<int:pk>/edit/", views.matter_edit, name="matter_edit"),
    path("<int:pk>/", views.filing_detail, name="detail"),
    path("<int:pk>/edit/", views.filing_edit, name="edit"),
    path("<int:pk>/transition/", views.filing_transition, name="transition"),
    path("<int:pk>/comment/", views.filing_comment, name="comment"),
    path("<int:pk>/opinion/", views.filing_opinion, name="opinion"),
    path("<int:pk>/attach/", views.filing_attach, name="attach"),
    path("<int:pk>/summary/", views.filing_summary, name="summary"),
    path("<int:pk>/restriction/", views.filing_restriction, name="restriction"),
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
    path("files/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
]
