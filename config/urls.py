from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.views import SignInView, SignOutView, landing
from core.health import health

urlpatterns = [
    path("", landing, name="landing"),  # the case list, or the KPI dashboard for the regional lead
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("cases/", include("pathway.urls")),
    path("kpis/", include("kpis.urls")),
    path("reports/", include("reporting.urls")),
    path("training/", include("training.urls")),
    path("families/", include("families.urls")),
    path("api/", include("api.urls")),
    path("pop/", include("pop.urls")),
    path("improvement/", include("improvement.urls")),
    path("units/", include("units.urls")),
    # One sign-in page for everyone (recorded in the sign-in log, locked out after failures, then two-factor):
    # the admin's own login form would be a second door the sign-in log does not see.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True), name="admin_login"),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),  # no sign-in: ok/fail per check only (core.health)
]
