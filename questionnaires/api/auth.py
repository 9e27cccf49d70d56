"""Token login for scripts."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny

from .errors import error_response


class TokenView(ObtainAuthToken):
    """POST username and password, get the token to send as `Authorization: Token <token>`."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses={200: inline_serializer("Token", {"token": serializers.CharField()}),
                              400: error_response("missing fields, or wrong credentials")})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
