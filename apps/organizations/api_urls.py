from django.urls import path

from apps.organizations.api import OrganizationDetail, OrganizationList

urlpatterns = [
    path("organizations/", OrganizationList.as_view(), name="organization-list"),
    path("organizations/<int:pk>/", OrganizationDetail.as_view(), name="organization-detail"),
]
