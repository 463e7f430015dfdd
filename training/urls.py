from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path("", views.coverage, name="coverage"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/delete/", views.session_delete, name="session_delete"),
    path("units/<str:ods>/", views.unit_page, name="unit"),
    path("units/<str:ods>/establishment/", views.establishment_edit, name="establishment_edit"),
    path("key-messages/", views.key_messages, name="key_messages"),
    path("key-messages/<int:pk>/", views.key_message_edit, name="key_message_edit"),
]
