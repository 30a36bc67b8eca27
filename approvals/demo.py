"""Demo cases in every state, walked through the real services (so timelines and notifications are
genuine). Idempotent: does nothing when demo cases already exist."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from intake.constants import Channel
from intake.models import Application, Item
from intake.services.applications import (
    application_add_material,
    application_create_draft,
    application_submit,
)
from portal.accounts.models import User

from .models import Case
from .services.intake import MaterialCheckInput, case_check_materials
from .transitions import TRANSITIONS


def demo_pdf(title: str) -> bytes:
    """A real one-page PDF (uploads are parsed since issue 17), titled after the material."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# (item code, applicant, mode, path of (user, transition, data))
PLANS: list[tuple[str, str, str, list[tuple[str, str, dict[str, Any]]]]] = [
    ("SCJG-001", "enterprise", "promised", []),
    (
        "SCJG-001",
        "citizen",
        "promised",
        [
            ("clerk", "check_materials", {"食品安全管理制度": "未加盖公章"}),
            (
                "clerk",
                "request_correction",
                {"materials": [{"name": "食品安全管理制度", "problem": "未加盖公章"}]},
            ),
        ],
    ),
    ("SCJG-004", "enterprise", "promised", [("clerk", "accept", {})]),
    ("SCJG-005", "enterprise", "promised", [("clerk", "accept", {}), ("reviewer", "start_review", {})]),
    (
        "SCJG-006",
        "enterprise",
        "promised",
        [
            ("clerk", "accept", {}),
            ("reviewer", "start_review", {}),
            ("reviewer", "suspend", {"kind": "testing", "reason": "样机送检", "expected_days": 10}),
        ],
    ),
    (
        "SCJG-003",
        "enterprise",
        "promised",
        [
            ("clerk", "accept", {}),
            ("reviewer", "start_review", {}),
            ("reviewer", "send_to_decision", {"opinion": "材料齐全，符合条件"}),
        ],
    ),
    (
        "SCJG-001",
        "enterprise",
        "promised",
        [
            ("clerk", "accept", {}),
            ("reviewer", "start_review", {}),
            ("reviewer", "send_to_decision", {"opinion": "符合条件"}),
            ("decider", "approve", {"opinion": "准予许可"}),
        ],
    ),
    (
        "SCJG-004",
        "citizen",
        "promised",
        [
            ("clerk", "accept", {}),
            ("reviewer", "start_review", {}),
            ("reviewer", "send_to_decision", {"opinion": "不符合"}),
            ("decider", "deny", {"reasons": "质量负责人不具备执业药师资格"}),
        ],
    ),
    (
        "SCJG-005",
        "enterprise",
        "promised",
        [
            ("clerk", "accept", {}),
            ("reviewer", "start_review", {}),
            ("reviewer", "send_to_decision", {"opinion": "符合"}),
            ("decider", "approve", {}),
            ("clerk", "deliver", {"method": "post", "tracking_number": "SF1029384756"}),
        ],
    ),
    (
        "SCJG-002",
        "citizen",
        "instant",
        [("clerk", "accept", {}), ("clerk", "approve_on_the_spot", {"note": "当场办结"})],
    ),
    ("SCJG-003", "citizen", "promised", [("citizen", "withdraw", {"reason": "暂不开办"})]),
    # 不予受理: the window's proposal waits for the head's sign-off (DESIGN §3)
    (
        "SCJG-004",
        "enterprise",
        "promised",
        [
            (
                "clerk",
                "propose_refusal",
                {
                    "reasons": "申请事项依法不属于本机关职权范围，应向省药品监督管理局申请",
                    "legal_basis": "《中华人民共和国行政许可法》第三十二条第一款第（二）项",
                },
            )
        ],
    ),
    # 并联: accepted, the co-department (住房和城乡建设局) has its part to answer
    ("ZR-002", "enterprise", "parallel", [("clerk", "accept", {})]),
]


# What a real applicant would write in the catalogue's text fields (printed on the demo's licences).
DEMO_ANSWERS = {
    "shop_name": "示范市鼓楼区张伟便利店",
    "trade_name": "示范市鼓楼区张伟便利店",
    "business_scope": "预包装食品销售；日用百货零售",
    "applicant_address": "示范市鼓楼区五四路100号",
    "area": "80",
}


def _submit(item: Item, applicant: User, mode: str, clerk: User) -> Application:
    """Submitted online, or registered at the window by the clerk when the item cannot be done online."""
    actor = applicant if item.online else clerk
    app = application_create_draft(
        item=item,
        applicant=applicant,
        actor=actor,
        channel=Channel.ONLINE if item.online else Channel.WINDOW,
        mode=mode,
        form_data={
            f.key: (
                f.choice_list[0]
                if f.choice_list
                else DEMO_ANSWERS.get(f.key, "100" if f.kind == "number" else "示范市示范路1号")
            )
            for f in item.current_form_fields
        },
    )
    for material in [m for m in item.current_materials if m.mandatory]:
        application_add_material(
            application=app,
            material=material,
            actor=actor,
            upload=SimpleUploadedFile(f"{material.name}.pdf", demo_pdf(material.name)),
        )
    return application_submit(application=app, actor=actor)


def load(stdout: Any) -> None:
    from .phrases import phrases_seed

    added = phrases_seed()  # the migration seeds them; a flushed test database has none
    if added:
        stdout.write(f"opinion phrases: {added}")
    if Case.objects.filter(applicant__username__in=["citizen", "enterprise"]).exists():
        stdout.write("demo cases: already there")
        return
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["citizen", "enterprise", "clerk", "reviewer", "decider", "head"]
        )
    }
    if len(users) < 6:
        stdout.write("demo cases: skipped (demo users missing)")
        return
    made = 0
    for code, applicant, mode, path in PLANS:
        item = Item.objects.filter(code=code, status="published").first()
        if item is None:
            continue
        app = _submit(item, users[applicant], mode, users["clerk"])
        case = Case.objects.get(application=app)
        for username, name, data in path:
            if name == "check_materials":  # the window's check first: every material fine but those named
                checks: dict[int, MaterialCheckInput] = {
                    m.pk: {"verdict": "fix", "problem": data[m.name]} if m.name in data else {"verdict": "ok"}
                    for m in item.current_materials
                }
                case_check_materials(case=case, actor=users[username], checks=checks)
                continue
            case = TRANSITIONS[name].fire(case=case, actor=users[username], data=data)
        made += 1
    stdout.write(f"demo cases: {made} created")
