from django.urls import path

from apps.exchange import views
from apps.exchange.oauth import TokenView

app_name = "exchange"
urlpatterns = [
    path("oauth/token/", TokenView.as_view(), name="oauth_token"),
    path("exchange/steward/agreements/", views.steward_agreements, name="steward_agreements"),
    path("exchange/steward/agreements/<str:pk>/", views.steward_agreement, name="steward_agreement"),
    path(
        "exchange/steward/agreements/<str:pk>/status/",
        views.steward_agreement_status,
        name="steward_agreement_status",
    ),
    path("organizations/<slug:slug>/clients/", views.machine_clients, name="machine_clients"),
    path(
        "organizations/<slug:slug>/clients/<str:client_id>/revoke/",
        views.revoke_machine_client,
        name="revoke_machine_client",
    ),
]

# The members' exchange page and the stewards' partner-access log (apps.exchange.member_views).
from apps.exchange import member_views  # noqa: E402

urlpatterns += [
    path("exchange/", member_views.exchange_page, name="member"),
    path("exchange/steward/access/", member_views.steward_access, name="steward_access"),
]
