"""Load the sample catalogue (``fixtures/catalogue.json``): 45+ realistic items across the demo
departments, covering every handling mode. Idempotent: existing items (by code) are left as they are."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings

from portal.accounts.models import Department
from portal.audit import audited_save

from .models import (
    FormField,
    Item,
    Material,
    Package,
    PackageField,
    PackageItem,
    PackageMaterial,
    Step,
    Theme,
)
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
    packages = load_packages()
    stdout.write(f"packages: {packages} created, {Package.objects.count()} in all")


# 一件事 (DESIGN §10): packages of the demo catalogue. Each: code, name, guide, its items' codes, its merged
# form (key, label, kind, choices, required, {item code: that item's field key} or {} for "same key"), and
# its merged materials (name, note, {item code: the item's material name}).
PACKAGES: list[dict[str, Any]] = [
    {
        "code": "YJS-001",
        "name": "开办餐饮店",
        "guide": (
            "开一家餐馆、小吃店或饮品店，一次申请同时办理营业执照（企业设立登记）、食品经营许可和公共场所卫生许可。\n"
            "一张表单、一套材料，由市民服务中心综合受理窗口一次受理，市场监管局、卫生健康委同步审批。\n"
            "各事项办结后，结果一并送达（也可选择办结一项送达一项）。"
        ),
        "items": ["SCJG-003", "SCJG-001", "WJ-002"],
        "fields": [
            ("shop_name", "店铺名称", "text", "", True, {}),
            ("applicant_address", "住所（经营场所）", "text", "", True, {}),
            ("area", "经营面积（平方米）", "number", "", True, {}),
            (
                "category",
                "经营项目",
                "choice",
                "预包装食品销售|散装食品销售|热食类食品制售|冷食类食品制售",
                True,
                {},
            ),
        ],
        "materials": [
            ("公司登记（备案）申请书", "", {"SCJG-003": "公司登记（备案）申请书"}),
            ("公司章程", "", {"SCJG-003": "公司章程"}),
            ("股东主体资格证明", "身份证或营业执照复印件", {"SCJG-003": "股东主体资格证明"}),
            ("经营场所使用证明", "房产证明或租赁合同，各事项共用一份", {"SCJG-003": "住所使用证明"}),
            ("食品经营许可申请书", "", {"SCJG-001": "食品经营许可申请书"}),
            (
                "营业执照或名称自主申报告知书",
                "新设立的，上传名称自主申报告知书；各事项共用一份",
                {
                    "SCJG-001": "营业执照",
                    "WJ-002": "营业执照",
                },
            ),
            (
                "设备设施布局、操作流程等文件",
                "",
                {"SCJG-001": "与食品经营相适应的主要设备设施布局、操作流程等文件"},
            ),
            (
                "食品安全及卫生管理制度",
                "食品安全管理制度和公共场所卫生管理制度可合并为一份",
                {
                    "SCJG-001": "食品安全管理制度",
                    "WJ-002": "卫生管理制度",
                },
            ),
            ("经营场所平面图", "", {"SCJG-001": "经营场所平面图"}),
            ("公共场所卫生许可申请表", "", {"WJ-002": "公共场所卫生许可申请表"}),
        ],
    },
    {
        "code": "YJS-002",
        "name": "开办歌舞娱乐场所",
        "guide": (
            "开办KTV、歌舞厅等娱乐场所，一次申请同时办理企业设立登记、娱乐场所经营许可和公共场所卫生许可。\n"
            "一张表单、一套材料，窗口一次受理，各部门同步审批。"
        ),
        "items": ["SCJG-003", "WG-002", "WJ-002"],
        "fields": [("applicant_address", "住所（经营场所）", "text", "", True, {})],
        "materials": [
            ("公司登记（备案）申请书", "", {"SCJG-003": "公司登记（备案）申请书"}),
            ("公司章程", "", {"SCJG-003": "公司章程"}),
            ("股东主体资格证明", "", {"SCJG-003": "股东主体资格证明"}),
            ("经营场所使用证明", "各事项共用一份", {"SCJG-003": "住所使用证明"}),
            ("营业执照或名称自主申报告知书", "各事项共用一份", {"WG-002": "营业执照", "WJ-002": "营业执照"}),
            ("娱乐场所经营许可申请表", "", {"WG-002": "娱乐场所经营许可申请表"}),
            ("消防安全检查意见", "", {"WG-002": "消防安全检查意见"}),
            ("公共场所卫生许可申请表", "", {"WJ-002": "公共场所卫生许可申请表"}),
            ("卫生管理制度", "", {"WJ-002": "卫生管理制度"}),
        ],
    },
    {
        "code": "YJS-003",
        "name": "开办旅行社",
        "guide": (
            "开办旅行社，一次申请同时办理企业设立登记和旅行社设立许可。\n"
            "一张表单、一套材料，窗口一次受理，市场监管局、文化广电旅游局同步审批。"
        ),
        "items": ["SCJG-003", "WG-003"],
        "fields": [("applicant_address", "住所（经营场所）", "text", "", True, {})],
        "materials": [
            ("公司登记（备案）申请书", "", {"SCJG-003": "公司登记（备案）申请书"}),
            ("公司章程", "", {"SCJG-003": "公司章程"}),
            ("股东主体资格证明", "", {"SCJG-003": "股东主体资格证明"}),
            ("经营场所使用证明", "各事项共用一份", {"SCJG-003": "住所使用证明", "WG-003": "经营场所证明"}),
            ("旅行社设立申请书", "", {"WG-003": "旅行社设立申请书"}),
            ("营业执照或名称自主申报告知书", "", {"WG-003": "营业执照"}),
            ("质量保证金存缴证明", "", {"WG-003": "质量保证金存缴证明"}),
        ],
    },
]


def load_packages() -> int:
    """The demo packages (一件事), built on the demo items; idempotent (existing packages by code are kept)."""
    created = 0
    for row in PACKAGES:
        if Package.objects.filter(code=row["code"]).exists():
            continue
        items = {i.code: i for i in Item.objects.filter(code__in=row["items"]).prefetch_related("materials")}
        if len(items) != len(row["items"]):
            continue  # the items are not loaded
        package = Package(
            code=row["code"], name=row["name"], guide=row["guide"], published=True, order=created
        )
        audited_save(package, actor=None, reason="示例目录导入")
        for order, code in enumerate(row["items"], start=1):
            PackageItem.objects.create(package=package, item=items[code], order=order)
        for order, (key, label, kind, choices, required, targets) in enumerate(row["fields"], start=1):
            PackageField.objects.create(
                package=package,
                order=order,
                key=key,
                label=label,
                kind=kind,
                choices=choices,
                required=required,
                targets=targets,
            )
        for order, (name, note, targets) in enumerate(row["materials"], start=1):
            keys = {}
            for code, material_name in targets.items():
                material = next(m for m in items[code].materials.all() if m.name == material_name)
                keys[code] = material.key
            PackageMaterial.objects.create(
                package=package, order=order, key=f"p{order}", name=name, note=note, targets=keys
            )
        created += 1
    return created
