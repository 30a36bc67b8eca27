"""容缺受理 (accept with deferred materials, DESIGN §2–3): only materials the catalogue marks deferrable may
follow later (checked on acceptance, ``intake.deferrable_check``); they arrive as files (``case_supply_deferred``)
that the window checks like any other material (``case_check_deferred``). The result waits until the window
has found them in order. (Materials not supplied by their date end the case: ``scans.deferred_overdue_scan``.)"""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.constants import MaterialCheck
from intake.models import ApplicationMaterial, Material
from portal.accounts.constants import Role
from portal.accounts.models import User
from portal.exceptions import ApplicationError
from portal.notifications.services import notify

from ..constants import CaseAction
from ..models import Case
from .common import base_context, lock_case, record_transition
from .correction import (
    SuppliedFile,
    _check_supplied_files,
    _store_supplied_files,
    discard_stored_uploads,
)
from .intake import item_materials

CHECK_RESULTS = (MaterialCheck.RECEIVED, MaterialCheck.FAULTY)


def deferred_material_rows(case: Case) -> list[Material]:
    """The catalogue rows of the case's deferred materials (the files are uploaded against them)."""
    ids = {m["name"]: m.get("id") for m in item_materials(case)}
    wanted = [ids.get(name) for name in case.deferred_materials]
    rows = {m.pk: m for m in Material.objects.filter(pk__in=[pk for pk in wanted if pk])}
    return [rows[pk] for pk in wanted if pk in rows]


def case_supply_deferred(
    *, case: Case, actor: User, files: Sequence[SuppliedFile] = (), note: str = ""
) -> Case:
    """The applicant (or the window for them) uploads the deferred materials, a file for each; the window
    then checks them. Files stored before a failure are removed again."""
    try:
        return _supply_deferred(case=case, actor=actor, files=files, note=note)
    except BaseException:
        discard_stored_uploads(upload for _key, upload in files)
        raise


@transaction.atomic
def _supply_deferred(*, case: Case, actor: User, files: Sequence[SuppliedFile], note: str) -> Case:
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.SUPPLY_DEFERRED)
    expected = deferred_material_rows(case)
    given = {str(key) for key, _upload in files}
    allowed = {str(m.pk) for m in expected}
    stray = sorted(given - allowed)
    if stray:
        raise ApplicationError(
            _("只需上传容缺后补的材料。"),
            extra={f"files_{k}": [_("该材料不是容缺后补材料。")] for k in stray},
        )
    missing = [m for m in expected if str(m.pk) not in given]
    if missing or not expected:
        raise ApplicationError(
            _("请为每一项容缺后补材料上传文件：%(names)s。")
            % {"names": "、".join(m.name for m in missing) or "、".join(case.deferred_materials)},
            extra={f"files_{m.pk}": [_("请上传该材料的文件。")] for m in missing}
            or {"files": [_("请上传文件。")]},
        )
    checked = _check_supplied_files(case, files)
    case.supply_deferred()
    case.deferred_files_at = timezone.now()  # before the rows: the check reads the uploads since then
    rows = _store_supplied_files(case, actor, checked)
    record_transition(
        case=case,
        action=CaseAction.SUPPLY_DEFERRED,
        from_state=from_state,
        actor=actor,
        reason=note,
        data={
            "materials": case.deferred_materials,
            "files": [
                {"material": r.material_name, "file": r.original_name, "sha256": r.sha256} for r in rows
            ],
        },
    )
    clerks = [case.clerk] if case.clerk is not None and case.clerk.is_active else []
    if not clerks:
        clerks = list(User.objects.filter(groups__name=Role.CLERK, is_active=True).distinct())
    for clerk in clerks:
        if clerk.pk != actor.pk:
            notify(recipient=clerk, event="staff.deferred_supplied", context=base_context(case), case=case)
    return case


@transaction.atomic
def case_check_deferred(*, case: Case, actor: User, result: str, note: str = "") -> Case:
    """The window checks the deferred materials' files. In order: the materials count as supplied and the
    result may be issued. Not in order: the applicant is told what is wrong and uploads again (by the same
    date)."""
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.CHECK_DEFERRED)
    if result not in CHECK_RESULTS:
        raise ApplicationError(_("请选择核验结果。"), extra={"result": [_("不是有效的选项。")]})
    if result == MaterialCheck.FAULTY and not note.strip():
        raise ApplicationError(_("请写明材料存在的问题。"), extra={"note": [_("此项为必填项。")]})
    assert case.deferred_files_at is not None  # the transition's condition
    uploads = ApplicationMaterial.objects.filter(
        application_id=case.application_id,
        material__in=deferred_material_rows(case),
        uploaded_at__gte=case.deferred_files_at,
    )
    for upload in uploads:
        upload.check_result = result
        upload.check_note = note[:300]
        upload.save(update_fields=["check_result", "check_note"])
    case.check_deferred()
    if result == MaterialCheck.RECEIVED:
        case.deferred_supplied_at = timezone.now()
    else:
        case.deferred_files_at = None
    record_transition(
        case=case,
        action=CaseAction.CHECK_DEFERRED,
        from_state=from_state,
        actor=actor,
        reason=note,
        data={"result": result, "materials": case.deferred_materials},
    )
    if result == MaterialCheck.FAULTY:
        notify(
            recipient=case.applicant,
            event="case.deferred_faulty",
            context={
                **base_context(case),
                "note": note,
                "supply_by": case.deferred_supply_by.isoformat() if case.deferred_supply_by else "",
            },
            case=case,
        )
    return case
