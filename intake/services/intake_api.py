"""One request, one application: create, attach every material and (optionally) submit, all or nothing.

Files written to storage before a later check fails are removed again, so a rejected request leaves
neither rows nor files behind."""

from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.compiled_sql import insert_with_children
from portal.exceptions import ApplicationError, PermissionDeniedError

from ..constants import ApplicationStatus
from ..models import Application, ApplicationMaterial, Item, Material
from .applications import (
    _check_mode,
    _completeness,
    add_material,
    check_delivery,
    check_material_of,
    clean_applicant_identity,
    clean_form_data,
    create_draft,
    material_row,
    new_draft,
    received,
)
from .applications import submit as submit_draft
from .catalogue import item_snapshot
from .references import next_reference
from .uploads import inspect_batch, inspect_upload


def application_create_from_request(
    *,
    item: Item,
    applicant: User,
    actor: User,
    mode: str,
    form_data: dict[str, Any],
    contact_phone: str,
    commitment_signed: bool,
    files: dict[str, Any],
    submit: bool,
    id_number: str = "",
    delivery_method: str = "window",
    delivery_address: str = "",
) -> Application:
    # Check everything that can be checked before anything is written.
    errors: dict[str, list[str]] = {}
    try:
        clean_applicant_identity(applicant=applicant, id_number=id_number, contact_phone=contact_phone)
    except ApplicationError as exc:
        errors.update(exc.extra)
    materials = {f"material_{m.pk}": m for m in item.current_materials}
    for key in files:
        if key not in materials:
            errors[key] = [_("没有这项申请材料。")]
    errors.update(inspect_batch([(key, upload) for key, upload in files.items() if key in materials]))
    try:
        clean_form_data(item=item, data=form_data, partial=not submit)
    except ApplicationError as exc:
        errors.update(exc.extra)
    try:
        check_delivery(delivery_method, delivery_address)
    except ApplicationError as exc:
        errors.update(exc.extra)
    if errors:
        raise ApplicationError(_("提交的内容有误，请修改后重试。"), extra=errors)
    # what the draft is made of (``create_draft``'s and ``new_draft``'s arguments), the same on both paths
    draft: dict[str, Any] = {
        "item": item,
        "applicant": applicant,
        "actor": actor,
        "mode": mode,
        "form_data": form_data,
        "contact_phone": contact_phone,
        "commitment_signed": commitment_signed,
        "delivery_method": delivery_method,
        "delivery_address": delivery_address,
    }
    create = _create_submitted if submit else partial(_create_then_submit, submit=False)
    return create(draft, files=files, materials=materials, id_number=id_number)


def _create_submitted(
    draft: dict[str, Any], *, files: dict[str, Any], materials: dict[str, Material], id_number: str
) -> Application:
    """A submission written already submitted, with its materials, in one statement
    (``insert_with_children``) instead of the draft's INSERT, each material's INSERT and the submission's
    UPDATE of ``_create_then_submit``. Every check of that path (``create_draft``, the mode's change,
    ``add_material``, ``submit``) runs first, in the same order, on the application not yet saved; then
    the files are written to storage, before the day's reference counter is locked (storage may be
    remote); the reference is taken just before the statement. The rows are the same but for their
    moments: the application's ``created_at``, ``updated_at`` and ``submitted_at`` and its files'
    ``uploaded_at`` are one moment (the draft path stamps them one after the other, in that order:
    created, uploaded, submitted, updated), so a file is still never "uploaded after the submission"."""
    item, actor, mode = draft["item"], draft["actor"], draft["mode"]
    application = new_draft(**draft)
    if id_number and not application.applicant_id_number:
        application.applicant_id_number = id_number.strip().upper()
    # a mode the item does not allow: refused as application_update_draft (then submit) refuses it
    _check_mode(item, mode)
    for key in files:
        check_material_of(materials[key], item.pk)
    uploaded = {materials[key].pk for key in files}
    errors, cleaned = _completeness(application=application, item=item, uploaded=uploaded)
    if cleaned is not None:
        application.form_data = cleaned
    if errors:
        raise ApplicationError(_("申请还不完整，请按提示补充后再提交。"), extra=errors)
    application.item_snapshot = item_snapshot(item)
    application.status = ApplicationStatus.SUBMITTED
    saved: list[Any] = []
    try:
        rows = []
        for key, upload in files.items():
            facts = inspect_upload(upload, field=key)  # the facts inspect_batch kept
            row = material_row(
                material=materials[key], upload=upload, facts=facts, actor=actor, application=application
            )
            saved.append(row.file)
            rows.append(row)
        with transaction.atomic():
            # the day's counter row stays locked until commit: taken just before the one statement
            now = timezone.now()
            application.reference = next_reference("SP", timezone.localdate(now))
            application.submitted_at = now
            insert_with_children(application, rows, link="application", match="token", moment=now)
            received(application=application, actor=actor, item=item)
            _list_materials(application, rows)
            return application
    except Exception:
        for f in saved:
            f.storage.delete(f.name)
        raise


def _list_materials(application: Application, rows: list[ApplicationMaterial]) -> None:
    """The answer lists the rows just written, as a re-read would (ApplicationMaterial's ordering), as
    what prefetch_related stores: a queryset holding its rows."""
    listed = ApplicationMaterial.objects.filter(application=application)
    listed._result_cache = sorted(rows, key=lambda r: (r.material_name, r.uploaded_at))
    listed._prefetch_done = True  # type: ignore[attr-defined]
    application._prefetched_objects_cache = {"materials": listed}  # type: ignore[attr-defined]


