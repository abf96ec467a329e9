from django.urls import path

from apps.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("exchange/webhooks/", views.endpoints, name="endpoints"),
    path("exchange/webhooks/deliveries/<str:pk>/replay/", views.delivery_replay, name="delivery_replay"),
    path("exchange/webhooks/<str:pk>/", views.endpoint, name="endpoint"),
    path("exchange/webhooks/<str:pk>/test/", views.endpoint_test, name="endpoint_test"),
    path("exchange/webhooks/<str:pk>/rotate/", views.endpoint_rotate, name="endpoint_rotate"),
    path("exchange/webhooks/<str:pk>/delete/", views.endpoint_delete, name="endpoint_delete"),
]
