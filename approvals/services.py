"""Case services: every write to a case goes through here (DESIGN §3, §4; STYLE "Services").

Each transition service runs in one transaction: lock the case row, check the state (409) and the
user's right (403) and the input (400), fire the django-fsm transition, fix the dates, save with a
history reason, append the transition log, tell listeners (``case_transitioned``) and queue the
notifications (outbox rows written in the same transaction).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from intake.models import Application
from portal.accounts.constants import Role
from portal.accounts.models import User
from portal.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from portal.notifications.services import notify
from portal.workcalendar import services as calendar

from . import deadlines
from .constants import DEEMED_ACCEPTANCE_DAYS, CaseState, SubApprovalAnswer
from .models import Case, CaseTransition, SubApproval, Suspension
from .signals import case_transitioned

DEFAULT_REMEDIES = _(
    "如不服本决定，可以自收到本决定之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"
)


def _today() -> datetime.date:
    return timezone.localdate()


def _log(
    *, case: Case, name: str, from_state: str, actor: User | None, reason: str = "", data: Any = None
) -> None:
    CaseTransition.objects.create(
        case=case,
        name=name,
        from_state=from_state,
        to_state=case.state,
        actor=actor,
        reason=reason,
        data=data or {},
    )


def _suspension_pairs(case: Case) -> list[tuple[datetime.date, datetime.date | None]]:
    return [(s.started_on, s.resumed_on) for s in case.suspensions.all()]


def _recompute_due_dates(case: Case) -> None:
    if case.accepted_on is None:
        return
    promised, statutory, provisional = deadlines.due_dates(
        accepted_on=case.accepted_on,
        promised_limit=case.promised_limit,
        statutory_limit=case.statutory_limit,
        extension_days=case.extension_days,
        unit=case.limit_unit,
        suspensions=_suspension_pairs(case),
    )
    case.promised_due, case.statutory_due, case.due_provisional = promised, statutory, provisional


def _enter_step(case: Case, role: str, day: datetime.date) -> None:
    """Move the case to the first step of ``role`` in its 流程时限表 and give that step its due date."""
    steps = (case.application.item_snapshot or {}).get("steps") or []
    step = next((s for s in steps if s.get("role") == role), None)
    defaults = {"review": _("审查"), "decision": _("决定"), "delivery": _("送达"), "intake": _("受理")}
    if step is None:
        case.current_step = defaults.get(role, role)
        case.step_due = None
        return
    case.current_step = step.get("name") or defaults.get(role, role)
    case.step_due = calendar.add_days(day, int(step.get("limit_days") or 0), unit=case.limit_unit).date


def _conclude(case: Case) -> None:
    now = timezone.now()
    case.concluded_at = now
    case.concluded_on = timezone.localdate(now)
    if case.accepted_on is not None:
        case.elapsed_days = deadlines.elapsed(
            accepted_on=case.accepted_on,
            until=case.concluded_on,
            unit=case.limit_unit,
            suspensions=_suspension_pairs(case),
        )


def _staff(department_id: int | None, *roles: str) -> list[User]:
    if department_id is None:
        return []
    return list(
        User.objects.filter(department_id=department_id, groups__name__in=roles, is_active=True).distinct()
    )


def _base_context(case: Case) -> dict[str, Any]:
    return {"reference": case.reference, "item_name": case.item.name}


@dataclass
class Outcome:
    """What a transition's ``apply`` step asks the service to do after firing."""

    notifications: list[tuple[User, str, dict[str, Any]]] = field(default_factory=list)
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)


# --- the transition table ----------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str  # text, textarea, integer, date, choice, list, materials, user, files
    required: bool = False
    choices: list[tuple[str, str]] = field(default_factory=list)
    help_text: str = ""


@dataclass(frozen=True)
class TransitionSpec:
    name: str
    label: str
    fields: list[FieldSpec]
    style: str = ""  # "primary" / "danger" for the page's button


