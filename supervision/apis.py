"""Supervision API: the figures of DESIGN §5 and the alert list (thin views over figures/selectors)."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.exceptions import ApplicationError, PermissionDeniedError

from .figures import figures
from .filters import AlertFilter
from .models import Alert
from .permissions import may_list_alerts
from .selectors import alert_list, figures_scope
from .serializers import AlertSerializer, FiguresQuerySerializer, FiguresSerializer


class FiguresApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[FiguresQuerySerializer], responses=FiguresSerializer, operation_id="supervision_figures"
    )
    def get(self, request: Request) -> Response:
        department_id = figures_scope(user=request.user)
        query = FiguresQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise ApplicationError("查询参数有误。", extra=dict(query.errors))
        params: dict[str, Any] = query.validated_data
        report = figures(department_id=department_id, **params)
        return Response(report.as_dict(fractions=True))


class AlertListApi(generics.ListAPIView):
    """Alerts the user may see (``permissions.alert_scope``), filtered by ``filters.AlertFilter``."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = AlertSerializer
    filterset_class = AlertFilter

    class Pagination(PageNumberPagination):
        page_size = 50

    pagination_class = Pagination

    @extend_schema(operation_id="supervision_alerts")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Alert]:
        if getattr(self, "swagger_fake_view", False):
            return Alert.objects.none()
        if not may_list_alerts(self.request.user):
            raise PermissionDeniedError("无权查看监察预警。")
        return alert_list(user=self.request.user)
