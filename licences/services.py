"""Issuing, revoking and re-issuing licences (电子证照, DESIGN §11). Issuing runs inside the approval's
transaction (``portal.flows.case_approved``): a failure here undoes the approval, so an approved case of an
item with a licence type always has exactly one licence in force."""

import datetime
import re
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import Case
from portal.accounts.models import User
from portal.audit import audited_save
from portal.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from portal.notifications.services import notify

from . import pdf
from . import permissions as perm
from .constants import LicenceStatus
from .models import Licence, LicenceCounter, LicenceType

_FORM_REF = re.compile(r"\{form\.([A-Za-z0-9_]+)\}")


def verify_url(*, number: str, holder: str) -> str:
    """The public verification URL a licence's QR code carries (absolute: ``PORTAL_BASE_URL``)."""
    base = getattr(settings, "PORTAL_BASE_URL", "") or "http://127.0.0.1:8000"
    query = urlencode({"number": number, "holder": holder})
    return f"{base.rstrip('/')}{reverse('licences:verify')}?{query}"


def _next_number(*, licence_type: LicenceType, dept_code: str, year: int) -> str:
    """The next number of this type and year, from a counter row locked until the transaction ends (gapless:
    a rolled-back approval gives its serial back)."""
    LicenceCounter.objects.get_or_create(licence_type=licence_type, year=year)
    counter = LicenceCounter.objects.select_for_update().get(licence_type=licence_type, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    number = licence_type.number(dept=dept_code, year=year, seq=counter.last)
    if Licence.objects.filter(number=number).exists():
        # two types whose patterns give the same numbers: the approval waits until the pattern is fixed
        raise ConflictError(
            _(
                "证照编号 %(number)s 已被使用：证照类型“%(type)s”的编号规则与其他类型重复，请事项管理员修改编号规则。"
            )
            % {"number": number, "type": licence_type.title}
        )
    return number


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _source_value(source: str, *, case: Case, holder: str, department_name: str) -> str:
    form = case.application.form_data or {}
    if source.startswith("form."):
        value = form.get(source[5:], "")
        return "、".join(map(str, value)) if isinstance(value, list) else str(value)
    return {
        "holder": holder,
        "item": case.item.name,
        "reference": case.reference,
        "department": department_name,
    }.get(source, "")


def _store_pdf(licence: Licence) -> None:
    content = pdf.render(
        licence=licence, verify_url=verify_url(number=licence.number, holder=licence.holder_name)
    )
    licence.pdf.save(f"{licence.number}.pdf", ContentFile(content), save=False)


def licence_issue_for_case(*, case: Case) -> Licence | None:
    """Issue the licence of an approved case (its item's licence type), once: a case that already has one
    in force keeps it. ``None`` when the item issues no licence."""
    licence_type = case.item.licence_type
    if licence_type is None:
        return None
    existing = Licence.objects.filter(case=case, status=LicenceStatus.VALID).first()
    if existing is not None:
        return existing
    return _issue(case=case, licence_type=licence_type, actor=None, reason="issue")


def _issue(*, case: Case, licence_type: LicenceType, actor: User | None, reason: str) -> Licence:
    department = licence_type.issuing_department or case.department
    issued_on = case.concluded_on or timezone.localdate()
    holder = case.application.applicant_name
    form = case.application.form_data or {}
    scope = (
        _FORM_REF.sub(lambda m: str(form.get(m.group(1), "")), licence_type.scope_template) or case.item.name
    )
    fields = [
        {
            "label": str(f.get("label", "")),
            "value": _source_value(
                str(f.get("source", "")), case=case, holder=holder, department_name=department.name
            ),
        }
        for f in licence_type.fields or []
        if isinstance(f, dict)
    ]
    licence = Licence(
        number=_next_number(licence_type=licence_type, dept_code=department.code, year=issued_on.year),
        licence_type=licence_type,
        case=case,
        owner=case.applicant,
        title=licence_type.title,
        holder_name=holder,
        scope=scope[:300],
        fields=fields,
        issuing_department=department,
        issued_on=issued_on,
        valid_from=issued_on,
        valid_until=_add_years(issued_on, licence_type.validity_years) - datetime.timedelta(days=1)
        if licence_type.validity_years
        else None,
    )
    _store_pdf(licence)
    audited_save(licence, actor=actor, reason=reason)
    return licence


def licence_revoke_for_case(*, case: Case, reason: str) -> list[Licence]:
    """The approval was revoked (告知承诺 after-check, DESIGN §3): every licence of the case in force is
    revoked with it. Call it inside the revocation's transaction. Returns the licences revoked."""
    revoked = []
    for licence in Licence.objects.select_for_update().filter(case=case, status=LicenceStatus.VALID):
        licence.status = LicenceStatus.REVOKED
        licence.revoked_at = timezone.now()
        licence.revoke_reason = reason[:300]
        audited_save(licence, actor=None, reason="revoke")
        revoked.append(licence)
    return revoked


@transaction.atomic
def licence_reissue(*, licence: Licence, actor: User, reason: str) -> Licence:
    """A lost or damaged licence is issued again (补领/换发): a new number, the same contents and validity;
    the old one is marked replaced and points to the new one."""
    locked = (
        Licence.objects.select_for_update()
        .select_related("case__application", "case__item")
        .get(pk=licence.pk)
    )
    if not perm.may_reissue(actor, locked):
        raise PermissionDeniedError(_("您无权换发此证照。"))
    if locked.status != LicenceStatus.VALID:
        raise ConflictError(_("只有有效的证照可以换发。"))
    if not reason.strip():
        raise ApplicationError(_("请填写换发原因。"), extra={"reason": [_("此项为必填项。")]})
    year = timezone.localdate().year
    new = Licence(
        number=_next_number(
            licence_type=locked.licence_type, dept_code=locked.issuing_department.code, year=year
        ),
        licence_type=locked.licence_type,
        case=locked.case,
        owner=locked.owner,
        title=locked.title,
        holder_name=locked.holder_name,
        scope=locked.scope,
        fields=locked.fields,
        issuing_department=locked.issuing_department,
        issued_on=timezone.localdate(),
        valid_from=locked.valid_from,
        valid_until=locked.valid_until,
    )
    locked.status = LicenceStatus.REPLACED
    locked.revoke_reason = reason[:300]
    audited_save(locked, actor=actor, reason="replace")
    _store_pdf(new)
    audited_save(new, actor=actor, reason="reissue")
    locked.replaced_by = new
    audited_save(locked, actor=actor, reason="replace")
    notify(
        recipient=locked.owner,
        event="case.licence_reissued",
        context={
            "reference": locked.case.reference,
            "item_name": locked.case.item.name,
            "title": new.title,
            "number": new.number,
            "old_number": locked.number,
        },
        case=locked.case,
    )
    return new


def licence_pdf_bytes(*, licence: Licence) -> bytes:
    """The stored PDF (rendered again and stored if the file went missing)."""
    if licence.pdf:
        try:
            with licence.pdf.open("rb") as fh:
                data: Any = fh.read()
                return bytes(data)
        except FileNotFoundError:
            pass
    _store_pdf(licence)
    licence.save(update_fields=["pdf"])
    with licence.pdf.open("rb") as fh:
        return bytes(fh.read())
