"""The hub's URLs: pages, the admin, the v1 API with its schema and docs, /healthz."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from alliance import views
from alliance.health import healthz

api_v1 = [
    path("", include("apps.accounts.api_urls")),
    path("", include("apps.organizations.api_urls")),
    path("", include("apps.standards.api_urls")),
    path("", include("apps.submissions.api_urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("accounts/", include("apps.accounts.urls")),
    path("", include("apps.organizations.urls")),
    path("", include("apps.standards.urls")),
    path("", include("apps.submissions.urls")),
    path("", include("apps.portal.urls")),
]

handler404 = "alliance.views.not_found"
handler500 = "alliance.views.server_error"
