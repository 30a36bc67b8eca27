from django.urls import path

from . import apis

urlpatterns = [
    path("hall/business-types/", apis.BusinessTypeListApi.as_view(), name="hall-business-types"),
    path("hall/slots/", apis.SlotListApi.as_view(), name="hall-slots"),
    path("hall/appointments/", apis.AppointmentCreateApi.as_view(), name="hall-appointments"),
    path("hall/appointments/<int:pk>/", apis.AppointmentApi.as_view(), name="hall-appointment"),
    path("hall/appointments/<int:pk>/check-in/", apis.AppointmentCheckInApi.as_view(), name="hall-check-in"),
    path("hall/tickets/", apis.TicketIssueApi.as_view(), name="hall-tickets"),
    path("hall/windows/<int:window>/call-next/", apis.CallNextApi.as_view(), name="hall-call-next"),
    path("hall/tickets/<int:pk>/recall/", apis.TicketRecallApi.as_view(), name="hall-recall"),
    path("hall/tickets/<int:pk>/skip/", apis.TicketSkipApi.as_view(), name="hall-skip"),
    path("hall/tickets/<int:pk>/transfer/", apis.TicketTransferApi.as_view(), name="hall-transfer"),
    path("hall/tickets/<int:pk>/finish/", apis.TicketFinishApi.as_view(), name="hall-finish"),
    path("hall/display/", apis.DisplayApi.as_view(), name="hall-display"),
]
