from typing import Any, cast

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import ratelimits
from portal.exceptions import ApplicationError, PermissionDeniedError
from portal.http import api_user

from . import deadlines, selectors
from .constants import CaseAction, DeliveryMethod
from .filters import CaseFilter, SubApprovalFilter
from .models import Case, SubApproval
from .permissions import case_transition_check, may_check_materials
from .serializers import (
    CaseDetailSerializer,
    CaseListSerializer,
    MaterialCheckRowSerializer,
    MaterialCheckSaveInput,
    SubApprovalAnswerInput,
    SubApprovalResolveInput,
    SubApprovalSerializer,
    TransitionResultSerializer,
    transition_specs_schema,
)
from .services.correction import supplied_files_from
from .services.delivery import case_delivery_change
from .services.intake import MaterialCheckInput, case_check_materials
from .services.parallel import subapproval_answer, subapproval_resolve
from .transitions import TRANSITIONS, Transition, available_transitions, transition_spec

LIST_COLUMNS = [
    "reference",
    "state",
    "mode",
    "submitted_at",
    "received_on",
    "answer_from",
    "accepted_on",
    "promised_due",
    "statutory_due",
    "due_provisional",
    "current_step",
    "step_due",
    "concluded_on",
    "ended_on",
    "elapsed_days",
    "suspended_days",
    "limit_unit",
    "licence_due",  # Art. 44: the licence's due date once approved (deadlines.annotate_times reads it)
    "item__code",
    "item__name",
    "department__name",
]


# the filters by name (set by its metaclass, unknown to the stubs)
CASE_FILTER_NAMES = tuple(CaseFilter.base_filters)  # type: ignore[attr-defined]


class CaseListApi(generics.ListAPIView):
    """Cases the user may see: applicants their own, clerks and the efficiency office all, department staff
    their department's (and parallel cases they co-handle)."""

    serializer_class = CaseListSerializer
    filterset_class = CaseFilter  # the filters of approvals/filters.py, documented in the schema
    token_with_roles = True  # who sees which cases is by role, on every call (portal/accounts/auth.py)

    def get_queryset(self) -> QuerySet[Case]:
        # the list shows the item and the department only: no join of the applicant, window, clerk and holder,
        # and only the columns the list and its due-date colours read (the rest are documents and bookkeeping)
        return (
            selectors.case_visible(user=self.request.user)
            .select_related(None)
            .select_related("item", "department")
            .only(*LIST_COLUMNS)
        )

    def filter_queryset(self, queryset: Any) -> Any:
        # asked for no filter: the FilterSet would leave the cases as they are, after copying its filters
        # and building a form to find that out (most requests: a citizen's own list)
        if not any(name in self.request.query_params for name in CASE_FILTER_NAMES):
            return queryset
        return super().filter_queryset(queryset)

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        return deadlines.annotate_times(page if page is not None else queryset, selectors.today())


class CaseDetailApi(APIView):
    token_with_roles = True  # who sees the case is by role (selectors.case_get), on every call

    @extend_schema(responses=CaseDetailSerializer)
    def get(self, request, reference: str):
        case = selectors.case_get(user=request.user, reference=reference)
        deadlines.annotate_times([case], selectors.today())
        return Response(CaseDetailSerializer(case).data)


class DeliveryChangeInput(serializers.Serializer):
    delivery_method = serializers.ChoiceField(
        choices=DeliveryMethod.choices,
        help_text="window pick-up, post (free; needs the address) or electronic",
    )
    delivery_address = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class CaseDeliveryApi(APIView):
    """送达: the applicant changes how the result reaches them, until it is delivered (409 after)."""

    @extend_schema(request=DeliveryChangeInput, responses=CaseDetailSerializer)
    def post(self, request, reference: str):
        case = selectors.case_get(user=request.user, reference=reference)
        if case.applicant_id != request.user.pk:
            raise PermissionDeniedError(_("只有申请人本人可以修改送达方式。"))
        data = DeliveryChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        case_delivery_change(
            case=case,
            actor=request.user,
            method=data.validated_data["delivery_method"],
            address=data.validated_data["delivery_address"],
        )
        case = selectors.case_get(user=request.user, reference=reference)
        deadlines.annotate_times([case], selectors.today())
        return Response(CaseDetailSerializer(case).data)


