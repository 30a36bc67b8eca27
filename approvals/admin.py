"""Cases in the admin: read-only for every user, the superuser included, history viewable but never
reverted — a case changes only through its transitions (portal/readonly_admin.py)."""

from typing import Any

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from intake.constants import DeliveryMethod
from portal.history_admin import HistoryAdmin
from portal.readonly_admin import ReadOnlyAdmin, ReadOnlyHistoryAdmin, ReadOnlyTabularInline
from portal.workcalendar.constants import LimitUnit

from .constants import AfterCheckResult, MaterialVerdict, SubApprovalAnswer, SuspensionKind
from .models import Case, CaseTransition, OpinionPhrase, SubApproval, Suspension

# What the transition log's record of each transition holds (its ``data``), under these names; a value
# that is a code is shown by its label. Nothing is shown by the key it is stored under.
DATA_LABELS = {
    "materials": _("材料"),
    "notice": _("告知书"),
    "remedies": _("救济途径"),
    "elapsed_days": _("已用时（日）"),
    "after_check_result": _("事后核查结果"),
    "after_check_due": _("事后核查期限"),
    "result": _("结果"),
    "days": _("天数"),
    "unit": _("计算方式"),
    "basis": _("依据"),
    "checks": _("核验结果"),
    "department": _("部门"),
    "answer": _("意见"),
    "legal_basis": _("法律依据"),
    "kind": _("特别程序"),
    "expected_days": _("预计时长（工作日）"),
    "suspended_days": _("中止天数"),
    "promised_due": _("承诺办结日期"),
    "statutory_due": _("法定办结日期"),
    "accepted_as_of": _("受理日期"),
    "deferred_materials": _("容缺后补材料"),
    "supply_by": _("容缺材料补齐期限"),
    "unchecked_override": _("补正文件未核验即受理"),
    "files": _("文件"),
    "file": _("文件"),
    "material": _("材料"),
    "name": _("名称"),
    "problem": _("问题"),
    "verdict": _("核验结果"),
    "original_seen": _("已核验原件"),
    "reason": _("理由"),
    "method": _("送达方式"),
    "carrier": _("承运单位"),
    "tracking_number": _("运单号"),
    "proposed_by": _("提请人"),
    "approved_by": _("签批人"),
    "note": _("意见"),
    "sha256": _("文件指纹"),
}
CODE_LABELS: dict[str, Any] = {
    **dict(SubApprovalAnswer.choices),
    **dict(AfterCheckResult.choices),
    **dict(SuspensionKind.choices),
    **dict(MaterialVerdict.choices),
    **dict(LimitUnit.choices),
    **dict(DeliveryMethod.choices),
}


def data_in_words(value: Any) -> SafeString | str:
    """A transition's ``data`` as a person reads it: a list of 名称：值 lines, nested where the record is."""
    if isinstance(value, dict):
        if not value:
            return "—"
        rows = [(DATA_LABELS.get(k, _("其他")), data_in_words(v)) for k, v in value.items()]
        # a dict keyed by a material's name (the material check): the name is a word, not a key
        if not any(k in DATA_LABELS for k in value):
            rows = [(k, data_in_words(v)) for k, v in value.items()]
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}：{}</li>", rows))
    if isinstance(value, list):
        return format_html_join("", "{}<br>", ((data_in_words(v),) for v in value)) if value else "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if value is None or value == "":
        return "—"
    return str(CODE_LABELS.get(value, value)) if isinstance(value, str) else str(value)


class TransitionInline(ReadOnlyTabularInline):
    model = CaseTransition
    readonly_fields = fields = ("at", "action", "from_state", "to_state", "actor", "reason", "details")

    @admin.display(description=_("操作"))
    def action(self, obj: CaseTransition) -> str:
        return obj.action_label

    @admin.display(description=_("附加信息"))
    def details(self, obj: CaseTransition) -> SafeString | str:
        return data_in_words(obj.data)


@admin.register(Case)
class CaseAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "reference",
        "item",
        "department",
        "state",
        "accepted_on",
        "promised_due",
        "statutory_due",
        "concluded_on",
    ]
    list_filter = ["state", "mode", "department"]
    search_fields = ["reference", "item__name"]
    date_hierarchy = "accepted_on"
    inlines = [TransitionInline]
    list_select_related = ["item", "department"]

    # the link secret opens the case without signing in: never on a screen
    exclude = ["link_secret", "deferred_materials"]

    def get_readonly_fields(self, request, obj=None):
        hidden = {"link_secret", "deferred_materials"}
        return [f.name for f in Case._meta.fields if f.name not in hidden] + ["deferred"]

    @admin.display(description=_("容缺后补材料"))
    def deferred(self, obj: Case) -> str:
        return "、".join(str(m) for m in obj.deferred_materials or []) or "—"


@admin.register(CaseTransition)
class CaseTransitionAdmin(ReadOnlyAdmin):
    """The transition log: append-only, written by the case services."""

    list_display = ["at", "case", "action", "from_state", "to_state", "actor"]
    list_filter = ["to_state"]
    search_fields = ["case__reference"]
    list_select_related = ["case", "actor"]
    readonly_fields = tuple(
        [
            "case",
            "at",
            "action",
            "from_state",
            "to_state",
            "actor",
            "reason",
            "details",
        ]
    )
    fields = tuple(readonly_fields)

    @admin.display(description=_("操作"))
    def action(self, obj: CaseTransition) -> str:
        return obj.action_label

    @admin.display(description=_("附加信息"))
    def details(self, obj: CaseTransition) -> SafeString | str:
        return data_in_words(obj.data)


@admin.register(Suspension)
class SuspensionAdmin(ReadOnlyHistoryAdmin):
    list_display = ["case", "kind", "started_on", "resumed_on", "expected_days"]
    list_filter = ["kind"]
    readonly_fields = ["case", "kind", "reason", "expected_days", "started_on", "resumed_on", "started_by"]


@admin.register(SubApproval)
class SubApprovalAdmin(ReadOnlyHistoryAdmin):
    list_display = ["case", "department", "due_on", "answer", "answered_at"]
    list_filter = ["answer", "department"]
    readonly_fields = ["case", "department", "due_on", "answer", "opinion", "answered_by", "answered_at"]


@admin.register(OpinionPhrase)
class OpinionPhraseAdmin(HistoryAdmin):
    """The common opinion phrases the reviewer and the decider pick from: catalogue data, edited here with
    history (who, when, what). A phrase no longer offered is retired by unticking 在用, not deleted."""

    list_display = ["text", "transition", "order", "active"]
    list_filter = ["transition", "active"]
    search_fields = ["text"]

    def has_delete_permission(self, request, obj=None):
        return False
