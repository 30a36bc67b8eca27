"""Legacy case import (issue #6): validate every row first, then insert in batches, all or nothing.

Columns: reference, item_code, item_name, department_code, department_name, statutory_limit,
promised_limit, limit_unit (working|natural), applicant_name, submitted_at, accepted_at, concluded_at,
outcome (approved|denied|withdrawn|open), suspensions (``F/T`` date pairs separated by ``;``), rating.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from approvals.constants import CaseState, Outcome
from approvals.models import Case
from intake.constants import ApplicationStatus, Channel, ItemStatus
from intake.models import Application, Item
from portal.accounts.models import Department, User
from portal.workcalendar import services as calendar
from portal.workcalendar.constants import LimitUnit

COLUMNS = [
    "reference",
    "item_code",
    "item_name",
    "department_code",
    "department_name",
    "statutory_limit",
    "promised_limit",
    "limit_unit",
    "applicant_name",
    "submitted_at",
    "accepted_at",
    "concluded_at",
    "outcome",
    "suspensions",
    "rating",
]
OUTCOMES = {"approved", "denied", "withdrawn", "open"}
LEGACY_USERNAME = "legacy-import"
DATE_MIN = datetime.date(2000, 1, 2)
DATE_MAX = datetime.date(2060, 6, 30)


class ImportFailed(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass
class Parsed:
    reference: str
    item_code: str
    item_name: str
    department_code: str
    department_name: str
    statutory_limit: int
    promised_limit: int
    limit_unit: str
    applicant_name: str
    submitted_at: datetime.datetime | None
    accepted_at: datetime.datetime | None
    concluded_at: datetime.datetime | None
    outcome: str
    suspensions: list[tuple[datetime.date, datetime.date]]
    rating: int | None


def _parse_dt(value: str) -> datetime.datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("/", "-"))
    except ValueError:
        raise ValueError(f"无法识别的时间 {value!r}（应为 YYYY-MM-DD HH:MM:SS）") from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _parse_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"无法识别的日期 {value.strip()!r}") from None


def parse_row(row: dict[str, str]) -> tuple[Parsed | None, list[str]]:
    """One row → parsed values, or the list of its problems (field: message)."""
    errors: list[str] = []
    get = lambda k: (row.get(k) or "").strip()  # noqa: E731

    def need(key: str, max_len: int) -> str:
        value = get(key)
        if not value:
            errors.append(f"{key}: 不能为空")
        elif len(value) > max_len:
            errors.append(f"{key}: 超过 {max_len} 个字符")
        return value

    reference = need("reference", 24)
    item_code = need("item_code", 40)
    item_name = get("item_name")[:200]
    department_code = need("department_code", 20)
    department_name = get("department_name")[:100]
    limits = {}
    for key in ("statutory_limit", "promised_limit"):
        try:
            limits[key] = int(get(key))
            if not 0 <= limits[key] <= 3650:
                raise ValueError
        except ValueError:
            errors.append(f"{key}: 应为 0–3650 的整数，实为 {get(key)!r}")
    if len(limits) == 2 and limits["promised_limit"] > limits["statutory_limit"]:
        errors.append("promised_limit: 承诺时限不得超过法定时限")
    unit = get("limit_unit") or LimitUnit.WORKING
    if unit not in LimitUnit.values:
        errors.append(f"limit_unit: 应为 working 或 natural，实为 {unit!r}")
    stamps: dict[str, datetime.datetime | None] = {}
    for key in ("submitted_at", "accepted_at", "concluded_at"):
        try:
            stamps[key] = _parse_dt(get(key))
            if stamps[key] is not None and not DATE_MIN <= timezone.localdate(stamps[key]) <= DATE_MAX:
                errors.append(f"{key}: 日期超出工作日历范围")
        except ValueError as exc:
            errors.append(f"{key}: {exc}")
            stamps[key] = None
    outcome = get("outcome")
    if outcome not in OUTCOMES:
        errors.append(f"outcome: 应为 approved、denied、withdrawn 或 open，实为 {outcome!r}")
    accepted, concluded, submitted = stamps["accepted_at"], stamps["concluded_at"], stamps["submitted_at"]
    if outcome in ("approved", "denied", "withdrawn"):
        if not get("accepted_at") and outcome != "withdrawn":
            errors.append("accepted_at: 已办结的办件必须有受理时间")
        if not get("concluded_at"):
            errors.append("concluded_at: 已办结或撤回的办件必须有办结时间")
    elif outcome == "open" and get("concluded_at"):
        errors.append("concluded_at: 在办件不应有办结时间")
    if accepted and concluded and concluded < accepted:
        errors.append("concluded_at: 办结时间早于受理时间")
    if submitted and accepted and accepted < submitted:
        errors.append("accepted_at: 受理时间早于提交时间")
    suspensions: list[tuple[datetime.date, datetime.date]] = []
    for part in filter(None, (p.strip() for p in get("suspensions").split(";"))):
        try:
            f, t = part.split("/")
            start, end = _parse_date(f), _parse_date(t)
        except ValueError as exc:
            errors.append(f"suspensions: {part!r} 应为 起始日期/结束日期（{exc}）")
            continue
        if end < start:
            errors.append(f"suspensions: {part!r} 结束日期早于起始日期")
        elif accepted and start < timezone.localdate(accepted):
            errors.append(f"suspensions: {part!r} 早于受理日期")
        elif concluded and end > timezone.localdate(concluded):
            errors.append(f"suspensions: {part!r} 晚于办结日期")
        else:
            suspensions.append((start, end))
    rating: int | None = None
    if get("rating"):
        try:
            rating = int(get("rating"))
            if not 1 <= rating <= 5:
                raise ValueError
        except ValueError:
            errors.append(f"rating: 应为 1–5 或留空，实为 {get('rating')!r}")
            rating = None
        if rating is not None and outcome not in ("approved", "denied"):
            errors.append("rating: 只有已作出决定的办件可以有评价")
    if errors:
        return None, errors
    return (
        Parsed(
            reference=reference,
            item_code=item_code,
            item_name=item_name or item_code,
            department_code=department_code,
            department_name=department_name or department_code,
            statutory_limit=limits["statutory_limit"],
            promised_limit=limits["promised_limit"],
            limit_unit=unit,
            applicant_name=get("applicant_name")[:120] or "历史申请人",
            submitted_at=submitted,
            accepted_at=accepted,
            concluded_at=concluded,
            outcome=outcome,
            suspensions=suspensions,
            rating=rating,
        ),
        [],
    )


def _rows(path: str) -> Iterator[tuple[int, dict[str, str]]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ImportFailed([f"第 1 行（表头）: 缺少列 {', '.join(missing)}"])
        for row in reader:
            yield reader.line_num, row


def validate(path: str, *, batch: int = 5000, progress: Callable[[str, int], None] | None = None) -> int:
    """Pass 1: every row checked, duplicates within the file and against the database found; raises
    ImportFailed with every error (row numbers as in the file, the header being row 1)."""
    errors: list[str] = []
    seen: dict[str, int] = {}
    pending: list[tuple[int, str]] = []
    count = 0

    def check_db() -> None:
        refs = [r for _, r in pending]
        existing: set[str | None] = set(
            Case.objects.filter(reference__in=refs).values_list("reference", flat=True)
        )
        existing |= set(Application.objects.filter(reference__in=refs).values_list("reference", flat=True))
        for line, ref in pending:
            if ref in existing:
                errors.append(f"第 {line} 行: reference: 申报号 {ref} 已存在")
        pending.clear()

    for line, row in _rows(path):
        count += 1
        parsed, problems = parse_row(row)
        errors += [f"第 {line} 行: {p}" for p in problems]
        ref = (row.get("reference") or "").strip()
        if ref:
            if ref in seen:
                errors.append(f"第 {line} 行: reference: 申报号 {ref} 与第 {seen[ref]} 行重复")
            else:
                seen[ref] = line
                pending.append((line, ref))
        if len(pending) >= batch:
            check_db()
        if progress and count % batch == 0:
            progress("检查", count)
    if pending:
        check_db()
    if count == 0:
        errors.append("文件中没有数据行")
    if errors:
        raise ImportFailed(errors)
    return count


def _legacy_applicant() -> User:
    user, _ = User.objects.get_or_create(
        username=LEGACY_USERNAME, defaults={"real_name": "历史系统迁移", "is_active": False}
    )
    return user


def _days(p: Parsed) -> dict[str, Any]:
    """Dates of one case from the calendar service (suspensions stop the clock)."""
    out: dict[str, Any] = {}
    if p.accepted_at is None:
        return out
    accepted_on = timezone.localdate(p.accepted_at)
    susp = p.suspensions
    promised = calendar.add_days(accepted_on, p.promised_limit, unit=p.limit_unit, suspensions=susp)
    statutory = calendar.add_days(accepted_on, p.statutory_limit, unit=p.limit_unit, suspensions=susp)
    out.update(
        accepted_on=accepted_on,
        promised_due=promised.date,
        statutory_due=statutory.date,
        due_provisional=promised.provisional or statutory.provisional,
    )
    end = timezone.localdate(p.concluded_at) if p.concluded_at else timezone.localdate()
    if susp:
        plain = calendar.count_days(accepted_on, end, unit=p.limit_unit)
        out["suspended_days"] = max(
            0, plain - calendar.count_days(accepted_on, end, unit=p.limit_unit, suspensions=susp)
        )
    if p.concluded_at is not None:
        out["concluded_on"] = timezone.localdate(p.concluded_at)
        if p.outcome in ("approved", "denied"):
            out["elapsed_days"] = calendar.count_days(
                accepted_on, out["concluded_on"], unit=p.limit_unit, suspensions=susp
            )
    return out


STATE = {"approved": CaseState.APPROVED, "denied": CaseState.DENIED, "withdrawn": CaseState.WITHDRAWN}
OUTCOME = {"approved": Outcome.APPROVED, "denied": Outcome.DENIED, "withdrawn": Outcome.WITHDRAWN}


def _rating_model() -> Any:
    try:
        model = apps.get_model("complaints", "Rating")
        model._meta.get_field("case")
        return model
    except Exception:  # noqa: BLE001 - LookupError / FieldDoesNotExist: the complaints app has no ratings yet
        return None


def _rating(model: Any, case: Case, value: int) -> Any:
    names = {f.name for f in model._meta.get_fields()}
    kwargs: dict[str, Any] = {"case": case, "overall": value}
    for key in ("efficiency", "attitude", "guide_accuracy"):
        if key in names:
            kwargs[key] = value
    for key, val in (
        ("applicant", case.applicant),
        ("department", case.department),
        ("item", case.item),
        ("window", None),
        ("clerk", None),
        ("accepted_on", case.accepted_on),
        ("comment", "历史系统迁移"),
    ):
        if key in names:
            kwargs[key] = val
    if "channel" in names:
        field = model._meta.get_field("channel")
        choices = [c[0] for c in (field.choices or [])]
        kwargs["channel"] = (
            "legacy" if "legacy" in choices else (field.get_default() or (choices[0] if choices else ""))
        )
    return model(**kwargs)


@transaction.atomic
def import_file(path: str, *, batch: int = 2000, progress: Callable[[str, int], None] | None = None) -> int:
    """Pass 2 (after ``validate``): legacy departments and items, then applications, cases and ratings
    in batches. One transaction: any failure leaves nothing behind."""
    applicant = _legacy_applicant()
    departments = {d.code: d for d in Department.objects.all()}
    items = {i.code: i for i in Item.objects.all()}
    rating_model = _rating_model()
    done = 0
    buf: list[Parsed] = []

    def flush() -> None:
        nonlocal done
        for p in buf:
            dept = departments.get(p.department_code)
            if dept is None:
                dept = departments[p.department_code] = Department.objects.create(
                    code=p.department_code, name=p.department_name, is_legacy=True, is_active=False
                )
            if p.item_code not in items:
                items[p.item_code] = Item.objects.create(
                    code=p.item_code,
                    name=p.item_name,
                    department=dept,
                    status=ItemStatus.RETIRED,
                    statutory_limit=p.statutory_limit,
                    promised_limit=p.promised_limit,
                    limit_unit=p.limit_unit,
                )
        apps_ = []
        for p in buf:
            item = items[p.item_code]
            apps_.append(
                Application(
                    reference=p.reference,
                    item=item,
                    applicant=applicant,
                    status=ApplicationStatus.SUBMITTED,
                    channel=Channel.LEGACY,
                    applicant_name=p.applicant_name,
                    contact_phone="",
                    submitted_at=p.submitted_at or p.accepted_at,
                    item_snapshot={
                        "code": item.code,
                        "name": item.name,
                        "department_id": departments[p.department_code].pk,
                        "statutory_limit": p.statutory_limit,
                        "promised_limit": p.promised_limit,
                        "limit_unit": p.limit_unit,
                        "legacy": True,
                    },
                )
            )
        Application.objects.bulk_create(apps_)
        cases = []
        for p, app in zip(buf, apps_, strict=True):
            submitted = p.submitted_at or p.accepted_at
            state = STATE.get(p.outcome) or (CaseState.ACCEPTED if p.accepted_at else CaseState.SUBMITTED)
            cases.append(
                Case(
                    application=app,
                    reference=p.reference,
                    item=items[p.item_code],
                    department=departments[p.department_code],
                    applicant=applicant,
                    state=state,
                    outcome=OUTCOME.get(p.outcome, ""),
                    statutory_limit=p.statutory_limit,
                    promised_limit=p.promised_limit,
                    limit_unit=p.limit_unit,
                    submitted_at=submitted,
                    received_on=timezone.localdate(submitted) if submitted else None,
                    answer_from=timezone.localdate(submitted) if submitted else None,
                    accepted_at=p.accepted_at,
                    concluded_at=p.concluded_at,
                    **_days(p),
                )
            )
        Case.objects.bulk_create(cases)
        if rating_model is not None:
            ratings = [
                _rating(rating_model, c, p.rating) for p, c in zip(buf, cases, strict=True) if p.rating
            ]
            if ratings:
                rating_model.objects.bulk_create(ratings)
                if "created_at" in {f.name for f in rating_model._meta.get_fields()}:
                    rating_model.objects.filter(case_id__in=[r.case_id for r in ratings]).update(
                        created_at=Subquery(
                            Case.objects.filter(pk=OuterRef("case_id")).values("concluded_at")[:1]
                        )
                    )
        done += len(buf)
        buf.clear()
        if progress:
            progress("导入", done)

    for _line, row in _rows(path):
        parsed, problems = parse_row(row)
        if parsed is None:  # validated before; a file changed in between
            raise ImportFailed([f"第 {_line} 行: {p}" for p in problems])
        buf.append(parsed)
        if len(buf) >= batch:
            flush()
    if buf:
        flush()
    return done
