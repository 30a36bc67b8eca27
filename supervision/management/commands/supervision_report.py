"""python manage.py supervision_report --accepted-from 2025-01-01 --accepted-to 2025-12-31
--as-of 2026-01-31T00:00:00 [--by department|item|window|clerk|month] [--json] [--fractions]"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from supervision.constants import Breakdown
from supervision.figures import ROW_KEYS, figures
from supervision.serializers import FiguresQuerySerializer


class Command(BaseCommand):
    help = "按受理期间和统计时点输出电子监察统计指标（DESIGN §5）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accepted-from", required=True, help="受理起始日期 YYYY-MM-DD")
        parser.add_argument("--accepted-to", required=True, help="受理截止日期 YYYY-MM-DD")
        parser.add_argument(
            "--as-of", default=None, help="统计时点 YYYY-MM-DDTHH:MM:SS（默认现在，Asia/Shanghai）"
        )
        parser.add_argument("--by", default=None, help="分组：" + "|".join(Breakdown.values))
        parser.add_argument("--department", default=None, help="只统计此部门代码")
        parser.add_argument("--json", action="store_true", help="输出 JSON")
        parser.add_argument("--fractions", action="store_true", help="JSON 中附带各比率的分子和分母")

    def handle(self, *args: Any, **options: Any) -> None:
        data = {
            "accepted_from": options["accepted_from"],
            "accepted_to": options["accepted_to"],
            "by": options["by"] or "",
        }
        if options["as_of"]:
            data["as_of"] = options["as_of"]
        query = FiguresQuerySerializer(data=data)
        if not query.is_valid():
            messages = "; ".join(
                f"--{k.replace('_', '-')}: {' '.join(map(str, v))}" for k, v in query.errors.items()
            )
            raise CommandError(f"参数有误 {messages}", returncode=2)
        department_id = None
        if options["department"]:
            from portal.accounts.models import Department

            dept = Department.objects.filter(code=options["department"]).first()
            if dept is None:
                raise CommandError(
                    f"参数有误 --department: 没有代码为 {options['department']} 的部门", returncode=2
                )
            department_id = dept.pk
        report = figures(department_id=department_id, **query.validated_data)
        if options["json"]:
            self.stdout.write(
                json.dumps(report.as_dict(fractions=options["fractions"]), ensure_ascii=False, indent=2)
            )
            return
        self.stdout.write(
            f"受理期间 {report.accepted_from} 至 {report.accepted_to}，统计时点 {report.as_of.isoformat()}；"
            f"承诺提速率 {report.promised_speedup}"
        )
        for row in report.rows:
            d = row.as_dict()
            self.stdout.write(
                (f"[{row.label}] " if report.by else "")
                + "，".join(f"{k}={d[k] if d[k] is not None else '—'}" for k in ROW_KEYS)
            )
