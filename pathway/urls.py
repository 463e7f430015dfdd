from django.urls import path

from pathway.views import board, cases, clinical, import_guide, imports, referrals, worklist

app_name = "pathway"

urlpatterns = [
    path("", cases.case_list, name="case_list"),
    path("new/", cases.case_create, name="case_create"),
    path("worklist/", worklist.worklist, name="worklist"),
    path("worklist/acknowledge/<int:pk>/", worklist.acknowledge, name="worklist_acknowledge"),
    path("live/", board.live_board, name="live_board"),
    path("referrals/", referrals.referral_list, name="referral_list"),
    path("<int:pk>/", cases.case_detail, name="case_detail"),
    path("<int:pk>/section/<slug:section>/", cases.case_section, name="case_section"),
    path("<int:pk>/temperatures/", clinical.temperature_add, name="temperature_add"),
    path("<int:pk>/temperatures/<int:obs_pk>/remove/", clinical.temperature_remove, name="temperature_remove"),
    path("<int:pk>/timeline/", clinical.case_timeline, name="case_timeline"),
    path("<int:pk>/history/", cases.case_history, name="case_history"),
    path("<int:pk>/use-readings/<slug:field>/", cases.case_use_readings, name="case_use_readings"),
    path("<int:pk>/entered-in-error/", cases.case_entered_in_error, name="case_entered_in_error"),
    path("import/", imports.import_upload, name="import_upload"),
    path("import/template.csv", import_guide.import_template, name="import_template"),
    path("import/columns/", import_guide.column_guide_page, name="import_columns"),
    path("export/", imports.export_download, name="export_download"),
]