class CaseMaterialCheckApi(APIView):
    """材料核验: the window's check of the case's materials, one row per material of the item (and any retired
    one a file was given for), kept as the clerk goes — the same rows as the case page. GET: staff who see
    the case (an applicant 403). POST: the clerk records the check of the materials named in ``checks``
    while the application waits for acceptance (anyone else 403, another state 409); a ``fix`` needs its
    ``problem``, a material not of the item is refused (400, the message under ``verdict_<id>`` /
    ``problem_<id>`` as on the case page). The rows marked ``fix`` are the ones the correction notice
    lists when ticked."""

    @extend_schema(responses=MaterialCheckRowSerializer(many=True))
    def get(self, request: Request, reference: str) -> Response:
        case = selectors.case_get(user=request.user, reference=reference)
        if not api_user(request).is_portal_staff:
            raise PermissionDeniedError(_("只有工作人员可以查看材料核验。"))
        return Response(MaterialCheckRowSerializer(selectors.material_rows(case=case), many=True).data)

    @extend_schema(request=MaterialCheckSaveInput, responses=MaterialCheckRowSerializer(many=True))
    def post(self, request: Request, reference: str) -> Response:
        case = selectors.case_get(user=request.user, reference=reference)
        if not may_check_materials(case, request.user):
            raise PermissionDeniedError(_("只有综合受理窗口可以核验材料。"))
        serializer = MaterialCheckSaveInput(data=_fields(request))
        if not serializer.is_valid():
            raise ApplicationError(_("提交的内容有误，请修改后重试。"), extra=dict(serializer.errors))
        checks: dict[int, MaterialCheckInput] = {
            c["material"]: {
                "verdict": c["verdict"],
                "problem": c["problem"],
                "original_seen": c["original_seen"],
            }
            for c in serializer.validated_data["checks"]
        }
        case_check_materials(case=case, actor=api_user(request), checks=checks)
        return Response(MaterialCheckRowSerializer(selectors.material_rows(case=case), many=True).data)


class CaseTransitionsApi(APIView):
    """The transitions the user may fire on the case now, with each one's fields."""

    @extend_schema(responses=transition_specs_schema())
    def get(self, request: Request, reference: str) -> Response:
        case = selectors.case_get(user=request.user, reference=reference)
        specs = [transition_spec(t) for t in available_transitions(case=case, user=api_user(request))]
        return Response(specs)


