"""Load the sample catalogue (``fixtures/catalogue.json``): 45+ realistic items across the demo
departments, covering every handling mode. Idempotent: existing items (by code) are left as they are."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings

from portal.accounts.models import Department
from portal.audit import audited_save

from .models import FormField, Item, Material, Step, Theme
from .services.catalogue_rows import item_history_record_rows

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "catalogue.json"

DEPARTMENT_NAMES = {
    "SCJGJ": "市场监督管理局",
    "ZJJ": "住房和城乡建设局",
    "ZRZYJ": "自然资源和规划局",
    "STHJJ": "生态环境局",
    "WJW": "卫生健康委员会",
    "RSJ": "人力资源和社会保障局",
    "GAJ": "公安局",
    "MZJ": "民政局",
    "JTJ": "交通运输局",
    "FGW": "发展和改革委员会",
    "JYJ": "教育局",
    "WGLJ": "文化广电旅游局",
}


def _department(code: str) -> Department:
    dept, _ = Department.objects.get_or_create(code=code, defaults={"name": DEPARTMENT_NAMES.get(code, code)})
    return dept


def load_catalogue(path: Path = FIXTURE) -> int:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    themes = {}
    for order, (code, name, name_en, audience) in enumerate(data["themes"]):
        themes[code], _ = Theme.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "audience": audience, "order": order}
        )
    created = 0
    for row in data["items"]:
        if Item.objects.filter(code=row["code"]).exists():
            continue
        item = Item(
            code=row["code"],
            name=row["name"],
            department=_department(row["department"]),
            item_type=row["item_type"],
            status=row["status"],
            statutory_limit=row["statutory_limit"],
            promised_limit=row["promised_limit"],
            limit_unit=row["limit_unit"],
            legal_basis=row["legal_basis"],
            conditions=row["conditions"],
            review_points=row.get("review_points", ""),
            fee_standard=row["fee_standard"],
            fee_basis=row["fee_basis"],
            max_visits=row["max_visits"],
            online=row["max_visits"] == 0 or "parallel" not in row["modes"],
            result_name=row["result_name"],
            # 并联: each co-department's limit fits inside the promised one (Item.clean checks it)
            co_department_limit=row.get("co_department_limit", min(5, row["promised_limit"])),
            co_department_limits=row.get("co_department_limits") or {},
            **{
                f"mode_{m}": (m in row["modes"])
                for m in ("instant", "promised", "deferred", "commitment", "parallel")
            },
        )
        item.full_clean(exclude=["department"])
        audited_save(item, actor=None, reason="示例目录导入")
        item.themes.set([themes[t] for t in row["themes"]])
        item.co_departments.set([_department(c) for c in row["co_departments"]])
        for order, m in enumerate(row["materials"], start=1):
            Material.objects.create(item=item, order=order, **m)
        for order, (name, role, days) in enumerate(row["steps"], start=1):
            Step.objects.create(item=item, order=order, name=name, role=role, limit_days=days)
        for order, (key, label, kind, choices, required) in enumerate(row["form_fields"], start=1):
            FormField.objects.create(
                item=item, order=order, key=key, label=label, kind=kind, choices=choices, required=required
            )
        item_history_record_rows(item)  # the item's first historical record shows its rows too
        created += 1
    return created


def load(stdout: Any) -> None:
    created = load_catalogue()
    stdout.write(f"catalogue: {created} items created, {Item.objects.count()} in all")
