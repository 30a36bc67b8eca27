"""/api/v1/hall/: business types, slots, appointments, numbers, calling and the calling screen's feed.
Thin: each operation calls one service; errors follow the rest of the API (400 / 403 / 404 / 409)."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.models import Window

from . import permissions as perm
from . import selectors, services
from .models import Appointment, Ticket
from .serializers import (
    AppointmentChangeInputSerializer,
    AppointmentInputSerializer,
    AppointmentSerializer,
    BusinessTypeSerializer,
    DisplaySerializer,
    FinishSerializer,
    SlotQuerySerializer,
    SlotSerializer,
    TicketInputSerializer,
    TicketSerializer,
    TransferInputSerializer,
)


class IsClerk(permissions.IsAuthenticated):
    """Window staff (综合受理窗口); the service then checks the clerk sits at that window."""

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and perm.is_hall_clerk(request.user)


class IsApplicant(permissions.IsAuthenticated):
    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and perm.may_book(request.user)


class BusinessTypeListApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=BusinessTypeSerializer(many=True), operation_id="hall_business_types")
    def get(self, request):
        return Response(BusinessTypeSerializer(selectors.business_type_list(), many=True).data)


class SlotListApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("business_type", str, required=True, description="the letter, e.g. A"),
            OpenApiParameter("date", str, required=True, description="YYYY-MM-DD"),
        ],
        responses=SlotSerializer(many=True),
        operation_id="hall_slots",
    )
    def get(self, request):
        query = SlotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        slots = selectors.slot_list(
            business_type=query.validated_data["business_type"], day=query.validated_data["date"]
        )
        return Response(SlotSerializer(slots, many=True).data)


class AppointmentCreateApi(APIView):
    permission_classes = [IsApplicant]

    @extend_schema(
        request=AppointmentInputSerializer,
        responses={201: AppointmentSerializer},
        operation_id="hall_appointment_book",
    )
    def post(self, request):
        data = AppointmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        appointment = services.appointment_book(
            citizen=request.user,
            business_type=v["business_type"],
            day=v["date"],
            half=v["half"],
            group=v["group"],
        )
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


def _own_appointment(request, pk: int) -> Appointment:
    return get_object_or_404(selectors.appointment_list(citizen=request.user), pk=pk)


class AppointmentApi(APIView):
    """One of the citizen's own appointments: change it to another half-day slot (PATCH) or cancel it
    (DELETE), either up to the day before the booked slot."""

    @extend_schema(
        request=AppointmentChangeInputSerializer,
        responses={200: AppointmentSerializer},
        operation_id="hall_appointment_change",
        description="Move the booking to another half-day slot of the same window group (改约), up to the "
        "day before the booked one: 409 on the day itself or when the new slot is full, 403 while no-shows "
        "block online booking, 400 on the field for a closed, past or too distant slot.",
    )
    def patch(self, request, pk: int):
        appointment = _own_appointment(request, pk)
        data = AppointmentChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = services.appointment_change(
            appointment=appointment,
            actor=request.user,
            day=data.validated_data["date"],
            half=data.validated_data["half"],
        )
        return Response(AppointmentSerializer(appointment).data)

    @extend_schema(responses={204: None}, operation_id="hall_appointment_cancel")
    def delete(self, request, pk: int):
        services.appointment_cancel(appointment=_own_appointment(request, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AppointmentCheckInApi(APIView):
    @extend_schema(request=None, responses={201: TicketSerializer}, operation_id="hall_appointment_check_in")
    def post(self, request, pk: int):
        ticket = services.appointment_check_in(appointment=_own_appointment(request, pk), actor=request.user)
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


class TicketIssueApi(APIView):
    """The kiosk's 取号: anyone in the hall may take a number (signed-in applicants get it on their name)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=TicketInputSerializer, responses={201: TicketSerializer}, operation_id="hall_ticket_issue"
    )
    def post(self, request):
        data = TicketInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user if perm.may_book(request.user) else None
        ticket = services.ticket_issue(business_type=data.validated_data["business_type"], applicant=user)
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


class CallNextApi(APIView):
    permission_classes = [IsClerk]

    @extend_schema(request=None, responses={200: TicketSerializer}, operation_id="hall_call_next")
    def post(self, request, window: int):
        window_obj = get_object_or_404(Window, number=window, is_active=True)
        ticket = services.ticket_call_next(window=window_obj, actor=request.user)
        return Response(TicketSerializer(ticket).data)


def _ticket(pk: int) -> Ticket:
    return get_object_or_404(Ticket.objects.select_related("business_type", "window"), pk=pk)


class TicketRecallApi(APIView):
    permission_classes = [IsClerk]

    @extend_schema(request=None, responses={200: TicketSerializer}, operation_id="hall_ticket_recall")
    def post(self, request, pk: int):
        return Response(TicketSerializer(services.ticket_recall(ticket=_ticket(pk), actor=request.user)).data)


class TicketSkipApi(APIView):
    permission_classes = [IsClerk]

    @extend_schema(request=None, responses={200: TicketSerializer}, operation_id="hall_ticket_skip")
    def post(self, request, pk: int):
        return Response(TicketSerializer(services.ticket_skip(ticket=_ticket(pk), actor=request.user)).data)


class TicketTransferApi(APIView):
    permission_classes = [IsClerk]

    @extend_schema(
        request=TransferInputSerializer,
        responses={200: TicketSerializer},
        operation_id="hall_ticket_transfer",
    )
    def post(self, request, pk: int):
        ticket = _ticket(pk)
        data = TransferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = services.ticket_transfer(
            ticket=ticket, actor=request.user, to_window=data.validated_data["window"]
        )
        return Response(TicketSerializer(ticket).data)


class TicketFinishApi(APIView):
    permission_classes = [IsClerk]

    @extend_schema(request=None, responses={200: FinishSerializer}, operation_id="hall_ticket_finish")
    def post(self, request, pk: int):
        ticket, token = services.ticket_finish(ticket=_ticket(pk), actor=request.user)
        data = dict(TicketSerializer(ticket).data)
        data["applications"] = [a.reference for a in ticket.applications.all() if a.reference]
        data["cases"] = [c.reference for c in ticket.cases.all()]
        data["rating_url"] = request.build_absolute_uri(reverse("hall:rate", args=[token]))
        return Response(FinishSerializer(data).data)


class DisplayApi(APIView):
    """What the calling screen (叫号屏) shows; public, polled every second by the screen."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(responses=DisplaySerializer, operation_id="hall_display")
    def get(self, request):
        return Response(DisplaySerializer(selectors.display()).data)
