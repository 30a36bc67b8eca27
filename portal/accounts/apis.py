from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from portal.ratelimits import api_check

from .serializers import RegistrationInputSerializer, UserOutputSerializer
from .services import applicant_register


class RegisterApi(APIView):
    """Register a natural-person or enterprise applicant with real-name data."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(request=RegistrationInputSerializer, responses={201: UserOutputSerializer})
    def post(self, request):  # type: ignore[no-untyped-def]
        api_check(request, ("register", ""))
        serializer = RegistrationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = applicant_register(**serializer.validated_data)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenApi(ObtainAuthToken):
    """Exchange a username and password for an API token."""

    throttle_classes = [AnonRateThrottle]

    def post(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        username = request.data.get("username", "") if hasattr(request.data, "get") else ""
        api_check(request, ("token-ip", ""), ("token-user", str(username)[:150]))
        return super().post(request, *args, **kwargs)


class MeApi(APIView):
    @extend_schema(responses=UserOutputSerializer)
    def get(self, request):  # type: ignore[no-untyped-def]
        return Response(UserOutputSerializer(request.user).data)
