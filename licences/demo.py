"""Demo licence types: every published licensing item of the sample catalogue whose result is a certificate
(…证, …证书, …执照) gets a type named after it, so that the demo's approvals issue licences. Idempotent."""

from typing import Any

from intake.models import Item
from portal.audit import audited_save

from .models import LicenceType

# Some results are valid without a time limit (长期有效); the others for the usual five years.
LONG_TERM = ("营业执照", "教师资格证书", "医师执业证书", "社会团体法人登记证书", "民办非企业单位登记证书")
LABELS = {
    "shop_name": "经营者名称",
    "trade_name": "字号名称",
    "category": "经营项目",
    "business_scope": "经营范围",
    "applicant_address": "住所（经营场所）",
    "area": "经营面积（平方米）",
}


def load(stdout: Any) -> None:
    made = 0
    items = Item.objects.filter(item_type="license", licence_type__isnull=True).prefetch_related(
        "form_fields"
    )
    for item in items:
        title = item.result_name
        if not title or not title.endswith(("证", "证书", "执照")):
            continue
        keys = [f.key for f in item.form_fields.all()]
        # the business scope is printed once, as the licence's scope
        fields = [
            {"label": LABELS[k], "source": f"form.{k}"} for k in keys if k in LABELS and k != "business_scope"
        ]
        licence_type, created = LicenceType.objects.get_or_create(
            code=item.code,
            defaults={
                "title": title,
                "fields": fields,
                "scope_template": "{form.business_scope}" if "business_scope" in keys else "",
                "validity_years": 0 if title in LONG_TERM else 5,
                # the department's code, the item's number, the year and the serial: SCJGJ0012026000001
                "numbering_pattern": "{dept}" + item.code.rsplit("-", 1)[-1] + "{year}{seq:06d}",
            },
        )
        made += int(created)
        item.licence_type = licence_type
        audited_save(item, actor=None, reason="示例证照类型")
    stdout.write(f"licence types: {made} created")
