"""The window's part (受理, DESIGN §3): opening the case of a submitted application, checking its
materials, accepting it — by the clerk, or deemed accepted after 5 working days (Art. 32)."""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.constants import MaterialCheck
from intake.models import Application
from portal.accounts.constants import Role
from portal.accounts.models import User
from portal.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from portal.notifications.services import notify
from portal.workcalendar import services as calendar

from .. import deadlines
from ..constants import DEEMED_ACCEPTANCE_DAYS, CaseAction, CaseState
from ..models import Case, SubApproval
from ..permissions import may_check_materials
from .common import (
    base_context,
    due_dates_context,
    enter_step,
    lock_case,
    log_transition,
    recompute_due_dates,
    record_transition,
    staff_with_roles,
    today,
)


class CorrectionItem(TypedDict):
    """One line of a correction notice: which material, and what is wrong with it."""

    name: str
    problem: str


class MaterialCheckInput(TypedDict, total=False):
    result: str
    original_seen: bool
    note: str


@transaction.atomic
def case_open(*, application: Application, actor: User | None) -> Case:
    """Open the case of a just-submitted application and fire ``submit`` (draft → submitted): one insert,
    one history record (created, submitted) and the transition log's first line. Called by the
    submission itself (``intake.services.applications.application_submit``, through ``portal.flows``)."""
    snap = application.item_snapshot
    now = application.submitted_at or timezone.now()
    assert application.reference is not None  # given on submission
    case = Case(
        application=application,
        reference=application.reference,
        item=application.item,
        department_id=snap.get("department_id", application.item.department_id),
        applicant=application.applicant,
        mode=application.mode,
        statutory_limit=snap.get("statutory_limit", application.item.statutory_limit),
        promised_limit=snap.get("promised_limit", application.item.promised_limit),
        limit_unit=snap.get("limit_unit", application.item.limit_unit),
        submitted_at=now,
        received_on=timezone.localdate(now),
        answer_from=timezone.localdate(now),
        current_step=_("受理"),
    )
    if application.registered_by_id:
        case.clerk_id = application.registered_by_id
        case.window_id = getattr(application.registered_by, "window_id", None)
    from_state = str(case.state)
    case.submit()
    return record_transition(case=case, action=CaseAction.SUBMIT, from_state=from_state, actor=actor)


