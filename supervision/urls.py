from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("rectifications/", views.rectification_list, name="rectification_list"),
    path("rectifications/new/", views.rectification_create, name="rectification_create"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification"),
    path(
        "rectifications/<int:pk>/<slug:step>/",
        views.rectification_step,
        name="rectification_step",
    ),
    path("rectification-files/<int:pk>/", views.rectification_file, name="rectification_file"),
]
