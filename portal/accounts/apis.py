from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from portal.api import ErrorSerializer
from portal.ratelimits import api_check, username_key

from .serializers import RegistrationInputSerializer, UserOutputSerializer
from .services import api_token_issue, api_token_revoke, api_tokens_revoke_all, applicant_register
from .sms_login import sms_code_request, sms_code_verify
from .validators import validate_mobile
from .views import SMS_SENT, sms_send_limited, sms_verify_limited


class RegisterApi(APIView):
    """Register a natural-person or enterprise applicant with real-name data."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(request=RegistrationInputSerializer, responses={201: UserOutputSerializer})
    def post(self, request):
        api_check(request, ("register", ""))
        serializer = RegistrationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = applicant_register(**serializer.validated_data)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)


DEVICE = serializers.CharField(
    max_length=50,
    required=False,
    allow_blank=True,
    default="",
    help_text="a name for the device (e.g. 'hall-terminal-3'); a new token for the same device revokes "
    "its previous one",
)


class TokenInputSerializer(AuthTokenSerializer):
    device = DEVICE


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True, help_text="the token stops working after this")


class TokenApi(APIView):
    """Exchange a username and password for an API token (``Authorization: Token <token>``). Tokens are
    per device, expire (``expiry``), and are revoked by ``auth/logout/``, ``auth/logout-all/`` and a
    password change. Asking again for the same device gives a new token and revokes the old one."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(request=TokenInputSerializer, responses={200: TokenOutputSerializer})
    def post(self, request, *args, **kwargs):
        username = request.data.get("username", "") if hasattr(request.data, "get") else ""
        api_check(request, ("token-ip", ""), ("token-user", username_key(username)))
        serializer = TokenInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, expiry = api_token_issue(
            user=serializer.validated_data["user"], device=serializer.validated_data["device"]
        )
        return Response(TokenOutputSerializer({"token": token, "expiry": expiry}).data)


class LogoutApi(APIView):
    """Revoke the token this request carries (this device signs out). 204; a session is left alone."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllApi(APIView):
    """Revoke every API token of the signed-in user (all devices sign out). 204."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        api_tokens_revoke_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SmsCodeInputSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=11, validators=[validate_mobile])


class SmsTokenInputSerializer(SmsCodeInputSerializer):
    code = serializers.RegexField(r"^\d{6}$", max_length=6, error_messages={"invalid": "验证码为6位数字。"})
    device = DEVICE


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class SmsTokenErrorSerializer(serializers.Serializer):
    """A 400 of the SMS sign-in: a message, or messages per field (``code`` is the SMS code's field here)."""

    detail = serializers.CharField(required=False)
    phone = serializers.ListField(child=serializers.CharField(), required=False)
    code = serializers.ListField(child=serializers.CharField(), required=False)


class SmsCodeApi(APIView):
    """短信验证码登录, step 1: text a sign-in code to an applicant's mobile number. The answer is the same
    whether or not the number is registered. Limited per number (1/min, 5/h) and per address (10/h)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=SmsCodeInputSerializer,
        responses={202: DetailSerializer, 400: ErrorSerializer, 429: ErrorSerializer},
    )
    def post(self, request):
        serializer = SmsCodeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        phone = serializer.validated_data["phone"].strip()
        if sms_send_limited(request, phone):
            raise Throttled(detail=_("获取验证码过于频繁，请稍后再试。"))
        sms_code_request(phone=phone)
        return Response({"detail": str(SMS_SENT)}, status=status.HTTP_202_ACCEPTED)


class SmsTokenApi(APIView):
    """短信验证码登录, step 2: exchange the mobile number and the code for an API token (like
    ``auth/token/``). A code works once and dies after 5 wrong attempts."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=SmsTokenInputSerializer,
        responses={200: TokenOutputSerializer, 400: SmsTokenErrorSerializer, 429: ErrorSerializer},
    )
    def post(self, request):
        serializer = SmsTokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        phone = serializer.validated_data["phone"].strip()
        if sms_verify_limited(request, phone):
            raise Throttled(detail=_("验证码尝试过于频繁，请稍后再试。"))
        user = sms_code_verify(phone=phone, code=serializer.validated_data["code"])
        if user is None:
            return Response(
                {"detail": _("验证码错误或已失效，请重新获取。")}, status=status.HTTP_400_BAD_REQUEST
            )
        token, expiry = api_token_issue(user=user, device=serializer.validated_data["device"])
        return Response(TokenOutputSerializer({"token": token, "expiry": expiry}).data)


class MeApi(APIView):
    @extend_schema(responses=UserOutputSerializer)
    def get(self, request):
        return Response(UserOutputSerializer(request.user).data)
