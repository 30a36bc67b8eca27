"""The window's part (受理, DESIGN §3): opening the case of a submitted application, checking its
materials, accepting it — by the clerk, or deemed accepted after 5 working days (Art. 32)."""

import datetime
import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from functools import partial
from typing import Any, TypedDict

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from intake.constants import MaterialCheck
from intake.models import Application, ApplicationMaterial, Material
from portal.accounts.constants import Role
from portal.accounts.models import User
from portal.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from portal.notifications.constants import ChannelKind, DeliveryStatus
from portal.notifications.models import Delivery, Notification
from portal.notifications.services import SWEEP_GRACE, enqueue, notify, notify_each

from .. import deadlines
from ..constants import DEEMED_ACCEPTANCE_DAYS, CaseAction, CaseState, MaterialVerdict
from ..models import Case, MaterialReview
from ..permissions import may_check_materials
from ..selectors import checkable_materials, unchecked_supplied_files
from .common import (
    base_context,
    due_dates_context,
    enter_step,
    lock_case,
    log_transition,
    recompute_due_dates,
    record_opening,
    record_transition,
    staff_with_roles,
    today,
)
from .parallel import sub_approvals_open

PROBLEM_MAX = 300  # MaterialReview.problem, ApplicationMaterial.check_note
NEW_SUBMISSION_TASK = "approvals.tasks.tell_clerks_of_new_submission"
NEW_SUBMISSION_EVENT = "staff.new_submission"
RECEIPT_EVENT = "application.received"  # the applicant's receipt (intake.services.applications.submit)
log = logging.getLogger(__name__)


class CorrectionItem(TypedDict):
    """One line of a correction notice: which material, and what is wrong with it."""

    name: str
    problem: str


class MaterialCheckInput(TypedDict, total=False):
    """The window's check of one material: ``verdict`` 合格 (``ok``) or 需补正 (``fix``), the problem in
    words (needed with 需补正), and whether the original was seen at the window."""

    verdict: str
    problem: str
    original_seen: bool


@transaction.atomic(savepoint=False)  # always inside the submission: no savepoint
def case_open(
    *, application: Application, actor: User | None, receipt_deliveries: Sequence[int] = ()
) -> Case:
    """Open the case of a just-submitted application and fire ``submit`` (draft → submitted): one insert,
    one history record (created, submitted) and the transition log's first line. Called by the
    submission itself (``intake.services.applications.application_submit``, through ``portal.flows``).

    ``receipt_deliveries``: the applicant's receipt deliveries (SMS, e-mail) the submission wrote without
    queueing them: after the commit one task hands them to the broker and tells the clerks (one publish
    per online submission instead of two)."""
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
    record_opening(case=case, action=CaseAction.SUBMIT, from_state=from_state, actor=actor)
    if not application.registered_by_id:
        # the clerks' notices are written after the commit, by a task (the applicant's receipt is not),
        # which also queues the receipt's SMS
        transaction.on_commit(partial(queue_new_submission_notices, case.pk, list(receipt_deliveries)))
    else:
        for pk in receipt_deliveries:
            transaction.on_commit(partial(enqueue, pk))
    return case


def package_whole_check(case: Case, as_part_of_package: bool) -> None:
    """一件事 (DESIGN §10): the window accepts a package's cases, or asks for their correction, as one —
    on the package (approvals/services/packages.py), never one case alone."""
    if case.application.package_application_id and not as_part_of_package:
        raise ConflictError(_("该办件属于“一件事”，窗口须在一件事页面对其所有事项一并核验、补正和受理。"))


# The coalesced wake-up (issue 19, seventh pass): after its commit an online submission sets this key on the
# broker's Redis (``SET NX EX``, one round trip) and only the submission that set it publishes the drain
# task, which deletes the key before it reads the cases (``new_submissions_drained``). A submission that
# finds the key set committed before the drain that set it reads, so that drain tells its clerks: no
# wake-up is lost, and under load one publish serves many submissions. The expiry bounds what a lost drain
# (a purged queue, a broker that lost its data) can hold up: the next submission after it publishes again,
# and the sweeps below are still the net for everything older.
NEW_SUBMISSION_DRAIN_TASK = "approvals.tasks.tell_clerks_of_new_submissions"
NEW_SUBMISSION_WAKE_KEY = "approvals:new-submissions:wake"
NEW_SUBMISSION_WAKE_SECONDS = 30
# how far back a drain looks: older cases are the sweep's (every one of them, after SWEEP_GRACE)
NEW_SUBMISSION_DRAIN_WINDOW = timedelta(minutes=15)
_wake_clients: dict[str, Any] = {}