def _specs() -> dict[str, TransitionSpec]:
    from .constants import DeliveryMethod, SuspensionKind

    note = FieldSpec("note", _("意见"), "textarea")
    reason_req = FieldSpec("reason", _("理由"), "textarea", required=True)
    return {
        "accept": TransitionSpec(
            "accept",
            _("受理"),
            [
                note,
                FieldSpec(
                    "deferred_materials",
                    _("容缺后补材料（每行一项，容缺受理时填写）"),
                    "list",
                    help_text=_("仅容缺受理：列出允许后补的非关键材料。"),
                ),
                FieldSpec("supply_by", _("容缺材料补齐期限"), "date", help_text=_("不得晚于承诺办结日期。")),
            ],
            "primary",
        ),
        "request_correction": TransitionSpec(
            "request_correction",
            _("一次性告知补正"),
            [
                FieldSpec(
                    "materials", _("需补正的材料及问题（每行：材料名称：问题）"), "materials", required=True
                ),
                note,
            ],
        ),
        "refuse": TransitionSpec(
            "refuse",
            _("不予受理"),
            [
                reason_req,
                FieldSpec("approved_by", _("审核人用户名（窗口负责人或部门负责人）"), "user", required=True),
            ],
            "danger",
        ),
        "supply": TransitionSpec(
            "supply",
            _("提交补正材料"),
            [
                FieldSpec(
                    "files",
                    _("补正的材料文件（PDF、JPG、PNG，可多选）"),
                    "files",
                    help_text=_("按一次性补正告知，为需要补正的材料选择新的文件；原来的文件仍保留在案卷中。"),
                ),
                note,
            ],
            "primary",
        ),
        "start_review": TransitionSpec("start_review", _("开始审查"), [note], "primary"),
        "send_to_decision": TransitionSpec(
            "send_to_decision",
            _("提交决定"),
            [FieldSpec("opinion", _("审查意见"), "textarea", required=True)],
            "primary",
        ),
        "approve": TransitionSpec(
            "approve", _("准予许可"), [FieldSpec("opinion", _("决定意见"), "textarea")], "primary"
        ),
        "approve_on_the_spot": TransitionSpec(
            "approve_on_the_spot", _("当场办结（即办/告知承诺）"), [note], "primary"
        ),
        "deny": TransitionSpec(
            "deny",
            _("不予许可"),
            [
                FieldSpec("reasons", _("不予许可的理由"), "textarea", required=True),
                FieldSpec("remedies", _("救济途径"), "textarea", help_text=_("留空则使用法定表述。")),
            ],
            "danger",
        ),
        "suspend": TransitionSpec(
            "suspend",
            _("启动特别程序（中止计时）"),
            [
                FieldSpec(
                    "kind", _("特别程序"), "choice", required=True, choices=list(SuspensionKind.choices)
                ),
                reason_req,
                FieldSpec("expected_days", _("预计时长（工作日）"), "integer", required=True),
            ],
        ),
        "resume": TransitionSpec("resume", _("特别程序结束（恢复计时）"), [note], "primary"),
        "extend": TransitionSpec(
            "extend",
            _("延长法定时限"),
            [FieldSpec("days", _("延长工作日数"), "integer", required=True), reason_req],
        ),
        "supply_deferred": TransitionSpec("supply_deferred", _("容缺材料已补齐"), [note], "primary"),
        "withdraw": TransitionSpec(
            "withdraw", _("撤回申请"), [FieldSpec("reason", _("撤回原因"), "textarea")], "danger"
        ),
        "terminate": TransitionSpec("terminate", _("终止办理"), [reason_req], "danger"),
        "revoke": TransitionSpec("revoke", _("撤销许可（承诺不实）"), [reason_req], "danger"),
        "deliver": TransitionSpec(
            "deliver",
            _("送达结果"),
            [
                FieldSpec(
                    "method", _("送达方式"), "choice", required=True, choices=list(DeliveryMethod.choices)
                ),
                FieldSpec("tracking_number", _("邮寄单号（邮寄送达时必填）"), "text"),
                FieldSpec("place", _("领取地点"), "text"),
            ],
            "primary",
        ),
    }


def transition_specs() -> dict[str, TransitionSpec]:
    return _specs()


# --- input cleaning: one clear message per field (400) -------------------------------------------