def _create_then_submit(
    draft: dict[str, Any],
    *,
    files: dict[str, Any],
    materials: dict[str, Material],
    id_number: str,
    submit: bool,
) -> Application:
    """The draft written by the ORM, then each material, then (``submit``) the submission's UPDATE."""
    item, actor, mode, form_data = draft["item"], draft["actor"], draft["mode"], draft["form_data"]
    saved: list[Any] = []
    try:
        with transaction.atomic():
            # this transaction creates the draft, so it holds its row: no savepoints, no re-reads
            application = create_draft(**draft)
            if id_number and not application.applicant_id_number:
                application.applicant_id_number = id_number.strip().upper()
                application.save(update_fields=["applicant_id_number_encrypted", "applicant_id_number_hash"])
            if mode != application.mode:
                from .applications import application_update_draft

                application = application_update_draft(application=application, actor=actor, mode=mode)
            uploaded: set[int] = set()
            rows = []
            for key, upload in files.items():
                row = add_material(
                    locked=application, material=materials[key], upload=upload, actor=actor, new_draft=True
                )
                saved.append(row.file)
                rows.append(row)
                if row.material_id is not None:
                    uploaded.add(row.material_id)
            application.form_data = clean_form_data(item=item, data=form_data, partial=True)
            if submit:
                application = submit_draft(locked=application, actor=actor, item=item, uploaded=uploaded)
            _list_materials(application, rows)
            return application
    except Exception:
        for f in saved:
            f.storage.delete(f.name)
        raise


def application_update_from_request(
    *,
    application: Application,
    actor: User,
    form_data: dict[str, Any] | None = None,
    mode: str | None = None,
    contact_phone: str | None = None,
    commitment_signed: bool | None = None,
    files: dict[str, Any] | None = None,
    remove: list[int] | None = None,
    delivery_method: str | None = None,
    delivery_address: str | None = None,
) -> Application:
    """Continue a draft through the API, all or nothing: the given answers are merged into the draft's
    (an empty answer clears one), files are added per material (``material_<id>``), uploaded files listed
    in ``remove`` are taken out. The same checks and messages as the page; only the draft's owner, only
    while it is a draft. Files written before a later check fails are removed again."""
    from django.core.exceptions import ValidationError

    from portal.accounts.validators import validate_mobile

    from .applications import _check_mode, _owned_draft, check_online

    files = files or {}
    saved: list[Any] = []
    try:
        with transaction.atomic():
            locked = _owned_draft(application, actor)
            if locked.applicant_id != actor.pk:
                raise PermissionDeniedError(_("只能修改自己的申请。"))
            item = Item.objects.prefetch_related("materials", "form_fields").get(pk=locked.item_id)
            check_online(item, locked.channel)
            errors: dict[str, list[str]] = {}
            materials = {f"material_{m.pk}": m for m in item.current_materials}
            for key in files:
                if key not in materials:
                    errors[key] = [_("没有这项申请材料。")]
            errors.update(inspect_batch([(key, upload) for key, upload in files.items() if key in materials]))
            rows = []
            for pk in remove or []:
                row = ApplicationMaterial.objects.filter(application=locked, pk=pk).first()
                if row is None:
                    errors.setdefault("remove", []).append(_("没有这个已上传的文件：%(pk)s") % {"pk": pk})
                else:
                    rows.append(row)
            answers = locked.form_data
            if form_data is not None:
                try:
                    answers = clean_form_data(item=item, data={**locked.form_data, **form_data}, partial=True)
                except ApplicationError as exc:
                    errors.update(exc.extra)
            if mode is not None:
                try:
                    _check_mode(item, mode)
                except ApplicationError as exc:
                    errors.update(exc.extra)
            if contact_phone is not None:
                try:
                    validate_mobile(contact_phone)
                except ValidationError as exc:
                    errors["contact_phone"] = list(exc.messages)
            delivery = None
            if delivery_method is not None or delivery_address is not None:
                try:
                    delivery = check_delivery(
                        delivery_method if delivery_method is not None else locked.delivery_method,
                        delivery_address if delivery_address is not None else locked.delivery_address,
                    )
                except ApplicationError as exc:
                    errors.update(exc.extra)
            if errors:
                raise ApplicationError(_("提交的内容有误，请修改后重试。"), extra=errors)
            if delivery is not None:
                locked.delivery_method, locked.delivery_address = delivery
            locked.form_data = answers
            if mode is not None:
                locked.mode = mode
            if contact_phone is not None:
                locked.contact_phone = contact_phone
            if commitment_signed is not None:
                locked.commitment_signed = commitment_signed
            locked.save()
            storage_names = []
            for row in rows:
                storage_names.append((row.file.storage, str(row.file.name)))
                row.delete()
            for key, upload in files.items():
                row = add_material(locked=locked, material=materials[key], upload=upload, actor=actor)
                saved.append(row.file)
            for storage, name in storage_names:
                transaction.on_commit(partial(storage.delete, name))
            return locked
    except Exception:
        for f in saved:
            f.storage.delete(f.name)
        raise