def _wake_client() -> Any:
    """A redis-py client of the broker's Redis (one per process and URL; redis-py's pool is fork-safe), or
    None when the broker is not Redis or Celery runs tasks eagerly (nothing to coalesce: the drain runs
    at once, in this process)."""
    from celery import current_app
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    if current_app.conf.task_always_eager or not url.startswith(("redis://", "rediss://")):
        return None
    client = _wake_clients.get(url)
    if client is None:
        import redis

        client = _wake_clients[url] = redis.Redis.from_url(
            url, socket_connect_timeout=0.5, socket_timeout=1.0
        )
    return client


def queue_new_submission_notices(case_id: int, receipt_deliveries: Sequence[int] = ()) -> bool:
    """DESIGN §7 "new work in their queue", after an online submission's commit: wake the drain task
    (``new_submissions_drained``) that tells the clerks of every online submission not told yet and
    queues each one's receipt deliveries (``receipt_deliveries``, pending: the drain finds them by the
    case). One publish per wake-up, not per submission: a submission that finds the wake-up key set
    leaves its case to the drain that set it (see ``NEW_SUBMISSION_WAKE_KEY``). A broker that refuses the
    task leaves the case to ``new_submission_notice_sweep`` and the receipt's deliveries (pending) to the
    outbox sweeper, so the submission never fails and no notice is lost. True when the case is in the
    hands of a drain."""
    client = _wake_client()
    if client is not None:
        try:
            if not client.set(NEW_SUBMISSION_WAKE_KEY, 1, nx=True, ex=NEW_SUBMISSION_WAKE_SECONDS):
                return True  # a drain is queued and has not started reading: it reads this case
        except Exception as exc:  # noqa: BLE001 (any Redis error): publish, as without the key
            log.warning("wake-up key unavailable, publishing the drain anyway: %s", exc)
            client = None
    try:
        # by its dotted path, as portal.flows does: approvals.tasks wraps this module (an import would be a
        # cycle); the task object, not a signature by name, so that an eager configuration runs it here
        import_string(NEW_SUBMISSION_DRAIN_TASK).apply_async(retry=False)
        return True
    except Exception as exc:  # noqa: BLE001 (any broker error: kombu, redis, OS)
        log.warning(
            "broker unavailable, new-submission notices of case %s and its receipt %s left for the sweeps: %s",
            case_id,
            list(receipt_deliveries),
            exc,
        )
        if client is not None:
            try:  # no drain holds the key: the next submission tries the broker again
                client.delete(NEW_SUBMISSION_WAKE_KEY)
            except Exception:  # noqa: BLE001, S110 (Redis away too: the key expires)
                pass
        return False


def new_submissions_drained(*, window: timedelta | None = None, batch: int = 500) -> int:
    """The drain task's work: delete the wake-up key first (a submission committed after this point sets
    it again and wakes another drain), then tell the clerks of every online submission of the last
    ``window`` still waiting for the window and not told yet, and queue each one's receipt deliveries
    once, with its clerks' notices (``clerks_told_of_new_submission``: once per case under the case's row
    lock). Returns the cases whose clerks it told."""
    client = _wake_client()
    if client is not None:
        client.delete(NEW_SUBMISSION_WAKE_KEY)  # an error here: the task is retried (the sweeps meanwhile)
    # no upper bound on the submission time: a case committed before the delete above is read whatever
    # its time (set by a web server's clock, before its commit) says against this worker's clock
    since = timezone.now() - (NEW_SUBMISSION_DRAIN_WINDOW if window is None else window)
    told = 0
    seen: set[int] = set()
    queued: set[int] = set()
    while True:  # batch after batch: the submissions that found the key set count on this drain
        read = _untold_online_submissions(since=since, until=None, batch=batch)
        ids = [pk for pk in read if pk not in seen]
        for pk in ids:
            seen.add(pk)
            count, receipt = _clerks_told(pk, receipt=True)
            for delivery_id in receipt:  # committed: the deliver task reads the row
                enqueue(delivery_id)
                queued.add(delivery_id)
            told += bool(count)
        # all read, or nothing new (a case left untold, e.g. with no active clerk, is not handled twice)
        if len(read) < batch or not ids:
            break
    for delivery_id in _receipts_left_behind(since=since, queued=queued):
        enqueue(delivery_id)
    return told


