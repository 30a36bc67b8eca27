"""Demo departments, windows and one login per role (password ``demo12345``, demos only)."""

from typing import Any

from django.contrib.auth.models import Group

from .constants import ApplicantKind, Role
from .models import Department, User, Window

DEMO_PASSWORD = "demo12345"  # noqa: S105 (the documented demo login, for demos only)

DEPARTMENTS = [
    ("SCJGJ", "市场监督管理局", "Administration for Market Regulation", "市场监管局"),
    ("ZJJ", "住房和城乡建设局", "Housing and Urban-Rural Development Bureau", "住建局"),
    ("ZRZYJ", "自然资源和规划局", "Natural Resources and Planning Bureau", "自然资源局"),
    ("STHJJ", "生态环境局", "Ecology and Environment Bureau", "生态环境局"),
    ("WJW", "卫生健康委员会", "Health Commission", "卫健委"),
    ("RSJ", "人力资源和社会保障局", "Human Resources and Social Security Bureau", "人社局"),
    ("GAJ", "公安局", "Public Security Bureau", "公安局"),
    ("MZJ", "民政局", "Civil Affairs Bureau", "民政局"),
    ("JTJ", "交通运输局", "Transport Bureau", "交通局"),
    ("FGW", "发展和改革委员会", "Development and Reform Commission", "发改委"),
    ("JYJ", "教育局", "Education Bureau", "教育局"),
    ("WGLJ", "文化广电旅游局", "Culture, Radio, Television and Tourism Bureau", "文广旅局"),
    ("XNB", "效能办", "Efficiency Office", "效能办"),
]

WINDOWS = [
    (1, "综合受理（企业开办）"),
    (2, "综合受理（工程建设）"),
    (3, "综合受理（社会事务）"),
    (4, "综合受理（医疗卫生）"),
    (5, "综合受理（交通运输）"),
    (6, "综合受理（不动产）"),
    (7, "统一出件"),
    (8, "帮办代办"),
]

# username, role, real name, department code, window number, extra fields
USERS: list[tuple[str, str, str, str | None, int | None, dict[str, Any]]] = [
    (
        "citizen",
        Role.CITIZEN,
        "张伟",
        None,
        None,
        {"applicant_kind": ApplicantKind.PERSON, "id_number": "11010519491231002X", "phone": "13800000001"},
    ),
    (
        "enterprise",
        Role.ENTERPRISE,
        "李娜",
        None,
        None,
        {
            "applicant_kind": ApplicantKind.ENTERPRISE,
            "enterprise_name": "示范市青禾餐饮管理有限公司",
            "credit_code": "91350100M000100Y43",
            "phone": "13800000002",
        },
    ),
    ("clerk", Role.CLERK, "王芳", None, 1, {"phone": "13800000003"}),
    # the window supervisor (窗口负责人) signs off the window's refusal proposals (DESIGN §3)
    ("clerk2", Role.CLERK, "陈静", None, 2, {"phone": "13800000009", "is_window_supervisor": True}),
    ("reviewer", Role.REVIEWER, "刘洋", "SCJGJ", None, {"phone": "13800000004"}),
    ("decider", Role.DECIDER, "赵敏", "SCJGJ", None, {"phone": "13800000005"}),
    ("head", Role.HEAD, "孙强", "SCJGJ", None, {"phone": "13800000006"}),
    ("reviewer2", Role.REVIEWER, "周杰", "ZJJ", None, {"phone": "13800000010"}),
    ("decider2", Role.DECIDER, "吴磊", "ZJJ", None, {"phone": "13800000011"}),
    ("head2", Role.HEAD, "郑丽", "ZJJ", None, {"phone": "13800000012"}),
    # 卫生健康委: the 公共场所卫生许可 of the demo packages (一件事)
    ("reviewer3", Role.REVIEWER, "何静", "WJW", None, {"phone": "13800000013"}),
    ("decider3", Role.DECIDER, "钱明", "WJW", None, {"phone": "13800000014"}),
    ("inspector", Role.INSPECTOR, "黄磊", "XNB", None, {"phone": "13800000007"}),
    (
        "admin",
        Role.CATALOGUE_ADMIN,
        "林涛",
        None,
        None,
        {"phone": "13800000008", "is_staff": True, "is_superuser": True},
    ),
]


def load(stdout: Any) -> None:
    departments = {}
    for code, name, name_en, short in DEPARTMENTS:
        departments[code], _ = Department.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "short_name": short,
                "is_efficiency_office": code == "XNB",
            },
        )
    windows = {}
    for number, name in WINDOWS:
        windows[number], _ = Window.objects.update_or_create(number=number, defaults={"name": name})
    created = 0
    for username, role, real_name, dept, window, extra in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_password(DEMO_PASSWORD)
            created += 1
        user.real_name = real_name
        user.department = departments.get(dept) if dept else None
        user.window = windows.get(window) if window else None
        for key, value in extra.items():
            setattr(user, key, value)
        user.save()
        group, _ = Group.objects.get_or_create(name=str(role))
        user.groups.add(group)
    stdout.write(f"departments: {len(departments)}, windows: {len(windows)}, demo users created: {created}")
