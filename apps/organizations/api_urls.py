from django.urls import path

from apps.organizations.api import MeView, OrganizationDetail, OrganizationList

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("organizations/", OrganizationList.as_view(), name="organization-list"),
    path("organizations/<int:pk>/", OrganizationDetail.as_view(), name="organization-detail"),
]
