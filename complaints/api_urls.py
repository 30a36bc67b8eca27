"""API: /api/v1/complaints/ and /api/v1/ratings/ with the same rules as the pages (403 / 409 / 400)."""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from approvals import selectors as case_selectors
from portal.ratelimits import api_check

from . import selectors, services
from .constants import ComplaintChannel, RatingChannel
from .models import Complaint, Rating


class ComplaintInputSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ComplaintChannel.choices, default=ComplaintChannel.ONLINE)
    name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=services.COMPLAINANT_NAME_MAX
    )
    phone = serializers.CharField(max_length=11)
    subject = serializers.CharField(max_length=services.SUBJECT_MAX)
    content = serializers.CharField(max_length=services.CONTENT_MAX)
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)


class ComplaintOutputSerializer(serializers.ModelSerializer):
    """The complainant's own view and the staff view; the phone number is always masked."""

    complainant_phone = serializers.SerializerMethodField()
    department = serializers.CharField(source="department.name", default=None)
    case_reference = serializers.CharField(source="case.reference", default=None)

    class Meta:
        model = Complaint
        fields = [
            "number",
            "state",
            "channel",
            "complainant_name",
            "complainant_phone",
            "received_at",
            "due_on",
            "department",
            "case_reference",
            "subject",
            "content",
            "finding",
            "action",
            "concluded_at",
        ]

    def get_complainant_phone(self, obj: Complaint) -> str:
        from portal.accounts.validators import mask_phone

        return mask_phone(obj.complainant_phone)


class ComplaintListCreateApi(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "complaint"

    def get_throttles(self):
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(responses=ComplaintOutputSerializer(many=True))
    def get(self, request):
        qs = selectors.complaint_visible(user=request.user).order_by("-received_at")[:200]
        return Response(ComplaintOutputSerializer(qs, many=True).data)

    @extend_schema(request=ComplaintInputSerializer, responses={201: ComplaintOutputSerializer})
    def post(self, request):
        if not request.user.is_authenticated:
            api_check(request, ("complaint-anonymous", ""))
        serializer = ComplaintInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        complaint = services.complaint_file(
            actor=request.user if request.user.is_authenticated else None, **serializer.validated_data
        )
        return Response(ComplaintOutputSerializer(complaint).data, status=status.HTTP_201_CREATED)


class ComplaintDetailApi(APIView):
    @extend_schema(responses=ComplaintOutputSerializer)
    def get(self, request, number: str):
        complaint = selectors.complaint_visible(user=request.user).filter(number=number).first()
        if complaint is None:
            raise Http404
        return Response(ComplaintOutputSerializer(complaint).data)


class RatingInputSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=40)
    overall = serializers.IntegerField(min_value=1, max_value=5)
    efficiency = serializers.IntegerField(min_value=1, max_value=5, required=False)
    attitude = serializers.IntegerField(min_value=1, max_value=5, required=False)
    guide_accuracy = serializers.IntegerField(min_value=1, max_value=5, required=False)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RatingOutputSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(source="case.reference")
    department = serializers.CharField(source="department.name")

    class Meta:
        model = Rating
        fields = [
            "reference",
            "overall",
            "efficiency",
            "attitude",
            "guide_accuracy",
            "comment",
            "channel",
            "department",
            "created_at",
            "voided",
            "appeal_state",
        ]


class RatingListCreateApi(generics.ListAPIView):
    serializer_class = RatingOutputSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Rating.objects.none()
        return selectors.rating_visible(user=self.request.user).order_by("-created_at")

    @extend_schema(request=RatingInputSerializer, responses={201: RatingOutputSerializer})
    def post(self, request):
        serializer = RatingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = case_selectors.case_get(user=request.user, reference=data["reference"])
        rating = services.rating_submit(
            case=case, actor=request.user, data=data, channel=RatingChannel.ONLINE
        )
        return Response(RatingOutputSerializer(rating).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("complaints/", ComplaintListCreateApi.as_view(), name="api-complaints"),
    path("complaints/<str:number>/", ComplaintDetailApi.as_view(), name="api-complaint-detail"),
    path("ratings/", RatingListCreateApi.as_view(), name="api-ratings"),
]
