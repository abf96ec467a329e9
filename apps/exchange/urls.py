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
