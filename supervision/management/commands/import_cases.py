"""python manage.py import_cases FILE.csv — migrate case records from the previous e-approval system.

Every row is checked first; any error → all errors listed with their row numbers and nothing imported."""

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from supervision.legacy import ImportFailed, import_file, validate


class Command(BaseCommand):
    help = "从旧审批系统导入历史办件（CSV）：先校验全部行，有错误则全部不导入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--max-errors", type=int, default=1000, help="最多列出的错误条数（统计仍包括全部）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        batch = max(1, options["batch_size"])
        total = {"n": 0}
        started = time.monotonic()

        def progress(stage: str, n: int) -> None:
            whole = total["n"]
            if whole:
                filled = int(30 * n / whole)
                bar = "#" * filled + "." * (30 - filled)
                self.stdout.write(
                    f"\r{stage} [{bar}] {n}/{whole} ({time.monotonic() - started:.0f}s)", ending=""
                )
            else:
                self.stdout.write(f"\r{stage} {n} 行 ({time.monotonic() - started:.0f}s)", ending="")
            self.stdout.flush()

        try:
            total["n"] = validate(path, batch=5000, progress=progress)
        except FileNotFoundError:
            raise CommandError(f"找不到文件 {path}", returncode=2) from None
        except UnicodeDecodeError:
            raise CommandError("文件不是 UTF-8 编码的 CSV", returncode=2) from None
        except ImportFailed as exc:
            self.stdout.write("")
            shown = exc.errors[: options["max_errors"]]
            for line in shown:
                self.stderr.write(line)
            if len(exc.errors) > len(shown):
                self.stderr.write(f"……另有 {len(exc.errors) - len(shown)} 条错误未列出")
            raise CommandError(
                f"校验未通过：共 {len(exc.errors)} 条错误，未导入任何数据。", returncode=1
            ) from None
        self.stdout.write(f"\r校验通过：{total['n']} 行" + " " * 40)
        try:
            done = import_file(path, batch=batch, progress=progress)
        except ImportFailed as exc:
            for line in exc.errors:
                self.stderr.write(line)
            raise CommandError("导入中止，未导入任何数据。", returncode=1) from None
        self.stdout.write(f"\r导入完成：{done} 件，用时 {time.monotonic() - started:.1f} 秒" + " " * 20)
        sys.stdout.flush()
