from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api import token_views, views

app_name = "api"



class Router(DefaultRouter):
    include_format_suffixes = False  # JSON, or HTML for a browser, chosen by the Accept header


router = Router()
router.register("cases", views.CaseViewSet, basename="case")
router.register("units", views.UnitViewSet, basename="unit")
router.register("kpi-aggregates", views.KpiAggregateViewSet, basename="kpi-aggregate")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("tokens/", token_views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
]
