"""Token login for scripts."""

from django.core.validators import ProhibitNullCharactersValidator
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny

from questionnaires.core.api.errors import error_response
from questionnaires.core.api.parsers import JSONParser


class BoundedAuthTokenSerializer(AuthTokenSerializer):
    """Credentials checked for shape before authenticating: a 300-character or NUL-bearing
    username must be a 400, not reach the lockout table (whose column holds 255)."""

    username = serializers.CharField(max_length=150, write_only=True,
                                     validators=[ProhibitNullCharactersValidator()])
    password = serializers.CharField(max_length=4096, write_only=True, trim_whitespace=False,
                                     style={"input_type": "password"},
                                     validators=[ProhibitNullCharactersValidator()])


class TokenView(ObtainAuthToken):
    """POST username and password, get the token to send as `Authorization: Token <token>`."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    # ObtainAuthToken names DRF's own JSON parser; this endpoint needs none the less the
    # bounded one (it is open to anyone).
    parser_classes = [FormParser, MultiPartParser, JSONParser]
    serializer_class = BoundedAuthTokenSerializer

    @extend_schema(responses={200: inline_serializer("Token", {"token": serializers.CharField()}),
                              400: error_response("missing fields, or wrong credentials")})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
