"""The hub's URLs: pages, the admin, the v1 API with its schema and docs, /healthz."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from alliance.health import healthz

api_v1 = [
    path("", include("apps.organizations.api_urls")),
    path("", include("apps.standards.api_urls")),
    path("", include("apps.submissions.api_urls")),
    path("", include("apps.benchmarks.api_urls")),
    path("", include("apps.exchange.api_urls")),
    path("", include("apps.webhooks.api_urls")),
]

# The API docs under the hub's Content-Security-Policy (settings.py): Swagger UI's script is served as a
# file of its own and draws its icons from data: URLs; Redoc injects its styles and starts a worker.
api_docs = csp_update({"img-src": ["data:"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="alliance/swagger_ui.html")
)
api_redoc = csp_update({"style-src": [UNSAFE_INLINE], "img-src": ["data:"], "worker-src": ["blob:"]})(
    SpectacularRedocView.as_view(url_name="api-schema", template_name="alliance/redoc.html")
)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("apps.accounts.language_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("api/redoc/", api_redoc, name="api-redoc"),
    path("accounts/", include("apps.accounts.urls")),
    path("", include("apps.organizations.urls")),
    path("", include("apps.standards.urls")),
    path("", include("apps.submissions.urls")),
    path("", include("apps.benchmarks.urls")),
    path("", include("apps.exchange.urls")),
    path("", include("apps.webhooks.urls")),
    path("", include("apps.portal.urls")),
]

handler404 = "alliance.views.not_found"
handler500 = "alliance.views.server_error"
