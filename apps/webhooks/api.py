"""The webhook API of a partner organization: its endpoints, their delivery logs, a test event and the
replay of a delivery. Only the partner's admins (signed in) and its machine clients use it; another
organization's endpoint or delivery is missing (404)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.rest import CursorPagination
from apps.organizations.models import Organization
from apps.webhooks import services
from apps.webhooks.models import SUBSCRIBABLE, Delivery, Endpoint
from apps.webhooks.selectors import (
    access_delivery_by_id,
    access_endpoint_by_id,
    deliveries_of,
    endpoints_for,
    managed_organizations,
)


class EndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=SUBSCRIBABLE))
    rotating_until = serializers.DateTimeField(
        source="previous_until",
        allow_null=True,
        help_text="Until then deliveries are also signed with the previous secret.",
    )

    class Meta:
        model = Endpoint
        fields = ["id", "url", "events", "is_active", "created_at", "rotating_until"]
        read_only_fields = fields


class EndpointCreateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500, help_text="An https URL on a public address.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=SUBSCRIBABLE), min_length=1, max_length=len(SUBSCRIBABLE)
    )


class EndpointCreatedSerializer(EndpointSerializer):
    secret = serializers.CharField(
        help_text="The signing secret (`whsec_...`): answered only now, keep it to verify signatures."
    )

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class SecretSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="The new signing secret, answered only now.")
    rotating_until = serializers.DateTimeField(help_text="Until then the previous secret signs too.")


class DeliverySerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="event_id", help_text="The `webhook-id` the receiver gets.")
    type = serializers.CharField(source="event.type")
    endpoint = serializers.IntegerField(source="endpoint_id")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event",
            "type",
            "endpoint",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields


# Actions that take no body still parse one if it is sent (an empty one, or `{}`): too large is 413,
# another media type 415.
BODY_ERRORS: dict[int | str, Any] = {
    413: OpenApiResponse(description=""),
    415: OpenApiResponse(description=""),
}


def _no_body(request: Request) -> None:
    request.data  # noqa: B018


def _organizations(request: Request) -> list[Organization]:
    found = managed_organizations(request.user)
    if not found:
        raise exceptions.PermissionDenied(
            _("Only a partner organization's admins and machine clients manage its webhooks.")
        )
    return found


class EndpointList(generics.ListAPIView):
    serializer_class = EndpointSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks for the model
            return endpoints_for(None)
        _organizations(self.request)
        return endpoints_for(self.request.user)

    @extend_schema(
        summary="Your organization's webhook endpoints",
        responses={
            200: EndpointSerializer,
            403: OpenApiResponse(description="Not a partner organization's admin or machine client."),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Register a webhook endpoint; the answer holds its signing secret, shown only this once",
        request=EndpointCreateSerializer,
        responses={201: EndpointCreatedSerializer},
    )
    def post(self, request: Request) -> Response:
        organization = _organizations(request)[0]
        data = EndpointCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint, secret = services.register_endpoint(
            actor=request.user,
            organization=organization,
            url=data.validated_data["url"],
            events=data.validated_data["events"],
            request=request,
        )
        answer = EndpointCreatedSerializer(endpoint).data
        answer["secret"] = secret
        return Response(answer, status=status.HTTP_201_CREATED)


class EndpointDetail(APIView):
    @extend_schema(summary="One webhook endpoint", responses={200: EndpointSerializer})
    def get(self, request: Request, pk: str) -> Response:
        endpoint = access_endpoint_by_id(request.user, pk, request=request)
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(
        summary="Remove a webhook endpoint and its delivery log",
        responses={204: OpenApiResponse(description="Removed.")},
    )
    def delete(self, request: Request, pk: str) -> Response:
        endpoint = access_endpoint_by_id(request.user, pk, request=request)
        services.delete_endpoint(actor=request.user, endpoint=endpoint, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointTest(APIView):
    @extend_schema(
        summary="Send a `webhook.test` event to the endpoint",
        request=None,
        responses={202: DeliverySerializer, **BODY_ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        _no_body(request)
        endpoint = access_endpoint_by_id(request.user, pk, request=request)
        delivery = services.send_test(actor=request.user, endpoint=endpoint, request=request)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class EndpointRotate(APIView):
    @extend_schema(
        summary="Make a new signing secret; the previous one signs too for a while",
        request=None,
        responses={200: SecretSerializer, **BODY_ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        _no_body(request)
        endpoint = access_endpoint_by_id(request.user, pk, request=request)
        secret = services.rotate_secret(actor=request.user, endpoint=endpoint, request=request)
        endpoint = access_endpoint_by_id(request.user, pk, request=request)
        return Response({"secret": secret, "rotating_until": endpoint.previous_until})


class EndpointDeliveries(generics.ListAPIView):
    serializer_class = DeliverySerializer

    class Pagination(CursorPagination):
        ordering = "-id"

    pagination_class = Pagination

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks for the model
            return deliveries_of(None)
        endpoint = access_endpoint_by_id(self.request.user, self.kwargs["pk"], request=self.request)
        return deliveries_of(endpoint)

    @extend_schema(summary="The endpoint's delivery log, newest first")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class DeliveryReplay(APIView):
    @extend_schema(
        summary="Send a delivery again (same event, same `webhook-id`) with a fresh round of attempts",
        request=None,
        responses={202: DeliverySerializer, **BODY_ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        _no_body(request)
        delivery = access_delivery_by_id(request.user, pk, request=request)
        replayed = services.replay_delivery(actor=request.user, delivery=delivery, request=request)
        return Response(DeliverySerializer(replayed).data, status=status.HTTP_202_ACCEPTED)