def _clean(spec: TransitionSpec, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for f in spec.fields:
        raw = data.get(f.name)
        if isinstance(raw, str):
            raw = raw.strip()
        empty = raw in (None, "", [], {})
        if empty:
            if f.required:
                errors[f.name] = [_("此项为必填项。")]
            out[f.name] = (
                []
                if f.kind in ("list", "materials", "files")
                else ("" if f.kind in ("text", "textarea", "choice", "user") else None)
            )
            continue
        try:
            out[f.name] = _coerce(f, raw)
        except ValueError as exc:
            errors[f.name] = [str(exc)]
    if errors:
        raise ApplicationError(_("提交的内容有误，请修改后重试。"), extra=errors)
    return out


def _coerce(f: FieldSpec, raw: Any) -> Any:
    if f.kind in ("text", "textarea", "user"):
        value = str(raw)
        if len(value) > 2000:
            raise ValueError(_("内容过长（最多2000字）。"))
        return value
    if f.kind == "integer":
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValueError(_("请输入整数。")) from None
        if value < 1 or value > 365:
            raise ValueError(_("请输入1到365之间的整数。"))
        return value
    if f.kind == "date":
        try:
            return raw if isinstance(raw, datetime.date) else datetime.date.fromisoformat(str(raw))
        except ValueError:
            raise ValueError(_("日期格式应为YYYY-MM-DD。")) from None
    if f.kind == "choice":
        if str(raw) not in {c for c, _label in f.choices}:
            raise ValueError(_("不是有效的选项。"))
        return str(raw)
    if f.kind == "list":
        items = raw.splitlines() if isinstance(raw, str) else list(raw)
        return [str(i).strip() for i in items if str(i).strip()]
    if f.kind == "files":
        if not isinstance(raw, list | tuple) or not all(isinstance(p, tuple) and len(p) == 2 for p in raw):
            raise ValueError(_("文件须以表单上传（multipart/form-data）。"))
        return list(raw)
    if f.kind == "materials":
        items = raw.splitlines() if isinstance(raw, str) else list(raw)
        result = []
        for item in items:
            if isinstance(item, dict):
                name, problem = str(item.get("name", "")).strip(), str(item.get("problem", "")).strip()
            else:
                text = str(item).strip()
                if not text:
                    continue
                name, _sep, problem = text.replace(":", "：").partition("：")
                name, problem = name.strip(), problem.strip()
            if not name:
                raise ValueError(_("每项补正都要写明材料名称。"))
            result.append({"name": name, "problem": problem or _("缺少")})
        if not result:
            raise ValueError(_("请至少列出一项需补正的材料。"))
        return result
    return raw


# --- the generic entry point (API and pages) ----------------------------------------------------


def case_available_transitions(*, case: Case, user: User) -> list[TransitionSpec]:
    """The transitions ``user`` may fire on ``case`` now, in the table's order (for buttons and the API)."""
    specs = _specs()
    available = []
    for name, spec in specs.items():
        method = getattr(case, name)
        if has_transition_perm(method, user) and _extra_allowed(case, name, user):
            available.append(spec)
    return available


def _extra_allowed(case: Case, name: str, user: User) -> bool:
    if name == "approve" and case.mode == "parallel":
        return _parallel_ready(case, _today())[0]
    return True


def case_transition(*, case: Case, actor: User, name: str, data: dict[str, Any] | None = None) -> Case:
    specs = _specs()
    if name not in specs:
        raise ApplicationError(
            _("没有这个操作：%(name)s") % {"name": name}, extra={"name": [_("未知的操作。")]}
        )
    handler = _HANDLERS[name]
    data = data or {}
    try:
        return _run(case=case, actor=actor, name=name, data=data, handler=handler)
    except BaseException:
        _discard_stored_uploads(data)  # the rows are rolled back; their files must not stay behind
        raise


@transaction.atomic
def _run(
    *,
    case: Case,
    actor: User | None,
    name: str,
    data: dict[str, Any],
    handler: Callable[..., Outcome],
    system: bool = False,
) -> Case:
    locked = Case.objects.select_for_update().select_related("item", "application").get(pk=case.pk)
    method = getattr(locked, name)
    if not can_proceed(method, check_conditions=False):
        raise ConflictError(
            _("办件当前状态为“%(state)s”，不能执行“%(action)s”。")
            % {
                "state": locked.get_state_display(),
                "action": _specs()[name].label if name in _specs() else name,
            }
        )
    if not system and not has_transition_perm(method, actor):
        if not can_proceed(method):
            raise ConflictError(_("当前条件下不能执行此操作（例如容缺材料尚未补齐或条件未满足）。"))
        raise PermissionDeniedError(_("您无权对该办件执行此操作。"))
    if system and not can_proceed(method):
        raise ConflictError(_("当前条件下不能执行此操作。"))
    cleaned = _clean(_specs()[name], data) if name in _specs() else data
    from_state = locked.state
    outcome = handler(case=locked, actor=actor, data=cleaned, fire=method)
    locked._change_reason = name
    locked._history_user = actor
    locked.save()
    _log(case=locked, name=name, from_state=from_state, actor=actor, reason=outcome.reason, data=outcome.data)
    for recipient, event, context in outcome.notifications:
        notify(recipient=recipient, event=event, context=context, case=locked)
    case_transitioned.send(
        sender=Case, case=locked, name=name, from_state=from_state, to_state=locked.state, actor=actor
    )
    return locked


# --- handlers: fire the transition and set the case's own dates --------------------------------


def _accept_common(case: Case, accepted_on: datetime.date, actor: User | None) -> None:
    case.accepted_at = timezone.now()
    case.accepted_on = accepted_on
    if actor is not None and actor.has_role(Role.CLERK):
        case.clerk = actor
        case.window_id = actor.window_id
    _recompute_due_dates(case)
    _enter_step(case, "review", accepted_on)
    if case.mode == "parallel":
        snapshot = case.application.item_snapshot or {}
        limit = int(snapshot.get("co_department_limit") or 5)
        due = calendar.add_days(accepted_on, limit, unit=case.limit_unit).date
        for dept in snapshot.get("co_departments") or []:
            SubApproval.objects.get_or_create(case=case, department_id=dept["id"], defaults={"due_on": due})


def _accepted_notifications(case: Case) -> list[tuple[User, str, dict[str, Any]]]:
    ctx = {
        **_base_context(case),
        "promised_due": case.promised_due.isoformat(),
        "statutory_due": case.statutory_due.isoformat(),
        "provisional": case.due_provisional,
    }
    out = [(case.applicant, "case.accepted", ctx)]
    out += [
        (u, "staff.new_work", {"reference": case.reference, "queue": "review"})
        for u in _staff(case.department_id, Role.REVIEWER)
    ]
    return out


def _h_accept(*, case: Case, actor: User, data: dict[str, Any], fire: Callable[[], Any]) -> Outcome:
    deferred = data.get("deferred_materials") or []
    supply_by = data.get("supply_by")
    if case.mode == "deferred" and not deferred:
        raise ApplicationError(
            _("容缺受理须列出后补的材料。"), extra={"deferred_materials": [_("此项为必填项。")]}
        )
    if deferred and case.mode != "deferred":
        raise ApplicationError(
            _("该申请不是容缺受理，不能列出后补材料。"),
            extra={"deferred_materials": [_("仅容缺受理可填写。")]},
        )
    fire()
    _accept_common(case, _today(), actor)
    if deferred:
        if supply_by is None:
            raise ApplicationError(_("请填写容缺材料补齐期限。"), extra={"supply_by": [_("此项为必填项。")]})
        if supply_by > case.promised_due or supply_by < case.accepted_on:
            raise ApplicationError(
                _("容缺材料补齐期限应在受理日与承诺办结日期（%(due)s）之间。") % {"due": case.promised_due},
                extra={"supply_by": [_("不得晚于承诺办结日期。")]},
            )
        case.deferred_materials = deferred
        case.deferred_supply_by = supply_by
    return Outcome(
        notifications=_accepted_notifications(case),
        reason=data.get("note", ""),
        data={
            "promised_due": case.promised_due.isoformat(),
            "statutory_due": case.statutory_due.isoformat(),
            "deferred_materials": deferred,
            "supply_by": supply_by.isoformat() if supply_by else None,
        },
    )


def _h_deem_accept(
    *, case: Case, actor: User | None, data: dict[str, Any], fire: Callable[[], Any]
) -> Outcome:
    fire()
    _accept_common(case, case.received_on or _today(), None)
    return Outcome(
        notifications=_accepted_notifications(case),
        reason=_("收件后%(n)s个工作日内未作出受理决定，依法自收到申请之日起即为受理。")
        % {"n": DEEMED_ACCEPTANCE_DAYS},
        data={"promised_due": case.promised_due.isoformat(), "statutory_due": case.statutory_due.isoformat()},
    )


def _h_request_correction(
    *, case: Case, actor: User, data: dict[str, Any], fire: Callable[[], Any]
) -> Outcome:
    fire()
    case.clerk = actor
    case.window_id = actor.window_id
    materials = data["materials"]
    ctx = {**_base_context(case), "materials": materials, "note": data.get("note", "")}
    return Outcome(
        notifications=[(case.applicant, "case.correction_requested", ctx)],
        reason=data.get("note", ""),
        data={"materials": materials},
    )


def _h_supply(*, case: Case, actor: User, data: dict[str, Any], fire: Callable[[], Any]) -> Outcome:
    files = data.get("files") or []
    if not files and not data.get("note"):
        raise ApplicationError(
            _("请上传补正的材料文件，或写明补正情况（例如原件将送到窗口）。"),
            extra={"files": [_("请至少上传一个文件或填写意见。")]},
        )
    checked = _check_supplied_files(case, files)
    fire()
    rows = _store_supplied_files(case, actor, checked)
    notes = (
        []
        if case.clerk_id is None
        else [(case.clerk, "staff.new_work", {"reference": case.reference, "queue": "intake"})]
    )
    supplied = [
        {"material": row.material_name, "file": row.original_name, "sha256": row.sha256} for row in rows
    ]
    return Outcome(
        notifications=notes, reason=data.get("note", ""), data={"files": supplied} if supplied else {}
    )


MAX_SUPPLIED_FILES = 10


def supplied_files_from(files: Any) -> list[tuple[str, Any]]:
    """The supply form's uploads as (material id, file) pairs, from fields named ``files_<material id>``."""
    pairs = []
    for key in files:
        if not key.startswith("files_"):
            raise ApplicationError(
                _("无法识别的上传字段：%(key)s") % {"key": key}, extra={key: [_("未知的字段。")]}
            )
        pairs.extend((key.removeprefix("files_"), upload) for upload in files.getlist(key))
    return pairs


def _check_supplied_files(case: Case, files: list[tuple[str, Any]]) -> list[tuple[Any, Any, dict[str, Any]]]:
    """Check every supplied file before anything is stored: the material belongs to the item, the content
    is an accepted type within the size limit, and no file is sent twice (in this form or before)."""
    from intake.models import ApplicationMaterial, Material
    from intake.services.uploads import inspect_upload

    if len(files) > MAX_SUPPLIED_FILES:
        raise ApplicationError(
            _("一次最多上传%(n)s个文件。") % {"n": MAX_SUPPLIED_FILES}, extra={"files": [_("文件过多。")]}
        )
    materials = {str(m.pk): m for m in Material.objects.filter(item_id=case.item_id)}
    known = set(
        ApplicationMaterial.objects.filter(application_id=case.application_id).values_list(
            "material_id", "sha256"
        )
    )
    checked, seen_names, seen_digests = [], set(), set()
    for key, upload in files:
        field = f"files_{key}"
        material = materials.get(str(key))
        if material is None:
            raise ApplicationError(_("该材料不属于此事项。"), extra={field: [_("材料与事项不符。")]})
        facts = inspect_upload(upload, field=field)
        name_key = facts["original_name"].casefold()  # as for applications: no two files of one name
        if name_key in seen_names:
            raise ApplicationError(
                _("本次提交中有两个同名文件“%(name)s”，请改名或删去其中一个后重新上传。")
                % {"name": facts["original_name"]},
                extra={field: [_("文件名重复。")]},
            )
        if facts["sha256"] in seen_digests or (material.pk, facts["sha256"]) in known:
            raise ApplicationError(
                _("文件“%(name)s”与已提交的文件完全相同，请上传补正后的文件。")
                % {"name": facts["original_name"]},
                extra={field: [_("重复的文件。")]},
            )
        seen_names.add(name_key)
        seen_digests.add(facts["sha256"])
        checked.append((material, upload, facts))
    return checked


def _store_supplied_files(
    case: Case, actor: User, checked: list[tuple[Any, Any, dict[str, Any]]]
) -> list[Any]:
    from intake.services.applications import store_material_file

    rows = []
    for material, upload, facts in checked:
        row = store_material_file(
            application_id=case.application_id, material=material, upload=upload, facts=facts, actor=actor
        )
        upload.portal_stored_name = row.file.name  # removed again if the transaction rolls back
        rows.append(row)
    return rows


def _discard_stored_uploads(data: dict[str, Any]) -> None:
    from intake.models import ApplicationMaterial

    storage = ApplicationMaterial._meta.get_field("file").storage
    for _key, upload in data.get("files") or []:
        name = getattr(upload, "portal_stored_name", None)
        if name:
            storage.delete(name)


def _h_refuse(*, case: Case, actor: User, data: dict[str, Any], fire: Callable[[], Any]) -> Outcome:
    supervisor = User.objects.filter(username=data["approved_by"], is_active=True).first()
    if (
        supervisor is None
        or supervisor.pk == actor.pk
        or not (
            supervisor.has_role(Role.HEAD)
            or (supervisor.has_role(Role.CLERK) and supervisor.is_staff)
            or supervisor.has_role(Role.INSPECTOR)
        )
    ):
        raise ApplicationError(
            _("不予受理须经另一名负责人审核同意（窗口不能单独说“不”）。"),
            extra={"approved_by": [_("请填写另一名有审核权限的负责人的用户名。")]},
        )
    fire()
    case.clerk = actor
    return Outcome(
        notifications=[
            (case.applicant, "case.not_accepted", {**_base_context(case), "reason": data["reason"]})
        ],
        reason=data["reason"],
        data={"approved_by": supervisor.username},
    )


def _h_start_review(*, case: Case, actor: User, data: dict[str, Any], fire: Callable[[], Any]) -> Outcome:
    fire()
    case.reviewer = actor
    case.holder = actor
    return Outcome(reason=data.get("note", ""))


def _h_send_to_decision(*, case: Case, actor: User, data: dict[str, Any], fire: Callable[[], Any]) -> Outcome:
    fire()
    case.holder = None
    _enter_step(case, "decision", _today())
    deciders = [u for u in _staff(case.department_id, Role.DECIDER) if u.pk != actor.pk]
    return Outcome(
        notifications=[
            (u, "staff.new_work", {"reference": case.reference, "queue": "decision"}) for u in deciders
        ],
        reason=data["opinion"],
    )


def _parallel_ready(case: Case, today: datetime.date) -> tuple[bool, list[SubApproval]]:
    subs = list(case.sub_approvals.select_related("department"))
    waiting = [s for s in subs if not s.answer and s.due_on >= today]
    return (not waiting, subs)


def _approve_common(case: Case, actor: User, opinion: str) -> Outcome:
    data: dict[str, Any] = {}
    if case.mode == "parallel":
        ready, subs = _parallel_ready(case, _today())
        if not ready:
            raise ConflictError(_("仍有协办部门在时限内未答复，暂不能作出决定。"))
        deemed = []
        for sub in subs:
            if not sub.answer:
                sub.answer = SubApprovalAnswer.DEEMED
                sub.answered_at = timezone.now()
                sub.opinion = _("协办时限届满未答复，视为同意。")
                sub._change_reason = "deemed consent"
                sub.save()
                deemed.append(sub.department.name)
        data["deemed_consent"] = deemed
    case.decider = actor
    case.holder = None
    case.decision_reasons = opinion
    _conclude(case)
    _enter_step(case, "delivery", case.concluded_on)
    if case.mode == "commitment":
        days = int((case.application.item_snapshot or {}).get("after_check_days") or 20)
        case.after_check_due = calendar.add_days(case.concluded_on, days).date
        data["after_check_due"] = case.after_check_due.isoformat()
    data["elapsed_days"] = case.elapsed_days
    return Outcome(
        notifications=[(case.applicant, "case.approved", _base_context(case))], reason=opinion, data=data
    )


def _h_approve(*, case: Case, actor: User, data: dict[str, Any], fire: Callable[[], Any]) -> Outcome:
    if case.mode == "parallel" and not _parallel_ready(case, _today())[0]:
        raise ConflictError(_("仍有协办部门在时限内未答复，暂不能作出决定。"))
    fire()
    return _approve_common(case, actor, data.get("opinion", ""))


def _h_approve_on_the_spot(
    *, case: Case, actor: User, data: dict[str, Any], fire: Callable[[], Any]
) -> Outcome:
    if case.mode == "commitment" and not case.application.commitment_signed:
        raise ConflictError(_("申请人未签署告知承诺书，不能按告知承诺办理。"))
    fire()
    return _approve_common(case, actor, data.get("note", ""))


def _h_deny(*, case: Case, actor: User, data: dict[str, Any], fire: Callable[[], Any]) -> Outcome:
    fire()
    case.decider = actor
    case.holder = None
    case.decision_reasons = data["reasons"]
    case.remedies = data.get("remedies") or DEFAULT_REMEDIES
    _conclude(case)
    _enter_step(case, "delivery", case.concluded_on)
    ctx = {**_base_context(case), "reasons": case.decision_reasons, "remedies": case.remedies}
    return Outcome(
        notifications=[(case.applicant, "case.denied", ctx)],
        reason=data["reasons"],
        data={"remedies": case.remedies, "elapsed_days": case.elapsed_days},
    )


def _h_suspend(*, case: Case, actor: User, data: dict[str, Any], fire: Callable[[], Any]) -> Outcome:
    fire()
    Suspension.objects.create(
        case=case,
        kind=data["kind"],
        reason=data["reason"],
        expected_days=data["expected_days"],
        started_on=_today(),
        started_by=actor,
    )
    from .constants import SuspensionKind

    ctx = {
        **_base_context(case),
        "kind": str(SuspensionKind(data["kind"]).label),
        "reason": data["reason"],
        "expected_days": data["expected_days"],
    }
    return Outcome(
        notifications=[(case.applicant, "case.suspended", ctx)],
        reason=data["reason"],
        data={"kind": data["kind"], "expected_days": data["expected_days"]},
    )


def _h_resume(*, case: Case, actor: User, data: dict[str, Any], fire: Callable[[], Any]) -> Outcome:
    fire()
    today = _today()
    open_one = case.suspensions.filter(resumed_on__isnull=True).order_by("-started_on").first()
    taken = 0
    if open_one is not None:
        open_one.resumed_on = today
        open_one._change_reason = "resume"
        open_one.save()
        taken = calendar.count_days(open_one.started_on, today, unit=case.limit_unit)
    case.suspended_days += taken
    _recompute_due_dates(case)
    if case.step_due is not None and taken:
        case.step_due = calendar.add_days(case.step_due, taken, unit=case.limit_unit).date
    ctx = {
        **_base_context(case),
        "promised_due": case.promised_due.isoformat(),
        "statutory_due": case.statutory_due.isoformat(),
    }
    return Outcome(
        notifications=[(case.applicant, "case.resumed", ctx)],
        reason=data.get("note", ""),
        data={
            "suspended_days": taken,
            "promised_due": ctx["promised_due"],
            "statutory_due": ctx["statutory_due"],
        },
    )


def _h_extend(*, case: Case, actor: User, data: dict[str, Any], fire: Callable[[], Any]) -> Outcome:
    allowed = deadlines.extension_max(case.statutory_limit) - case.extension_days
    if data["days"] > allowed:
        raise ApplicationError(
            _("延期不得超过法定上限，本件最多还可延长%(n)s个工作日。") % {"n": max(allowed, 0)},
            extra={"days": [_("超过法定可延长的期限。")]},
        )
    fire()
    case.extension_days += data["days"]
    _recompute_due_dates(case)
    ctx = {**_base_context(case), "statutory_due": case.statutory_due.isoformat(), "reason": data["reason"]}
    return Outcome(
        notifications=[(case.applicant, "case.extended", ctx)],
        reason=data["reason"],
        data={"days": data["days"], "statutory_due": ctx["statutory_due"]},
    )


def _h_supply_deferred(*, case: Case, actor: User, data: dict[str, Any], fire: Callable[[], Any]) -> Outcome:
    fire()
    case.deferred_supplied_at = timezone.now()
    return Outcome(reason=data.get("note", ""), data={"materials": case.deferred_materials})


def _h_withdraw(*, case: Case, actor: User, data: dict[str, Any], fire: Callable[[], Any]) -> Outcome:
    fire()
    case.holder = None
    return Outcome(
        notifications=[
            (case.applicant, "case.withdrawn", {**_base_context(case), "reason": data.get("reason", "")})
        ],
        reason=data.get("reason", ""),
    )


def _h_terminate(*, case: Case, actor: User | None, data: dict[str, Any], fire: Callable[[], Any]) -> Outcome:
    fire()
    case.holder = None
    return Outcome(
        notifications=[
            (case.applicant, "case.terminated", {**_base_context(case), "reason": data["reason"]})
        ],
        reason=data["reason"],
    )


def _h_revoke(*, case: Case, actor: User, data: dict[str, Any], fire: Callable[[], Any]) -> Outcome:
    fire()
    case.after_checked_at = timezone.now()
    return Outcome(
        notifications=[(case.applicant, "case.revoked", {**_base_context(case), "reason": data["reason"]})],
        reason=data["reason"],
    )


def _h_deliver(*, case: Case, actor: User, data: dict[str, Any], fire: Callable[[], Any]) -> Outcome:
    if data["method"] == "post" and not data.get("tracking_number"):
        raise ApplicationError(
            _("邮寄送达须填写邮寄单号。"), extra={"tracking_number": [_("此项为必填项。")]}
        )
    fire()
    case.delivery_method = data["method"]
    case.tracking_number = data.get("tracking_number", "")
    case.delivered_at = timezone.now()
    case.current_step = ""
    case.step_due = None
    ctx = {
        **_base_context(case),
        "method": case.get_delivery_method_display(),
        "place": data.get("place", ""),
        "tracking_number": case.tracking_number,
    }
    return Outcome(
        notifications=[(case.applicant, "case.result_ready", ctx)],
        data={"method": case.delivery_method, "tracking_number": case.tracking_number},
    )


_HANDLERS: dict[str, Callable[..., Outcome]] = {
    "accept": _h_accept,
    "deem_accept": _h_deem_accept,
    "request_correction": _h_request_correction,
    "supply": _h_supply,
    "refuse": _h_refuse,
    "start_review": _h_start_review,
    "send_to_decision": _h_send_to_decision,
    "approve": _h_approve,
    "approve_on_the_spot": _h_approve_on_the_spot,
    "deny": _h_deny,
    "suspend": _h_suspend,
    "resume": _h_resume,
    "extend": _h_extend,
    "supply_deferred": _h_supply_deferred,
    "withdraw": _h_withdraw,
    "terminate": _h_terminate,
    "revoke": _h_revoke,
    "deliver": _h_deliver,
}


# --- keyword services named after their action (STYLE), for code that knows what it does -------


def case_accept(
    *,
    case: Case,
    actor: User,
    note: str = "",
    deferred_materials: list[str] | None = None,
    supply_by: datetime.date | None = None,
) -> Case:
    return case_transition(
        case=case,
        actor=actor,
        name="accept",
        data={"note": note, "deferred_materials": deferred_materials or [], "supply_by": supply_by},
    )


def case_request_correction(
    *, case: Case, actor: User, materials: list[dict[str, str]], note: str = ""
) -> Case:
    return case_transition(
        case=case, actor=actor, name="request_correction", data={"materials": materials, "note": note}
    )


def case_approve(*, case: Case, actor: User, opinion: str = "") -> Case:
    return case_transition(case=case, actor=actor, name="approve", data={"opinion": opinion})


def case_deny(*, case: Case, actor: User, reasons: str, remedies: str = "") -> Case:
    return case_transition(
        case=case, actor=actor, name="deny", data={"reasons": reasons, "remedies": remedies}
    )


# --- opening, co-department answers, scans -------------------------------------------------------


@transaction.atomic
def case_open(*, application: Application, actor: User | None) -> Case:
    """Open the case of a just-submitted application and fire ``submit`` (draft → submitted): one insert,
    one history record (created, submitted) and the transition log's first line."""
    snap = application.item_snapshot
    now = application.submitted_at or timezone.now()
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
        current_step=_("受理"),
    )
    if application.registered_by_id:
        case.clerk_id = application.registered_by_id
        case.window_id = getattr(application.registered_by, "window_id", None)
    from_state = case.state
    case.submit()
    case._change_reason = "submit"
    case._history_user = actor
    case.save()
    _log(case=case, name="submit", from_state=from_state, actor=actor)
    case_transitioned.send(
        sender=Case, case=case, name="submit", from_state=from_state, to_state=case.state, actor=actor
    )
    return case