class CaseTransitionApi(APIView):
    """Fire a transition (``name``) on the case. Each transition has its own operation in the schema, with
    its own fields (``…/transitions/accept/`` …); this view serves them all, and answers 400 for an unknown
    name. The fields go at the top level of a JSON object or a form, or inside ``{"data": {…}}``."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]
    action = ""  # set on the per-transition views below

    @extend_schema(exclude=True)
    def post(self, request: Request, reference: str, name: str = "") -> Response:
        name = self.action or name
        case = selectors.case_get(user=request.user, reference=reference)
        transition = TRANSITIONS.get(name)
        if transition is None:
            raise ApplicationError(
                _("没有这个操作：%(name)s") % {"name": name}, extra={"name": [_("未知的操作。")]}
            )
        # the state and the user's right first (409, 403), as the service will check them again
        case_transition_check(case=case, user=request.user, action=name)
        serializer = transition.serializer(data=_fields(request))
        if not serializer.is_valid():
            raise ApplicationError(_("提交的内容有误，请修改后重试。"), extra=dict(serializer.errors))
        data = dict(serializer.validated_data)
        if transition.action in (CaseAction.SUPPLY, CaseAction.SUPPLY_DEFERRED):
            if request.FILES:  # multipart/form-data: files_<material id> fields
                ratelimits.api_check(request, ("upload", ""))
            data["files"] = supplied_files_from(request.FILES)
        case = transition.fire(case=case, actor=api_user(request), data=data)
        return Response(
            {"reference": case.reference, "state": case.state, "state_label": case.get_state_display()}
        )


def _fields(request: Request) -> Any:
    """The transition's fields from the body: a JSON object or a form (without its files), or the object
    under ``data``."""
    body: Any = request.data
    if not hasattr(body, "get"):
        raise ApplicationError(
            _("请求内容应为表单或JSON对象。"), extra={"non_field_errors": [_("应为JSON对象。")]}
        )
    if isinstance(body.get("data"), dict):
        return body["data"]
    if isinstance(body, QueryDict):
        fields = QueryDict(mutable=True)
        for key in body:
            if key not in request.FILES:
                fields.setlist(key, body.getlist(key))
        return fields
    return body


def transition_view(transition: Transition) -> Any:
    """The view of one transition's own operation: same code, its own input in the schema."""

    @extend_schema(
        operation_id=f"cases_transitions_{transition.name}",
        summary=str(transition.label),
        description=f"{transition.label}（{transition.name}）: the fields at the top level of a JSON object or a "
        "form, or inside {\"data\": {…}}; a transition the case's state or the user's role does not allow "
        "answers 409 or 403 before the fields are read.",
        request={
            "application/json": transition.serializer,
            "application/x-www-form-urlencoded": transition.serializer,
            "multipart/form-data": transition.serializer,
        },
        responses=TransitionResultSerializer,
    )
    def post(self: CaseTransitionApi, request: Request, reference: str) -> Response:
        return CaseTransitionApi.post(self, request, reference)

    name = "".join(part.title() for part in transition.name.split("_"))
    view = cast(
        type[CaseTransitionApi],
        type(f"Case{name}Api", (CaseTransitionApi,), {"action": transition.name, "post": post}),
    )
    return view.as_view()


# --- 并联 (parallel approval): the co-department's queue, its answer, the lead's resolution -------------


class CoApprovalListApi(generics.ListAPIView):
    """The parts of parallel cases the user's department co-handles (its own queue), unanswered first.
    ``?pending=1``: only those still waiting for an answer."""

    serializer_class = SubApprovalSerializer
    filterset_class = SubApprovalFilter  # pending (approvals/filters.py), documented in the schema

    def get_queryset(self) -> QuerySet[SubApproval]:
        return selectors.co_approval_queue(user=self.request.user)


class CoApprovalAnswerApi(APIView):
    """A co-department answers its part before its own due date: ``consent``, ``conditional`` (the
    conditions in ``opinion``) or ``object`` (the reasons in ``opinion``). 409 once answered or past the due
    date (silence is consent), 403 for anyone but that department's reviewer, decider or head."""

    @extend_schema(request=SubApprovalAnswerInput, responses=SubApprovalSerializer)
    def post(self, request: Request, pk: int) -> Response:
        sub = selectors.co_approval_get(user=request.user, pk=pk)
        serializer = SubApprovalAnswerInput(data=_fields(request))
        if not serializer.is_valid():
            raise ApplicationError(_("提交的内容有误，请修改后重试。"), extra=dict(serializer.errors))
        sub = subapproval_answer(sub=sub, actor=api_user(request), **serializer.validated_data)
        return Response(SubApprovalSerializer(sub).data)


class CoApprovalResolveApi(APIView):
    """The lead department's decider or head records how a co-department's disagreement was resolved;
    until then the case cannot be approved (409)."""

    @extend_schema(request=SubApprovalResolveInput, responses=SubApprovalSerializer)
    def post(self, request: Request, pk: int) -> Response:
        sub = selectors.co_approval_get(user=request.user, pk=pk)
        serializer = SubApprovalResolveInput(data=_fields(request))
        if not serializer.is_valid():
            raise ApplicationError(_("提交的内容有误，请修改后重试。"), extra=dict(serializer.errors))
        sub = subapproval_resolve(sub=sub, actor=api_user(request), **serializer.validated_data)
        return Response(SubApprovalSerializer(sub).data)