def _receipts_left_behind(*, since: datetime.datetime, queued: set[int]) -> list[int]:
    """The receipt deliveries, never tried, of the online submissions the window took up (accepted, asked
    for a correction, refused) before a drain read them: they left the intake queue, so no clerk needs
    telling, but the applicant's receipt is still theirs to send now, not at the outbox sweep's grace.
    (The deliver task's status guard makes a second hand-off of the same row harmless.)"""
    left = Case.objects.filter(submitted_at__gte=since, application__registered_by__isnull=True).exclude(
        state=CaseState.SUBMITTED
    )
    return [
        pk
        for pk in Delivery.objects.filter(
            status=DeliveryStatus.PENDING,
            updated_at__gte=since,
            attempts=0,
            notification__event=RECEIPT_EVENT,
            notification__case_reference__in=left.values("reference"),
        )
        .exclude(channel=ChannelKind.INBOX)
        .order_by("pk")
        .values_list("pk", flat=True)
        if pk not in queued
    ]


def clerks_told_of_new_submission(case_id: int) -> int:
    """An online submission enters the intake queue of the window, and every window takes every
    department's items (无差别受理), so every active clerk hears of it, in the inbox (and by SMS or e-mail
    as they chose). (A walk-in application registered by a clerk is already in that clerk's hands.)

    Once per case: the case row is locked, and a case whose clerks were told already is left alone (the
    task redelivered, retried, or run next to the sweep). Returns the number of clerks told."""
    return _clerks_told(case_id)[0]


