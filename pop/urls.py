from django.urls import path

from pop import dashboard_views, views

app_name = "pop"

urlpatterns = [
    path("", views.record_list, name="record_list"),
    path("new/", views.record_create, name="record_create"),
    path("dashboard/", dashboard_views.pop_dashboard, name="dashboard"),
    path("<int:pk>/", views.record_detail, name="record_detail"),
    path("<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("<int:pk>/history/", views.record_history, name="record_history"),
    path("<int:pk>/entered-in-error/", views.record_entered_in_error, name="record_entered_in_error"),
]
