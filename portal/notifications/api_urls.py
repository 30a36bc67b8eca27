from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "event", "subject", "body", "case_reference", "link", "created_at", "read_at"]


class NotificationListApi(generics.ListAPIView):
    """The user's inbox, unread first."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return selectors.inbox_list(user=self.request.user)


class NotificationReadApi(APIView):
    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request, pk: int):
        from django.shortcuts import get_object_or_404

        note = get_object_or_404(Notification, pk=pk, recipient=request.user)
        services.inbox_mark_read(user=request.user, ids=[note.pk])
        note.refresh_from_db()
        return Response(NotificationSerializer(note).data)


urlpatterns = [
    path("notifications/", NotificationListApi.as_view(), name="api-notifications"),
    path("notifications/<int:pk>/read/", NotificationReadApi.as_view(), name="api-notification-read"),
]
