from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="pathway:case_list", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="registration/login.html"),
         name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("cases/", include("pathway.urls")),
    path("kpis/", include("kpis.urls")),
    path("reports/", include("reporting.urls")),
    path("training/", include("training.urls")),
    path("families/", include("families.urls")),
    path("api/", include("api.urls")),
    path("pop/", include("pop.urls")),
    path("admin/", admin.site.urls),
]
