"""The window handles a package (一件事, DESIGN §10) as one: one material check, one correction notice
covering every item, one acceptance that accepts every case; the departments then work in parallel as
usual. The results are delivered together (one pick-up, one parcel) unless the applicant asked for each
as it comes.

Each package step runs the single-case service on every case of the package, in one transaction: the
rules of a single case (who may act, Art. 32's correction rules and the count that starts again, the
transition log) apply to each of them unchanged; a refusal of any case undoes the step for all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from intake.models import PackageApplication, PackageMaterial
from portal.accounts.models import User
from portal.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from portal.notifications.services import notify

from ..constants import ENDED_STATES, CaseState, DeliveryMethod, MaterialVerdict
from ..models import Case
from .correction import case_request_correction, case_supply, discard_stored_uploads
from .delivery import case_deliver
from .intake import MaterialCheckInput, case_accept, case_check_materials


def _package_name(bundle: PackageApplication) -> str:
    return str(_("一件事：%(name)s") % {"name": bundle.package.name})


def _cases(bundle: PackageApplication, *, live: bool = False) -> list[Case]:
    """The package's cases, locked in id order (every package step locks them in the same order).
    ``live``: without those that ended without a decision (an item refused at the window with a
    supervisor's sign-off, or withdrawn): the window goes on with the others, still as one."""
    cases = list(
        Case.objects.select_for_update(of=("self",))
        .select_related("item", "application")
        .filter(application__package_application=bundle)
        .order_by("id")
    )
    return [c for c in cases if c.state not in ENDED_STATES] if live else cases


def _all_in(cases: list[Case], states: set[str], what: str) -> None:
    if not cases:
        raise ConflictError(_("该一件事没有办件。"))
    wrong = [c for c in cases if c.state not in states]
    if wrong:
        raise ConflictError(
            _("一件事须整体%(what)s：事项“%(item)s”当前状态为“%(state)s”。")
            % {"what": what, "item": wrong[0].item.name, "state": wrong[0].get_state_display()}
        )


def _materials_of(bundle: PackageApplication) -> dict[int, PackageMaterial]:
    return {m.pk: m for m in bundle.package.materials.all()}


@transaction.atomic
def package_check_materials(
    *, bundle: PackageApplication, actor: User, checks: Mapping[int, MaterialCheckInput]
) -> None:
    """One material check for the package: each package material's verdict is recorded on the material
    it was filed under in every item that needs it (``checks``: package material id → check)."""
    cases = _cases(bundle, live=True)
    _all_in(cases, {CaseState.SUBMITTED}, _("核验材料"))
    materials = _materials_of(bundle)
    errors: dict[str, list[str]] = {}
    for pk, check in checks.items():
        if pk not in materials:
            errors[f"verdict_{pk}"] = [_("该材料不属于此一件事。")]
        elif check.get("verdict") not in MaterialVerdict.values:
            errors[f"verdict_{pk}"] = [_("请选择“%(name)s”合格还是需补正。") % {"name": materials[pk].name}]
        elif check.get("verdict") == MaterialVerdict.FIX and not str(check.get("problem") or "").strip():
            errors[f"problem_{pk}"] = [_("请写明“%(name)s”存在的问题。") % {"name": materials[pk].name}]
        elif len(str(check.get("problem") or "")) > 300:
            errors[f"problem_{pk}"] = [_("问题说明最多300字。")]
    if errors:
        raise ApplicationError(_("核验结果有误，请修改后重试。"), extra=errors)
    for case in cases:
        mapped: dict[int, MaterialCheckInput] = {}
        for pk, check in checks.items():
            material = materials[pk].target_material(case.item)
            if material is not None:
                mapped[material.pk] = check
        if mapped:
            case_check_materials(case=case, actor=actor, checks=mapped)


@transaction.atomic
def package_request_correction(
    *, bundle: PackageApplication, actor: User, materials: Sequence[Mapping[str, Any]], note: str = ""
) -> list[Case]:
    """One correction notice covering every item (一次性告知, Art. 32): the lines name the package's
    materials (``{"material": <package material id>, "problem": "…"}``) and every case of the package waits
    for the correction, so the package is accepted once, on the complete materials. A later notice is held
    to the single-case rule on each case: naming a material the first notice did not is a second notice."""
    cases = _cases(bundle, live=True)
    _all_in(cases, {CaseState.SUBMITTED}, _("告知补正"))
    known = _materials_of(bundle)
    errors: dict[str, list[str]] = {}
    lines: list[dict[str, str]] = []
    for n, line in enumerate(materials):
        raw = line.get("material")
        try:
            pk = int(raw) if isinstance(raw, int | str | float) else 0
        except ValueError:
            pk = 0
        problem = str(line.get("problem") or "").strip()
        if pk not in known:
            errors[f"materials.{n}.material"] = [_("请选择一件事材料清单中的材料。")]
        elif not problem:
            errors[f"materials.{n}.problem"] = [_("请写明“%(name)s”存在的问题。") % {"name": known[pk].name}]
        elif len(problem) > 300:
            errors[f"materials.{n}.problem"] = [_("问题说明最多300字。")]
        else:
            lines.append({"name": known[pk].name, "problem": problem})
    if not materials:
        errors["materials"] = [_("请至少列出一项需补正的材料。")]
    if errors:
        raise ApplicationError(_("补正告知有误，请修改后重试。"), extra=errors)
    done = [
        case_request_correction(
            case=case,
            actor=actor,
            materials=[{"name": m["name"], "problem": m["problem"]} for m in lines],
            note=note,
            notify_applicant=False,
            as_part_of_package=True,
        )
        for case in cases
    ]
    notify(
        recipient=bundle.applicant,
        event="case.correction_requested",
        context={
            "reference": bundle.reference,
            "item_name": _package_name(bundle),
            "materials": lines,
            "note": note,
        },
    )
    return done


def package_supply(
    *, bundle: PackageApplication, actor: User, files: Mapping[int, Any], note: str = ""
) -> list[Case]:
    """The applicant supplies the correction once: each file (``files``: package material id → upload) is
    filed under the matching material of every item that needs it, and every case of the package goes back
    to the window (Art. 32: its 5 working days start again today)."""
    try:
        return _supply(bundle=bundle, actor=actor, files=files, note=note)
    except BaseException:
        discard_stored_uploads(files.values())
        raise


@transaction.atomic
def _supply(*, bundle: PackageApplication, actor: User, files: Mapping[int, Any], note: str) -> list[Case]:
    if actor.pk != bundle.applicant_id:
        raise PermissionDeniedError(_("只有申请人本人可以提交补正材料。"))
    cases = _cases(bundle, live=True)
    _all_in(cases, {CaseState.CORRECTION_REQUESTED}, _("补正"))
    known = _materials_of(bundle)
    unknown = [pk for pk in files if pk not in known]
    if unknown:
        raise ApplicationError(
            _("该材料不属于此一件事。"), extra={f"files_{pk}": [_("材料与一件事不符。")] for pk in unknown}
        )
    if not files and not note.strip():
        raise ApplicationError(
            _("请上传补正的材料文件，或写明补正情况（例如原件将送到窗口）。"),
            extra={"files": [_("请至少上传一个文件或填写意见。")]},
        )
    default_note = _("一件事补正（%(ref)s）") % {"ref": bundle.reference}
    done = []
    for case in cases:
        pairs = []
        for pk, upload in files.items():
            material = known[pk].target_material(case.item)
            if material is not None:
                pairs.append((str(material.pk), upload))
        done.append(
            case_supply(
                case=case,
                actor=actor,
                files=pairs,
                note=note.strip() or str(default_note),
                as_part_of_package=True,
            )
        )
    return done


@transaction.atomic
def package_accept(
    *, bundle: PackageApplication, actor: User, note: str = "", override_reason: str = ""
) -> list[Case]:
    """One acceptance that accepts every case of the package; each case's clock starts today on its own
    limits (its own snapshot), and its department's reviewers hear of it. The applicant gets one notice
    naming the package, with the latest promised date."""
    cases = _cases(bundle, live=True)
    _all_in(cases, {CaseState.SUBMITTED}, _("受理"))
    accepted = [
        case_accept(
            case=case,
            actor=actor,
            note=note,
            override_reason=override_reason,
            notify_applicant=False,
            as_part_of_package=True,
        )
        for case in cases
    ]
    promised = max(c.promised_due for c in accepted if c.promised_due is not None)
    statutory = max(c.statutory_due for c in accepted if c.statutory_due is not None)
    notify(
        recipient=bundle.applicant,
        event="case.accepted",
        context={
            "reference": bundle.reference,
            "item_name": _package_name(bundle),
            "promised_due": promised.isoformat(),
            "statutory_due": statutory.isoformat(),
            "provisional": any(c.due_provisional for c in accepted),
        },
    )
    return accepted


@transaction.atomic
def package_deliver(
    *,
    bundle: PackageApplication,
    actor: User,
    method: str,
    tracking_number: str = "",
    place: str = "",
    carrier: str = "",
) -> list[Case]:
    """Deliver every decided result of the package at once: one pick-up or one parcel (one tracking
    number). Every case must be concluded first."""
    cases = _cases(bundle)
    if method not in DeliveryMethod.values:
        raise ApplicationError(_("请选择送达方式。"), extra={"method": [_("请选择送达方式。")]})
    waiting = [c for c in cases if c.state not in (CaseState.APPROVED, CaseState.DENIED, CaseState.DELIVERED)]
    open_ = [
        c
        for c in waiting
        if c.state not in (CaseState.WITHDRAWN, CaseState.TERMINATED, CaseState.NOT_ACCEPTED)
    ]
    if open_:
        raise ConflictError(
            _("一件事的结果一并送达：事项“%(item)s”尚未办结。") % {"item": open_[0].item.name}
        )
    due = [c for c in cases if c.state in (CaseState.APPROVED, CaseState.DENIED)]
    if not due:
        raise ConflictError(_("该一件事没有待送达的结果。"))
    return [
        case_deliver(
            case=c, actor=actor, method=method, tracking_number=tracking_number, place=place, carrier=carrier
        )
        for c in due
    ]
