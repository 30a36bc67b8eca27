"""One-time correction (一次性告知补正, DESIGN §3): the window lists every missing or faulty material in
one notice; the applicant supplies them (files, or a note that the originals come to the window) and the
case waits for the window again."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import FileField
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from intake.models import ApplicationMaterial, Material
from intake.services.applications import store_material_file
from intake.services.uploads import inspect_upload
from portal.accounts.models import User
from portal.exceptions import ApplicationError
from portal.notifications.services import notify

from .. import deadlines
from ..constants import CaseAction, MaterialVerdict
from ..models import Case
from .common import base_context, lock_case, log_transition, record_transition, today
from .intake import CorrectionItem, package_whole_check

# At most this many files in one supply (each also within the upload size limit).
MAX_SUPPLIED_FILES = 10

SuppliedFile = tuple[str, "UploadedFile[Any]"]  # (material id, the upload)


@transaction.atomic
def case_request_correction(
    *,
    case: Case,
    actor: User,
    materials: Sequence[CorrectionItem],
    note: str = "",
    notify_applicant: bool = True,
    as_part_of_package: bool = False,
) -> Case:
    """The window asks, in one notice, for every material that is missing or faulty. ``notify_applicant``
    off: the caller sends the one notice itself (a package: one notice covering every item)."""
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.REQUEST_CORRECTION)
    package_whole_check(case, as_part_of_package)
    if not materials:
        raise ApplicationError(
            _("提交的内容有误，请修改后重试。"), extra={"materials": [_("请至少列出一项需补正的材料。")]}
        )
    items = [{"name": m["name"], "problem": m["problem"]} for m in materials]
    beyond_first = beyond_first_notice(case, items)
    case.request_correction()
    case.clerk = actor
    case.window_id = actor.window_id
    notice = case.transitions.filter(name=CaseAction.REQUEST_CORRECTION).count() + 1
    record_transition(
        case=case,
        action=CaseAction.REQUEST_CORRECTION,
        from_state=from_state,
        actor=actor,
        reason=note,
        data={"materials": items, "notice": notice},
    )
    if beyond_first:
        # 一次性告知 (DESIGN §3): a later notice may only name materials of the first one still faulty.
        # Naming anything else makes it a second notice: recorded as such, and the supervision scan
        # raises a conduct alert for the efficiency office.
        log_transition(
            case=case,
            action=SECOND_NOTICE,
            from_state=str(case.state),
            actor=actor,
            reason=_("补正告知列出了首次告知以外的材料，属于二次补正告知。"),
            data={"materials": beyond_first, "notice": notice},
        )
    if notify_applicant:
        context = {**base_context(case), "materials": items, "note": note}
        notify(recipient=case.applicant, event="case.correction_requested", context=context, case=case)
    return case


# The transition log's name for a correction notice that named materials the first notice did not.
SECOND_NOTICE = "second_correction_notice"


def beyond_first_notice(case: Case, items: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    """The lines of a new notice naming materials the case's first correction notice did not list, or
    that the window has since found in order (合格) — a later notice may only name materials of the first
    one whose correction is still faulty (DESIGN §3). None when this is the first notice."""
    first = case.transitions.filter(name=CaseAction.REQUEST_CORRECTION).order_by("at", "id").first()
    if first is None:
        return []
    named = {str(m.get("name", "")).strip() for m in (first.data or {}).get("materials", [])}
    # found in order at a check after the first notice (the log keeps each check, even if re-ticked later)
    in_order = {
        str(name).strip()
        for check in case.transitions.filter(name="check_materials", at__gt=first.at)
        for name, result in ((check.data or {}).get("checks") or {}).items()
        if isinstance(result, dict) and result.get("verdict") == MaterialVerdict.OK
    }
    return [m for m in items if m["name"].strip() not in named or m["name"].strip() in in_order]


def case_supply(
    *,
    case: Case,
    actor: User,
    files: Sequence[SuppliedFile] = (),
    note: str = "",
    as_part_of_package: bool = False,
) -> Case:
    """The applicant supplies what the correction notice asked for: new files for the item's materials
    (the earlier files stay in the case), a note, or both. Files stored before a failure are removed
    again (their rows are rolled back)."""
    try:
        return _supply(case=case, actor=actor, files=files, note=note, as_part_of_package=as_part_of_package)
    except BaseException:
        discard_stored_uploads(upload for _key, upload in files)
        raise


@transaction.atomic
def _supply(
    *, case: Case, actor: User, files: Sequence[SuppliedFile], note: str, as_part_of_package: bool
) -> Case:
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.SUPPLY)
    package_whole_check(case, as_part_of_package)
    if not files and not note:
        raise ApplicationError(
            _("请上传补正的材料文件，或写明补正情况（例如原件将送到窗口）。"),
            extra={"files": [_("请至少上传一个文件或填写意见。")]},
        )
    checked = _check_supplied_files(case, files)
    case.supply()
    # Art. 32: the window's 5 working days start again from the day the complete correction arrives.
    case.answer_from = today()
    rows = _store_supplied_files(case, actor, checked)
    supplied = [
        {"material": row.material_name, "file": row.original_name, "sha256": row.sha256} for row in rows
    ]
    record_transition(
        case=case,
        action=CaseAction.SUPPLY,
        from_state=from_state,
        actor=actor,
        reason=note,
        data={
            **({"files": supplied} if supplied else {}),
            "answer_from": case.answer_from.isoformat(),
            "answer_by": deadlines.acceptance_answer_by(case.answer_from).date.isoformat(),
        },
    )
    if case.clerk_id is not None:
        assert case.clerk is not None
        notify(
            recipient=case.clerk,
            event="staff.new_work",
            context={"reference": case.reference, "queue": "intake"},
            case=case,
        )
    return case


def supplied_files_from(files: MultiValueDict[str, UploadedFile[Any]]) -> list[SuppliedFile]:
    """The supply form's uploads as (material id, file) pairs, from fields named ``files_<material id>``."""
    pairs: list[SuppliedFile] = []
    for key in files:
        if not key.startswith("files_"):
            raise ApplicationError(
                _("无法识别的上传字段：%(key)s") % {"key": key}, extra={key: [_("未知的字段。")]}
            )
        pairs.extend((key.removeprefix("files_"), upload) for upload in files.getlist(key))
    return pairs


