from django.urls import path

from apps.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("api/guide/", views.api_guide, name="api_guide"),
]
