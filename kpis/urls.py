from django.urls import path

from kpis import views

app_name = "kpis"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("definitions/", views.definitions, name="definitions"),
    path("compare/", views.compare_units, name="compare"),
    path("unit/<str:ods>/", views.unit_page, name="unit"),
    path("centre/<str:ods>/", views.centre_page, name="centre"),
    path("transport/<str:ods>/", views.transport_page, name="transport"),
    path("kpi/<slug:code>/funnel/", views.funnel, name="funnel"),
    path("kpi/<slug:code>/run/", views.run, name="run"),
    path("kpi/<slug:code>/breaches/", views.breaches, name="breaches"),
    path("kpi/<slug:code>/cases/", views.contributing_cases, name="cases"),
    path("recompute/", views.recompute, name="recompute"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
]