def _check_supplied_files(
    case: Case, files: Sequence[SuppliedFile]
) -> list[tuple[Material, UploadedFile[Any], dict[str, Any]]]:
    """Check every supplied file before anything is stored: the material belongs to the item, the content
    is an accepted type within the size limit, and no file is sent twice (in this form or before)."""
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
    checked = []
    seen_names: set[str] = set()
    seen_digests: set[str] = set()
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
    case: Case, actor: User, checked: list[tuple[Material, UploadedFile[Any], dict[str, Any]]]
) -> list[ApplicationMaterial]:
    rows = []
    for material, upload, facts in checked:
        # a fresh stored name each time: one upload of a package is filed under several items
        row = store_material_file(
            application_id=case.application_id,
            material=material,
            upload=upload,
            facts={**facts, "token": secrets.token_hex(16)},
            actor=actor,
        )
        # removed again if the transaction rolls back
        setattr(upload, STORED_NAME, [*getattr(upload, STORED_NAME, []), row.file.name])
        rows.append(row)
    return rows


# The name a supplied upload was stored under, kept on the upload object until the transaction ends.
STORED_NAME = "portal_stored_name"


def discard_stored_uploads(uploads: Iterable[UploadedFile[Any]]) -> None:
    field = ApplicationMaterial._meta.get_field("file")
    assert isinstance(field, FileField)
    storage = field.storage
    for upload in uploads:
        for name in getattr(upload, STORED_NAME, None) or []:
            storage.delete(name)