@transaction.atomic
def case_check_materials(
    *, case: Case, actor: User, checks: Mapping[int, MaterialCheckInput]
) -> list[CorrectionItem]:
    """The window checks each uploaded material (received / missing / faulty, original seen). Returns the
    problems found, ready for a one-time correction notice."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if not may_check_materials(locked, actor):
        raise PermissionDeniedError(_("只有综合受理窗口可以核验材料。"))
    if locked.state != CaseState.SUBMITTED:
        raise ConflictError(_("只有待受理的申请可以核验材料。"))
    rows = {row.pk: row for row in locked.application.materials.all()}
    problems: list[CorrectionItem] = []
    for pk, check in checks.items():
        row = rows.get(pk)
        result = check.get("result", "")
        if row is None or result not in MaterialCheck.values:
            raise ApplicationError(_("核验结果有误。"), extra={f"check_{pk}": [_("不是有效的选项。")]})
        row.check_result = result
        row.original_seen = bool(check.get("original_seen"))
        row.check_note = str(check.get("note", ""))[:300]
        row.save(update_fields=["check_result", "original_seen", "check_note"])
        if result in (MaterialCheck.MISSING, MaterialCheck.FAULTY):
            problems.append(
                {"name": row.material_name, "problem": row.check_note or str(MaterialCheck(result).label)}
            )
    log_transition(
        case=locked,
        action="check_materials",
        from_state=str(locked.state),
        actor=actor,
        data={"checks": {str(k): dict(v) for k, v in checks.items()}, "problems": list(problems)},
    )
    return problems


def _accept_common(case: Case, accepted_on: datetime.date, actor: User | None) -> None:
    """Acceptance, by the window or deemed: the clock starts, the review step opens, and the
    co-departments of a parallel case get their part with its own due date."""
    case.accepted_at = timezone.now()
    case.accepted_on = accepted_on
    if actor is not None and actor.has_role(Role.CLERK):
        case.clerk = actor
        case.window_id = actor.window_id
    recompute_due_dates(case)
    enter_step(case, "review", accepted_on)
    if case.mode == "parallel":
        snapshot = case.application.item_snapshot or {}
        limit = int(snapshot.get("co_department_limit") or 5)
        due = calendar.add_days(accepted_on, limit, unit=case.limit_unit).date
        for dept in snapshot.get("co_departments") or []:
            SubApproval.objects.get_or_create(case=case, department_id=dept["id"], defaults={"due_on": due})


def _notify_accepted(case: Case) -> None:
    context: dict[str, Any] = {
        **base_context(case),
        **due_dates_context(case),
        "provisional": case.due_provisional,
    }
    notify(recipient=case.applicant, event="case.accepted", context=context, case=case)
    for reviewer in staff_with_roles(case.department_id, Role.REVIEWER):
        notify(
            recipient=reviewer,
            event="staff.new_work",
            context={"reference": case.reference, "queue": "review"},
            case=case,
        )


@transaction.atomic
def case_accept(
    *,
    case: Case,
    actor: User,
    note: str = "",
    deferred_materials: Sequence[str] = (),
    supply_by: datetime.date | None = None,
) -> Case:
    """The window accepts. Under 容缺 it lists the deferrable materials still to come and the date they
    are due by, between the acceptance day and the promised due date."""
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.ACCEPT)
    deferred = list(deferred_materials)
    if case.mode == "deferred" and not deferred:
        raise ApplicationError(
            _("容缺受理须列出后补的材料。"), extra={"deferred_materials": [_("此项为必填项。")]}
        )
    if deferred and case.mode != "deferred":
        raise ApplicationError(
            _("该申请不是容缺受理，不能列出后补材料。"),
            extra={"deferred_materials": [_("仅容缺受理可填写。")]},
        )
    case.accept()
    _accept_common(case, today(), actor)
    if deferred:
        if supply_by is None:
            raise ApplicationError(_("请填写容缺材料补齐期限。"), extra={"supply_by": [_("此项为必填项。")]})
        assert case.promised_due is not None and case.accepted_on is not None
        if supply_by > case.promised_due or supply_by < case.accepted_on:
            raise ApplicationError(
                _("容缺材料补齐期限应在受理日与承诺办结日期（%(due)s）之间。") % {"due": case.promised_due},
                extra={"supply_by": [_("不得晚于承诺办结日期。")]},
            )
        case.deferred_materials = deferred
        case.deferred_supply_by = supply_by
    record_transition(
        case=case,
        action=CaseAction.ACCEPT,
        from_state=from_state,
        actor=actor,
        reason=note,
        data={
            **due_dates_context(case),
            "deferred_materials": deferred,
            "supply_by": supply_by.isoformat() if supply_by else None,
        },
    )
    _notify_accepted(case)
    return case


@transaction.atomic
def case_deem_accept(*, case: Case) -> Case:
    """Art. 32: no answer within 5 working days — accepted as of the day the count started: the day
    received, or, after a correction, the day the complete corrected materials arrived (never earlier).
    System only (the scan in ``scans.deem_accepted_scan``)."""
    case, from_state = lock_case(case=case, actor=None, action=CaseAction.DEEM_ACCEPT)
    start = case.answer_from or case.received_on or today()
    if deadlines.acceptance_answer_by(start).date >= today():
        raise ConflictError(_("窗口答复期限尚未届满。"))
    case.deem_accept()
    _accept_common(case, start, None)
    corrected = start != case.received_on
    reason = (
        _("补正材料收齐后%(n)s个工作日内未作出受理决定，依法自收到全部补正材料之日起即为受理。")
        if corrected
        else _("收件后%(n)s个工作日内未作出受理决定，依法自收到申请之日起即为受理。")
    )
    record_transition(
        case=case,
        action=CaseAction.DEEM_ACCEPT,
        from_state=from_state,
        actor=None,
        reason=reason % {"n": DEEMED_ACCEPTANCE_DAYS},
        data={**due_dates_context(case), "accepted_as_of": start.isoformat()},
    )
    _notify_accepted(case)
    return case
