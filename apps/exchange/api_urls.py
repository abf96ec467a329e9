from django.urls import path

from apps.exchange import api

urlpatterns = [
    path("exchange/allowed/", api.AllowedView.as_view(), name="exchange-allowed"),
]