@transaction.atomic
def subapproval_answer(*, sub: SubApproval, actor: User, answer: str, opinion: str = "") -> SubApproval:
    """A co-department's reviewer, decider or head answers its part of a parallel case."""
    locked = SubApproval.objects.select_for_update().select_related("case").get(pk=sub.pk)
    if not (
        actor.department_id == locked.department_id and actor.has_role(Role.REVIEWER, Role.DECIDER, Role.HEAD)
    ):
        raise PermissionDeniedError(_("只有协办部门的工作人员可以答复。"))
    if locked.answer:
        raise ConflictError(_("该协办意见已答复，不能重复答复。"))
    if locked.case.state not in (
        CaseState.ACCEPTED,
        CaseState.IN_REVIEW,
        CaseState.AWAITING_DECISION,
        CaseState.SUSPENDED,
    ):
        raise ConflictError(_("办件已不在审查阶段。"))
    if answer not in (SubApprovalAnswer.CONSENT, SubApprovalAnswer.OBJECT):
        raise ApplicationError(_("请选择同意或不同意。"), extra={"answer": [_("不是有效的选项。")]})
    if answer == SubApprovalAnswer.OBJECT and not opinion.strip():
        raise ApplicationError(_("不同意时须说明理由。"), extra={"opinion": [_("此项为必填项。")]})
    locked.answer = answer
    locked.opinion = opinion
    locked.answered_by = actor
    locked.answered_at = timezone.now()
    locked._change_reason = "answer"
    locked._history_user = actor
    locked.save()
    CaseTransition.objects.create(
        case=locked.case,
        name="sub_approval",
        from_state=locked.case.state,
        to_state=locked.case.state,
        actor=actor,
        reason=opinion,
        data={"department": locked.department.name, "answer": answer},
    )
    return locked


