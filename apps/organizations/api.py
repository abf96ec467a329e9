"""GET /api/v1/organizations/ and /api/v1/organizations/{id}/, scoped to what the caller may see."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request

from alliance.i18n import pick
from apps.organizations.models import Organization
from apps.organizations.permissions import access_organization_by_id, role_of
from apps.organizations.selectors import organizations_for


class OrganizationSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="Short name in the request's language.")
    sectors = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField(help_text="The caller's role in this organization, if any.")

    class Meta:
        model = Organization
        fields = [
            "id",
            "slug",
            "kind",
            "name",
            "legal_name",
            "short_names",
            "country",
            "region",
            "sectors",
            "size_class",
            "status",
            "role",
        ]
        read_only_fields = fields

    def get_sectors(self, organization: Organization) -> list[dict[str, str]]:
        return [{"code": s.code, "name": pick(s.names, s.code)} for s in organization.sectors.all()]

    def get_role(self, organization: Organization) -> str | None:
        if hasattr(organization, "actor_role"):
            return organization.actor_role
        return role_of(self.context["request"].user, organization)


class OrganizationList(generics.ListAPIView):
    serializer_class = OrganizationSerializer
    filterset_fields = ["status", "kind", "country", "size_class"]

    def get_queryset(self) -> Any:
        return organizations_for(self.request.user).order_by("id")

    @extend_schema(summary="Organizations the caller may see")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class OrganizationDetail(generics.RetrieveAPIView):
    serializer_class = OrganizationSerializer

    def get_object(self) -> Organization:
        return access_organization_by_id(self.request.user, self.kwargs["pk"], request=self.request)

    @extend_schema(
        summary="One organization",
        responses={200: OrganizationSerializer, 404: OpenApiResponse(description="Missing or not visible")},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)
