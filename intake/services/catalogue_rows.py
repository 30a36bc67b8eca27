"""An item's materials, steps and form fields (its catalogue rows), edited in place by a stable key.

Uploaded files point at materials, filed cases keep their ids in their snapshot, and drafts are checked
against them: so a row is never deleted and re-created. ``item_rows_sync`` updates each row in place
(matched by its key, or by its name where a sheet gives none), creates the new ones and retires
(``active`` off) those no longer listed; a retired row that is listed again comes back. Every row edit is
in the row's own history, and the whole set is in the item's history (``catalogue_rows`` on each
historical record), so reverting the item restores them (``item_rows_restore``).
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import set_audit

from ..models import FormField, Item, Material, Step

# kind → (model, attributes a sheet or a snapshot may set, the attribute naming the row)
KINDS: dict[str, tuple[type[Material] | type[Step] | type[FormField], tuple[str, ...], str]] = {
    "materials": (
        Material,
        ("name", "form", "count", "mandatory", "deferrable", "note", "order", "active"),
        "name",
    ),
    "steps": (Step, ("name", "role", "limit_days", "order", "active"), "name"),
    "form_fields": (
        FormField,
        ("label", "kind", "choices", "required", "help_text", "order", "active"),
        "label",
    ),
}

KIND_LABELS = {"materials": "材料", "steps": "环节", "form_fields": "表单字段"}


def rows_snapshot(item: Item) -> dict[str, list[dict[str, Any]]]:
    """Every row of the item, retired ones included, as stored on the item's historical records."""
    out: dict[str, list[dict[str, Any]]] = {}
    for kind, (model, attrs, _label) in KINDS.items():
        rows = model._default_manager.filter(item_id=item.pk).order_by("order", "id")
        out[kind] = [{"key": r.key, **{a: getattr(r, a) for a in attrs}} for r in rows]
    return out


@dataclass
class _Plan:
    kind: str
    updates: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)  # (row, {attr: new value})
    creates: list[dict[str, Any]] = field(default_factory=list)
    retires: list[Any] = field(default_factory=list)

    def describe(self) -> list[str]:
        label = KIND_LABELS[self.kind]
        name_attr = KINDS[self.kind][2]
        out = []
        for row, changes in self.updates:
            name = getattr(row, name_attr)
            if changes.get("active") is True:
                out.append(
                    _("恢复%(kind)s“%(name)s”") % {"kind": label, "name": changes.get(name_attr, name)}
                )
                continue
            verbose = {f.name: str(f.verbose_name) for f in row._meta.fields}
            parts = [f"{verbose.get(a, a)} {getattr(row, a)}→{v}" for a, v in changes.items() if a != "order"]
            if "order" in changes and not parts:
                parts.append(_("顺序调整"))
            out.append(
                _("%(kind)s“%(name)s”：%(changes)s")
                % {"kind": label, "name": name, "changes": "，".join(parts)}
            )
        for data in self.creates:
            out.append(_("新增%(kind)s“%(name)s”") % {"kind": label, "name": data.get(name_attr, "")})
        for row in self.retires:
            out.append(_("停用%(kind)s“%(name)s”") % {"kind": label, "name": getattr(row, name_attr)})
        return out


def _plan(item: Item, kind: str, entries: list[dict[str, Any]], *, lock: bool, exact: bool) -> _Plan:
    """``entries``: the rows wanted, in order. Each is matched to an existing row by its ``key`` or, with
    none, by its name (an active row first). Unless ``exact`` (a snapshot giving every attribute, "order"
    and "active" included), a listed row is active and ordered as listed. Rows not matched are retired."""
    model, attrs, name_attr = KINDS[kind]
    qs = model._default_manager.filter(item_id=item.pk).order_by("order", "id")
    existing = list(qs.select_for_update() if lock else qs)
    by_key = {r.key: r for r in existing}
    used: set[int] = set()
    plan = _Plan(kind)
    for order, entry in enumerate(entries, start=1):
        wanted = {a: entry[a] for a in attrs if a in entry}
        if not exact:
            wanted.update(order=order, active=True)
        row = by_key.get(entry["key"]) if entry.get("key") else None
        if row is None and not entry.get("key"):
            same = [r for r in existing if r.pk not in used and getattr(r, name_attr) == entry.get(name_attr)]
            row = next((r for r in same if r.active), same[0] if same else None)
        if row is None or row.pk in used:
            plan.creates.append({**wanted, **({"key": entry["key"]} if entry.get("key") else {})})
            continue
        used.add(row.pk)
        changes = {a: v for a, v in wanted.items() if getattr(row, a) != v}
        if changes:
            plan.updates.append((row, changes))
    plan.retires = [r for r in existing if r.pk not in used and r.active]
    return plan


def _plans(item: Item, wanted: dict[str, list[dict[str, Any]]], *, lock: bool, exact: bool) -> list[_Plan]:
    if item.pk is None:
        return [_Plan(kind, creates=list(entries)) for kind, entries in wanted.items()]
    return [_plan(item, kind, entries, lock=lock, exact=exact) for kind, entries in wanted.items()]


def item_rows_changes(*, item: Item, wanted: dict[str, list[dict[str, Any]]]) -> list[str]:
    """What ``item_rows_sync`` would change, in words; empty when the rows are already as wanted."""
    return [line for plan in _plans(item, wanted, lock=False, exact=False) for line in plan.describe()]


def _apply(item: Item, plans: list[_Plan], actor: Any, reason: str) -> list[str]:
    lines = []
    for plan in plans:
        model = KINDS[plan.kind][0]
        for row, changes in plan.updates:
            for attr, value in changes.items():
                setattr(row, attr, value)
            set_audit(row, actor=actor, reason=reason)
            row.full_clean(exclude=["item"])
            row.save()
        for data in plan.creates:
            row = model(item=item, **data)
            set_audit(row, actor=actor, reason=reason)
            row.save()
        for row in plan.retires:
            row.active = False
            set_audit(row, actor=actor, reason=reason)
            row.save()
        lines.extend(plan.describe())
    return lines


@transaction.atomic
def item_rows_sync(
    *, item: Item, wanted: dict[str, list[dict[str, Any]]], actor: Any, reason: str = ""
) -> list[str]:
    """Make the item's rows of each kind in ``wanted`` ("materials", "steps", "form_fields") the listed
    ones, in place; returns the changes in words. Nothing is deleted. The item's latest historical record
    is brought up to date with the rows (call after saving the item)."""
    lines = _apply(item, _plans(item, wanted, lock=True, exact=False), actor, reason or _("目录导入"))
    if lines:
        item_history_record_rows(item)
    return lines


@transaction.atomic
def item_rows_restore(*, item: Item, snapshot: dict[str, Any], actor: Any, reason: str) -> list[str]:
    """Bring the rows back to a snapshot from the item's history (a revert of the item): rows are updated
    in place by key, rows added since are retired, a row deleted since (unused, so allowed) is re-created."""
    wanted = {kind: snapshot[kind] for kind in KINDS if isinstance(snapshot.get(kind), list)}
    return _apply(item, _plans(item, wanted, lock=True, exact=True), actor, reason)


def item_history_record_rows(item: Item) -> None:
    """Store the item's rows as they are now on its newest historical record (the one written by the save
    that these row edits belong to)."""
    record = item.history.order_by("-history_date", "-history_id").first()
    if record is not None:
        record.catalogue_rows = rows_snapshot(item)
        record.save(update_fields=["catalogue_rows"])
