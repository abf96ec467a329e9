from django.urls import path

from apps.exchange import views

app_name = "exchange"
urlpatterns = [
    path("exchange/steward/agreements/", views.steward_agreements, name="steward_agreements"),
    path("exchange/steward/agreements/<str:pk>/", views.steward_agreement, name="steward_agreement"),
    path(
        "exchange/steward/agreements/<str:pk>/status/",
        views.steward_agreement_status,
        name="steward_agreement_status",
    ),
]

# The members' exchange page and the stewards' partner-access log (apps.exchange.member_views).
from apps.exchange import member_views  # noqa: E402

urlpatterns += [
    path("exchange/", member_views.exchange_page, name="member"),
    path("exchange/steward/access/", member_views.steward_access, name="steward_access"),
]
