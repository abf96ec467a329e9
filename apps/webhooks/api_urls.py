from django.urls import path

from apps.webhooks import api

urlpatterns = [
    path("exchange/webhooks/", api.EndpointList.as_view(), name="webhook-list"),
    path(
        "exchange/webhooks/deliveries/<str:pk>/replay/",
        api.DeliveryReplay.as_view(),
        name="webhook-delivery-replay",
    ),
    path("exchange/webhooks/<str:pk>/", api.EndpointDetail.as_view(), name="webhook-detail"),
    path("exchange/webhooks/<str:pk>/test/", api.EndpointTest.as_view(), name="webhook-test"),
    path("exchange/webhooks/<str:pk>/rotate/", api.EndpointRotate.as_view(), name="webhook-rotate"),
    path(
        "exchange/webhooks/<str:pk>/deliveries/",
        api.EndpointDeliveries.as_view(),
        name="webhook-deliveries",
    ),
]
