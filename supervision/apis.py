"""Supervision API: the figures of DESIGN §5 and the alert list (thin views over figures/selectors)."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.exceptions import ApplicationError

from .figures import figures
from .models import Alert
from .selectors import alert_list, figures_scope, is_supervisor
from .serializers import AlertQuerySerializer, AlertSerializer, FiguresQuerySerializer, FiguresSerializer


class FiguresApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[FiguresQuerySerializer], responses=FiguresSerializer, operation_id="supervision_figures"
    )
    def get(self, request: Request) -> Response:
        department_id = figures_scope(user=request.user)  # type: ignore[arg-type]
        query = FiguresQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise ApplicationError("查询参数有误。", extra=dict(query.errors))
        params: dict[str, Any] = query.validated_data
        report = figures(department_id=department_id, **params)
        return Response(report.as_dict(fractions=True))


class AlertListApi(generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = AlertSerializer

    class Pagination(PageNumberPagination):
        page_size = 50

    pagination_class = Pagination

    @extend_schema(operation_id="supervision_alerts", parameters=[AlertQuerySerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):
            return Alert.objects.none()
        user = self.request.user
        if not (is_supervisor(user) or user.is_portal_staff):  # type: ignore[union-attr]
            from portal.exceptions import PermissionDeniedError

            raise PermissionDeniedError("无权查看监察预警。")
        query = AlertQuerySerializer(data=self.request.query_params)
        if not query.is_valid():
            raise ApplicationError("查询参数有误。", extra=dict(query.errors))
        return alert_list(user=user, filters=query.validated_data)  # type: ignore[arg-type]
