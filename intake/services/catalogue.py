"""Catalogue services: the frozen terms a case keeps (snapshot) and the item life cycle."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import audited_save
from portal.exceptions import ConflictError

from ..constants import ItemStatus
from ..models import Item


def item_snapshot(item: Item) -> dict[str, Any]:
    """Everything a case needs frozen at submission; later catalogue edits change no existing case."""
    return {
        "code": item.code,
        "name": item.name,
        "department_id": item.department_id,
        "department_name": item.department.name,
        "item_type": item.item_type,
        "legal_basis": item.legal_basis,
        "conditions": item.conditions,
        "statutory_limit": item.statutory_limit,
        "promised_limit": item.promised_limit,
        "limit_unit": item.limit_unit,
        "fee_standard": item.fee_standard,
        "fee_basis": item.fee_basis,
        "modes": item.modes,
        "co_departments": [{"id": d.pk, "name": d.name} for d in item.co_departments.all()],
        "co_department_limit": item.co_department_limit,
        "after_check_days": item.after_check_days,
        "joint_handling": item.joint_handling,
        "extension_limit": item.extension_limit,
        "extension_basis": item.extension_basis,
        "max_visits": item.max_visits,
        "online": item.online,
        "result_name": item.result_name,
        "steps": [
            {"order": s.order, "name": s.name, "role": s.role, "limit_days": s.limit_days}
            for s in item.current_steps
        ],
        "materials": [
            {
                "id": m.pk,
                "name": m.name,
                "form": m.form,
                "count": m.count,
                "mandatory": m.mandatory,
                "deferrable": m.deferrable,
                "note": m.note,
            }
            for m in item.current_materials
        ],
        "form_fields": [
            {"key": f.key, "label": f.label, "kind": f.kind, "choices": f.choice_list, "required": f.required}
            for f in item.current_form_fields
        ],
    }


_NEXT = {
    "publish": (ItemStatus.DRAFT, ItemStatus.PUBLISHED),
    "retire": (ItemStatus.PUBLISHED, ItemStatus.RETIRED),
}


@transaction.atomic
def _item_move(*, item: Item, actor: Any, reason: str, action: str) -> Item:
    source, target = _NEXT[action]
    locked = Item.objects.select_for_update().get(pk=item.pk)
    if locked.status != source:
        raise ConflictError(_("事项当前状态为“%(s)s”，不能执行此操作。") % {"s": locked.get_status_display()})
    locked.status = target
    locked.full_clean()
    audited_save(locked, actor=actor, reason=reason or action)
    return locked


def item_publish(*, item: Item, actor: Any, reason: str = "") -> Item:
    return _item_move(item=item, actor=actor, reason=reason, action="publish")


def item_retire(*, item: Item, actor: Any, reason: str = "") -> Item:
    return _item_move(item=item, actor=actor, reason=reason, action="retire")
