from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_create, name="create"),
    path("<int:pk>/", views.report_edit, name="edit"),
    path("<int:pk>/preview/", views.report_preview, name="preview"),
    path("<int:pk>/publish/", views.report_publish, name="publish"),
    path("<int:pk>/correct/", views.report_correct, name="correct"),
    path("<int:pk>/export/", views.report_export, name="export"),
    path("cases/", views.case_export, name="case_export"),
    path("exports/", views.export_log, name="exports"),
    path("jobs/<int:pk>/", views.job_page, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
]
