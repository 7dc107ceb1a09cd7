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
    path("rules/", views.rules_edit, name="rules"),
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/<slug:step>/", views.case_step, name="case_step"),
    path("case-files/<int:pk>/", views.case_file, name="case_file"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/open/", views.inspection_open, name="inspection_open"),
    path("inspections/<int:year>/", views.inspection_campaign, name="inspection"),
    path("inspections/<int:year>/export/", views.inspection_export, name="inspection_export"),
    path("credit/", views.credit_overview, name="credit"),
    path("credit/new/", views.credit_entry_create, name="credit_entry_create"),
    path("credit/records/new/", views.credit_record_create, name="credit_record_create"),
    path("credit/<int:pk>/", views.credit_entry, name="credit_entry"),
    path("credit/<int:pk>/<slug:step>/", views.credit_entry_step, name="credit_entry_step"),
]
