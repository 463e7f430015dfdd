from django.urls import path

from units import views

app_name = "units"

urlpatterns = [
    path("live-births/", views.live_births, name="live_births"),
    path("live-births/import/", views.live_births_import, name="live_births_import"),
    path("live-births/live_births.csv", views.live_births_export, name="live_births_export"),
]
