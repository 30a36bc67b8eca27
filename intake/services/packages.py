"""Applying once for a package (一件事一次办, DESIGN §10): one form, one set of uploads, one submission, one
package reference; it opens one application, and so one case, per item in its own department, each with
its own snapshot, limits and deadlines, all linked to the package application.

All or nothing: every check runs before anything is written; files written before a later failure are
removed again. The item applications go through the same services as a single application (drafts,
materials, submission), so the item's own checks, snapshot and case opening apply unchanged."""

import secrets
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.exceptions import ApplicationError, PermissionDeniedError
from portal.notifications.services import notify

from ..constants import Channel, DeliveryMethod, HandlingMode, ItemStatus
from ..models import Application, Item, Package, PackageApplication, PackageMaterial
from .applications import (
    check_delivery,
    clean_applicant_identity,
    clean_form_data,
    create_draft,
    store_material_file,
)
from .applications import submit as submit_draft
from .references import next_reference
from .uploads import inspect_batch, inspect_upload

PACKAGE_REFERENCE_PREFIX = "YJ"


def package_items(package: Package) -> list[Item]:
    return [pi.item for pi in package.package_items.all()]


def package_item_mode(item: Item) -> str:
    """The handling mode an item of a package is applied for in: 承诺件 where it allows it (the window accepts
    the package once and the departments then work to their promised limits), else its first mode."""
    modes = item.modes
    if HandlingMode.PROMISED in modes or not modes:
        return HandlingMode.PROMISED
    return modes[0]


def package_snapshot(package: Package) -> dict[str, Any]:
    """The package's terms as applied for: its items, merged form and merged materials (the items' own terms
    are frozen in each item application's snapshot)."""
    return {
        "code": package.code,
        "name": package.name,
        "items": [
            {"code": i.code, "name": i.name, "department": i.department.name} for i in package_items(package)
        ],
        "fields": [
            {"key": f.key, "label": f.label, "kind": f.kind, "required": f.required}
            for f in package.fields.all()
        ],
        "materials": [
            {"id": m.pk, "name": m.name, "mandatory": m.mandatory} for m in package.materials.all()
        ],
    }


def _check_package(package: Package) -> list[Item]:
    if not package.published:
        raise ApplicationError(
            _("该一件事未发布，不能申请。"), extra={"package": [_("该一件事当前不受理申请。")]}
        )
    items = package_items(package)
    stopped = [i.name for i in items if i.status != ItemStatus.PUBLISHED or not i.online]
    if not items or stopped:
        raise ApplicationError(
            _("该一件事包含的事项“%(names)s”当前不能在线申请，请到窗口办理。")
            % {"names": "、".join(stopped)},
            extra={"package": [_("该一件事当前不受理在线申请。")]},
        )
    return items


def _item_answers(package: Package, item: Item, answers: dict[str, Any]) -> dict[str, Any]:
    """The package's answers written onto the item's own form field keys."""
    data: dict[str, Any] = {}
    for f in package.fields.all():
        key = f.target_key(item)
        if key and f.key in answers:
            data[key] = answers[f.key]
    return data


def package_form_errors(
    *, package: Package, form_data: dict[str, Any], partial: bool = False
) -> dict[str, Any]:
    """Check the answers against the merged form (the same messages as an item's form). Returns the cleaned
    answers; raises ApplicationError with field messages."""
    return clean_form_data(
        item=SimpleNamespace(current_form_fields=list(package.fields.all())),  # type: ignore[arg-type]
        data=form_data,
        partial=partial,
    )


def package_missing(
    *, package: Package, form_data: dict[str, Any], uploaded: set[int]
) -> dict[str, list[str]]:
    """What an application for the package still lacks, by field (form keys and ``material_<id>``)."""
    errors: dict[str, list[str]] = {}
    try:
        package_form_errors(package=package, form_data=form_data)
    except ApplicationError as exc:
        errors.update(exc.extra)
    for m in package.materials.all():
        if m.mandatory and m.pk not in uploaded:
            errors[f"material_{m.pk}"] = [_("缺少必要材料：%(name)s") % {"name": m.name}]
    return errors


