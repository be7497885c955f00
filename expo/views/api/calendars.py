"""Calendar files: the signed-in person's meetings as `.ics`, the same file at a private
subscription address (no sign-in: the token is the credential), and that address's management.
"""

import json

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from expo.selectors.calendars import calendar_feed_for_user, calendar_feed_owner, calendar_meetings
from expo.services.calendars import calendar_feed_regenerate, calendar_feed_revoke, calendar_render
from expo.views.common import EXPO_PARAMETER, expo_from_request


class CalendarRenderer(BaseRenderer):
    """Lets clients that ask for `text/calendar` only (phone calendars) be answered; an error is
    still its JSON body."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()


ICS_RESPONSE = {
    (200, "text/calendar"): OpenApiResponse(OpenApiTypes.BINARY, description="An RFC 5545 calendar.")
}


def calendar_response(request, *, user) -> HttpResponse:
    expo = expo_from_request(request)
    body = calendar_render(expo=expo, meetings=calendar_meetings(user=user, expo=expo), user=user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meetings-{expo.slug}.ics"'
    response["Cache-Control"] = "private, no-cache"
    return response


class MeetingCalendarApi(APIView):
    """The signed-in person's meetings at the expo as an RFC 5545 calendar (a buyer their own,
    staff their company's, organisers all), cancelled ones as `STATUS:CANCELLED`."""

    renderer_classes = [JSONRenderer, CalendarRenderer]

    @extend_schema(parameters=[EXPO_PARAMETER], responses=ICS_RESPONSE)
    def get(self, request):
        return calendar_response(request, user=request.user)


class MeetingCalendarFeedApi(APIView):
    """The same calendar at the person's private subscription address, without signing in; an
    unknown or revoked token is a 404."""

    permission_classes = [AllowAny]
    authentication_classes = []
    renderer_classes = [JSONRenderer, CalendarRenderer]

    @extend_schema(
        parameters=[EXPO_PARAMETER],
        responses={
            **ICS_RESPONSE,
            404: inline_serializer("CalendarNotFound", fields={"detail": serializers.CharField()}),
        },
        auth=[],
    )
    def get(self, request, token: str):
        user = calendar_feed_owner(token=token)
        if user is None:
            raise NotFound(_("No such calendar address."))
        return calendar_response(request, user=user)


def feed_url(request, feed) -> str | None:
    if feed is None:
        return None
    return request.build_absolute_uri(reverse("api:expo:meeting-calendar-feed", kwargs={"token": feed.token}))


SUBSCRIPTION = inline_serializer(
    "CalendarSubscription",
    fields={
        "url": serializers.URLField(allow_null=True),
        "created_at": serializers.DateTimeField(allow_null=True),
    },
)


def _subscription(request, feed) -> dict:
    return {"url": feed_url(request, feed), "created_at": feed.created_at if feed else None}


class CalendarSubscriptionApi(APIView):
    """The signed-in person's private subscription address: GET shows it (`url` null when there is
    none), POST makes a new one (the old one stops working), DELETE revokes it."""

    @extend_schema(responses=SUBSCRIPTION)
    def get(self, request):
        return Response(_subscription(request, calendar_feed_for_user(user=request.user)))

    @extend_schema(request=None, responses={201: SUBSCRIPTION})
    def post(self, request):
        feed = calendar_feed_regenerate(user=request.user)
        return Response(_subscription(request, feed), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        calendar_feed_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
