from django.urls import path

from improvement import views

app_name = "improvement"

urlpatterns = [
    path("", views.action_list, name="list"),
    path("new/", views.action_create, name="create"),
    path("impact/", views.impact, name="impact"),
    path("units/<str:ods>/", views.unit_actions, name="unit"),
    path("<int:pk>/", views.action_detail, name="detail"),
    path("<int:pk>/edit/", views.action_edit, name="edit"),
    path("<int:pk>/pdsa/", views.cycle_add, name="cycle_add"),
]