def package_apply(
    *,
    package: Package,
    applicant: User,
    actor: User,
    form_data: dict[str, Any],
    files: dict[str, Any],
    contact_phone: str = "",
    id_number: str = "",
    delivery_method: str = DeliveryMethod.WINDOW,
    delivery_address: str = "",
    deliver_together: bool = True,
) -> PackageApplication:
    """Apply for ``package`` once. ``files``: one upload per package material, keyed ``material_<id>`` (the
    package material's id). Returns the package application, its item applications submitted and their
    cases opened."""
    if not applicant.is_applicant:
        raise PermissionDeniedError(_("只有申请人账号可以在线申请。"))
    items = _check_package(package)
    errors: dict[str, list[str]] = {}
    try:
        clean_applicant_identity(applicant=applicant, id_number=id_number, contact_phone=contact_phone)
    except ApplicationError as exc:
        errors.update(exc.extra)
    materials: dict[str, PackageMaterial] = {f"material_{m.pk}": m for m in package.materials.all()}
    for key in files:
        if key not in materials:
            errors[key] = [_("没有这项申请材料。")]
    errors.update(inspect_batch([(key, upload) for key, upload in files.items() if key in materials]))
    uploaded = {materials[k].pk for k in files if k in materials}
    for key, messages in package_missing(package=package, form_data=form_data, uploaded=uploaded).items():
        errors.setdefault(key, messages)
    try:
        delivery_method, delivery_address = check_delivery(delivery_method, delivery_address)
    except ApplicationError as exc:
        errors.update(exc.extra)
    else:
        if delivery_method == DeliveryMethod.POST and not delivery_address:
            errors["delivery_address"] = [_("选择邮寄送达的，请填写邮寄地址。")]
    if errors:
        raise ApplicationError(_("提交的内容有误，请修改后重试。"), extra=errors)
    answers = package_form_errors(package=package, form_data=form_data)
    saved: list[Any] = []
    try:
        with transaction.atomic():
            now = timezone.now()
            bundle = PackageApplication.objects.create(
                reference=next_reference(PACKAGE_REFERENCE_PREFIX, timezone.localdate(now)),
                package=package,
                applicant=applicant,
                applicant_name=applicant.display_name,
                form_data=answers,
                package_snapshot=package_snapshot(package),
                delivery_method=delivery_method,
                delivery_address=delivery_address,
                deliver_together=deliver_together,
                submitted_at=now,
            )
            for item in items:
                _apply_item(
                    bundle=bundle,
                    package=package,
                    item=item,
                    actor=actor,
                    answers=answers,
                    files={materials[k]: f for k, f in files.items()},
                    contact_phone=contact_phone,
                    id_number=id_number,
                    saved=saved,
                )
            notify(
                recipient=applicant,
                event="application.received",
                context={
                    "reference": bundle.reference,
                    "item_name": _("一件事：%(name)s") % {"name": package.name},
                },
            )
            return bundle
    except ApplicationError as exc:
        for f in saved:
            f.storage.delete(f.name)
        raise ApplicationError(
            _("一件事中的事项还缺少内容，请联系窗口或稍后再试：%(message)s") % {"message": exc.message},
            extra=exc.extra,
        ) from None
    except Exception:
        for f in saved:
            f.storage.delete(f.name)
        raise


def _apply_item(
    *,
    bundle: PackageApplication,
    package: Package,
    item: Item,
    actor: User,
    answers: dict[str, Any],
    files: dict[PackageMaterial, Any],
    contact_phone: str,
    id_number: str,
    saved: list[Any],
) -> Application:
    application = create_draft(
        item=item,
        applicant=bundle.applicant,
        actor=actor,
        mode=package_item_mode(item),
        form_data=_item_answers(package, item, answers),
        contact_phone=contact_phone,
        channel=Channel.ONLINE,
        delivery_method=bundle.delivery_method,
        delivery_address=bundle.delivery_address,
    )
    application.package_application = bundle
    if id_number and not application.applicant_id_number:
        application.applicant_id_number = id_number.strip().upper()
    application.save()
    uploaded: set[int] = set()
    for package_material, upload in files.items():
        material = package_material.target_material(item)
        if material is None:
            continue
        # the same upload, filed under each item that needs it: checked once, stored once per item
        facts = {**inspect_upload(upload), "token": secrets.token_hex(16)}
        row = store_material_file(
            application_id=application.pk, material=material, upload=upload, facts=facts, actor=actor
        )
        saved.append(row.file)
        uploaded.add(material.pk)
    submit_draft(locked=application, actor=actor, item=item, uploaded=uploaded, notify_receipt=False)
    return application