def deemed_acceptance_cutoff(today: datetime.date) -> datetime.date:
    """The latest receipt day whose applications have waited the full 5 working days by ``today``."""
    day = today
    while calendar.count_days(day, today) < DEEMED_ACCEPTANCE_DAYS:
        day -= datetime.timedelta(days=1)
    return day


def deem_accepted_scan(*, today: datetime.date | None = None, batch: int = 500) -> int:
    """Accept (as of the day received) every submitted case unanswered for 5 working days. Idempotent:
    each case is locked and re-checked by its own transaction."""
    today = today or _today()
    cutoff = deemed_acceptance_cutoff(today)
    ids = list(
        Case.objects.filter(state=CaseState.SUBMITTED, received_on__lte=cutoff).values_list("pk", flat=True)[
            :batch
        ]
    )
    done = 0
    for pk in ids:
        try:
            _run(
                case=Case(pk=pk), actor=None, name="deem_accept", data={}, handler=_h_deem_accept, system=True
            )
            done += 1
        except ConflictError:
            continue  # someone answered meanwhile
    return done


def deferred_overdue_scan(*, today: datetime.date | None = None) -> int:
    """容缺: terminate the cases whose deferred materials did not arrive by their date."""
    today = today or _today()
    ids = list(
        Case.objects.filter(
            state__in=[
                CaseState.ACCEPTED,
                CaseState.IN_REVIEW,
                CaseState.AWAITING_DECISION,
                CaseState.SUSPENDED,
            ],
            deferred_supply_by__lt=today,
            deferred_supplied_at__isnull=True,
        )
        .exclude(deferred_materials=[])
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in ids:
        try:
            _run(
                case=Case(pk=pk),
                actor=None,
                name="terminate",
                data={"reason": _("容缺材料未在承诺期限内补齐，依法终止办理。")},
                handler=_h_terminate,
                system=True,
            )
            done += 1
        except ConflictError:
            continue
    return done


def recompute_open_cases() -> int:
    """After the calendar changed: recompute the due dates of every open accepted case."""
    from .constants import RUNNING_STATES

    changed = 0
    for case in (
        Case.objects.filter(state__in=list(RUNNING_STATES))
        .prefetch_related("suspensions")
        .iterator(chunk_size=500)
    ):
        before = (case.promised_due, case.statutory_due, case.due_provisional)
        _recompute_due_dates(case)
        if before != (case.promised_due, case.statutory_due, case.due_provisional):
            Case.objects.filter(pk=case.pk).update(
                promised_due=case.promised_due,
                statutory_due=case.statutory_due,
                due_provisional=case.due_provisional,
            )
            changed += 1
    return changed


@transaction.atomic
def case_check_materials(
    *, case: Case, actor: User, checks: dict[int, dict[str, Any]]
) -> list[dict[str, str]]:
    """The window checks each uploaded material (received / missing / faulty, original seen). Returns the
    problems found, ready for a one-time correction notice."""
    from intake.constants import MaterialCheck

    locked = Case.objects.select_for_update().get(pk=case.pk)
    if not actor.has_role(Role.CLERK):
        raise PermissionDeniedError(_("只有综合受理窗口可以核验材料。"))
    if locked.state != CaseState.SUBMITTED:
        raise ConflictError(_("只有待受理的申请可以核验材料。"))
    rows = {row.pk: row for row in locked.application.materials.all()}
    problems: list[dict[str, str]] = []
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
    CaseTransition.objects.create(
        case=locked,
        name="check_materials",
        from_state=locked.state,
        to_state=locked.state,
        actor=actor,
        data={"checks": {str(k): v for k, v in checks.items()}, "problems": problems},
    )
    return problems