@transaction.atomic
def _clerks_told(case_id: int, *, receipt: bool = False) -> tuple[int, list[int]]:
    """``clerks_told_of_new_submission``; with ``receipt``, also the ids of the applicant's receipt
    deliveries still unsent and never tried, when this call is the one that tells the clerks (for the
    caller to queue once this commits)."""
    locked = Case.objects.select_for_update().filter(pk=case_id).values_list("reference", flat=True).first()
    if locked is None:
        return 0, []
    if Notification.objects.filter(event=NEW_SUBMISSION_EVENT, case_reference=locked).exists():
        return 0, []
    case = Case.objects.select_related(
        "item", "application__package_application__package", "application__registered_by"
    ).get(pk=case_id)
    if case.application.registered_by_id:
        return 0, []
    clerks = User.objects.filter(groups__name=Role.CLERK, is_active=True).distinct().order_by("pk")
    notes = notify_each(recipients=clerks, event=NEW_SUBMISSION_EVENT, context=base_context(case), case=case)
    pending: list[int] = []
    if receipt:
        pending = list(
            Delivery.objects.filter(
                notification__event=RECEIPT_EVENT,
                notification__case_reference=locked,
                status=DeliveryStatus.PENDING,
                attempts=0,
            )
            .exclude(channel=ChannelKind.INBOX)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return len({d.notification_id for d in notes}), pending


NEW_SUBMISSION_SWEEP_DAYS = 7


def _untold_online_submissions(
    *, since: datetime.datetime, until: datetime.datetime | None, batch: int
) -> list[int]:
    """The online submissions (no clerk registered them) submitted since ``since`` (and up to ``until``),
    still waiting for the window, whose clerks' notices are not written: ids, oldest first."""
    told = Notification.objects.filter(event=NEW_SUBMISSION_EVENT, case_reference=OuterRef("reference"))
    cases = Case.objects.filter(
        state=CaseState.SUBMITTED, submitted_at__gte=since, application__registered_by__isnull=True
    )
    if until is not None:
        cases = cases.filter(submitted_at__lte=until)
    return list(
        cases.exclude(Exists(told)).order_by("submitted_at", "pk").values_list("pk", flat=True)[:batch]
    )


def new_submission_notice_sweep(*, grace: timedelta | None = None, batch: int = 500) -> int:
    """The net under ``queue_new_submission_notices``: tell the clerks of every online submission still
    waiting for the window whose notices are not written after the grace period (the broker was down at
    the commit, or the task was lost). A case the window has already taken up (accepted, asked for a
    correction, refused) is out of the intake queue and needs no notice. Returns the cases handled."""
    now = timezone.now()
    ids = _untold_online_submissions(
        since=now - timedelta(days=NEW_SUBMISSION_SWEEP_DAYS),
        until=now - (SWEEP_GRACE if grace is None else grace),
        batch=batch,
    )
    return sum(1 for pk in ids if clerks_told_of_new_submission(pk))


@transaction.atomic
def case_check_materials(
    *, case: Case, actor: User, checks: Mapping[int, MaterialCheckInput]
) -> list[MaterialReview]:
    """The window records its check of the materials named in ``checks`` (material id → check), as it
    goes: one row per material of the item, kept until changed; the materials not named keep theirs.
    Every file of a checked material counts as checked (a file supplied later is unchecked again until
    its material is checked once more). Returns the case's check rows."""
    locked = Case.objects.select_for_update().select_related("application").get(pk=case.pk)
    if not may_check_materials(locked, actor):
        raise PermissionDeniedError(_("只有综合受理窗口可以核验材料。"))
    if locked.state != CaseState.SUBMITTED:
        raise ConflictError(_("只有待受理的申请可以核验材料。"))
    materials = {m.pk: m for m in checkable_materials(locked)}
    errors: dict[str, list[str]] = {}
    rows: list[tuple[Material, str, str, bool]] = []
    for pk, check in checks.items():
        material = materials.get(pk)
        verdict = check.get("verdict", "")
        problem = str(check.get("problem", "") or "").strip()
        if material is None:
            errors[f"verdict_{pk}"] = [_("该材料不属于此事项。")]
            continue
        if verdict not in MaterialVerdict.values:
            errors[f"verdict_{pk}"] = [_("请选择“%(name)s”合格还是需补正。") % {"name": material.name}]
        elif verdict == MaterialVerdict.FIX and not problem:
            errors[f"problem_{pk}"] = [_("请写明“%(name)s”存在的问题。") % {"name": material.name}]
        if len(problem) > PROBLEM_MAX:
            errors[f"problem_{pk}"] = [_("问题说明最多%(n)s字。") % {"n": PROBLEM_MAX}]
        rows.append((material, verdict, problem, bool(check.get("original_seen"))))
    if errors:
        raise ApplicationError(_("核验结果有误，请修改后重试。"), extra=errors)
    now = timezone.now()
    changed = {}
    for material, verdict, problem, seen in rows:
        review = MaterialReview.objects.filter(case=locked, material=material).first()
        if review and (review.verdict, review.problem, review.original_seen) == (verdict, problem, seen):
            continue
        MaterialReview.objects.update_or_create(
            case=locked,
            material=material,
            defaults={
                "material_name": material.name,
                "verdict": verdict,
                "problem": problem,
                "original_seen": seen,
                "checked_by": actor,
                "checked_at": now,
            },
        )
        ApplicationMaterial.objects.filter(application_id=locked.application_id, material=material).update(
            check_result=MaterialCheck.RECEIVED if verdict == MaterialVerdict.OK else MaterialCheck.FAULTY,
            original_seen=seen,
            check_note=problem,
        )
        changed[material.name] = {"verdict": verdict, "problem": problem, "original_seen": seen}
    if changed:
        log_transition(
            case=locked,
            action="check_materials",
            from_state=str(locked.state),
            actor=actor,
            data={"checks": changed},
        )
    return list(locked.material_reviews.all())


def item_materials(case: Case) -> list[dict[str, Any]]:
    """The item's materials as the case's terms froze them (the snapshot), else the catalogue's."""
    snapshot = (case.application.item_snapshot or {}).get("materials")
    if snapshot:
        return list(snapshot)
    return [
        {"id": m.pk, "name": m.name, "deferrable": m.deferrable}
        for m in Material.objects.filter(item_id=case.item_id, active=True)
    ]


def deferrable_check(case: Case, names: Sequence[str]) -> None:
    """400 unless every named material is one the item's catalogue marks deferrable (容缺, DESIGN §3)."""
    materials = {m["name"]: m for m in item_materials(case)}
    unknown = [n for n in names if n not in materials]
    if unknown:
        raise ApplicationError(
            _("“%(names)s”不是该事项的申请材料。") % {"names": "、".join(unknown)},
            extra={"deferred_materials": [_("请按事项材料清单填写材料名称。")]},
        )
    key = [n for n in names if not materials[n].get("deferrable")]
    if key:
        raise ApplicationError(
            _("“%(names)s”不是目录中可容缺后补的材料，不能容缺受理。") % {"names": "、".join(key)},
            extra={"deferred_materials": [_("只能列出目录标明“可容缺后补”的材料。")]},
        )


def _accept_common(case: Case, accepted_on: datetime.date, actor: User | None) -> None:
    """Acceptance, by the window or deemed: the clock starts, the review step opens, and the
    co-departments of a parallel case get their part with its own due date."""
    case.accepted_at = timezone.now()
    case.accepted_on = accepted_on
    case.refusal_proposed_by = None  # a refusal still waiting for sign-off is moot once accepted
    if actor is not None and actor.has_role(Role.CLERK):
        case.clerk = actor
        case.window_id = actor.window_id
    recompute_due_dates(case)
    enter_step(case, "review", accepted_on)
    if case.mode == "parallel":
        sub_approvals_open(case=case, accepted_on=accepted_on)


def _notify_accepted(case: Case, *, applicant: bool = True) -> None:
    context: dict[str, Any] = {
        **base_context(case),
        **due_dates_context(case),
        "provisional": case.due_provisional,
    }
    if applicant:
        notify(recipient=case.applicant, event="case.accepted", context=context, case=case)
    for reviewer in staff_with_roles(case.department_id, Role.REVIEWER):
        notify(
            recipient=reviewer,
            event="staff.new_work",
            context={**base_context(case), "queue": "review"},
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
    override_reason: str = "",
    notify_applicant: bool = True,
    as_part_of_package: bool = False,
) -> Case:
    """The window accepts. Under 容缺 it lists the deferrable materials still to come and the date they
    are due by, between the acceptance day and the promised due date. Files supplied after a correction
    notice are checked first (Art. 32: accepted on the corrected materials); accepting with some still
    unchecked needs the clerk's reason for it, which the case's history keeps."""
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.ACCEPT)
    package_whole_check(case, as_part_of_package)
    override_reason = override_reason.strip()
    unchecked = [f"{f.material_name}（{f.original_name}）" for f in unchecked_supplied_files(case)]
    if unchecked and not override_reason:
        raise ApplicationError(
            _("补正后上传的文件尚未核验：%(files)s。请先在材料核验中核验；确需先行受理的，请写明理由。")
            % {"files": "、".join(unchecked)},
            extra={"override_reason": [_("补正文件尚未核验：请先核验，或在此写明先行受理的理由。")]},
        )
    if not unchecked:
        override_reason = ""
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
    if deferred:
        deferrable_check(case, deferred)
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
    reason = note
    if override_reason:
        overridden = _("补正文件未经核验即受理（%(files)s），理由：%(reason)s") % {
            "files": "、".join(unchecked),
            "reason": override_reason,
        }
        reason = f"{note}\n{overridden}" if note else overridden
    record_transition(
        case=case,
        action=CaseAction.ACCEPT,
        from_state=from_state,
        actor=actor,
        reason=reason,
        data={
            **due_dates_context(case),
            "deferred_materials": deferred,
            "supply_by": supply_by.isoformat() if supply_by else None,
            **({"unchecked_override": {"files": unchecked, "reason": override_reason}} if unchecked else {}),
        },
    )
    _notify_accepted(case, applicant=notify_applicant)
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
