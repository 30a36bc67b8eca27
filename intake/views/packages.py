"""一件事 pages (DESIGN §10): the packages, a package's guide, and applying once — one form, one set of
uploads, check your answers, confirmation with the package reference and the date the window must answer.

A package has no draft: the checked answers and files wait in the session (the files in private storage
under a random name) between the form and the check-your-answers page, and are removed once submitted or
replaced."""

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.exceptions import ApplicationError
from portal.http import AuthenticatedHttpRequest
from portal.ratelimits import limited
from portal.workcalendar import services as calendar

from ..constants import ACCEPTANCE_ANSWER_DAYS, DeliveryMethod
from ..models import Package, PackageApplication
from ..selectors.packages import package_get, package_published
from ..services.applications import check_delivery
from ..services.packages import package_form_errors, package_missing
from ..services.uploads import inspect_batch
from .apply import delivery_choices

SESSION_KEY = "package_apply"


def package_list(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/packages/list.html", {"packages": package_published()})


def _package(code: str) -> Package:
    package = package_get(code=code)
    if package is None:
        raise Http404
    return package


def package_detail(request: HttpRequest, code: str) -> HttpResponse:
    package = _package(code)
    materials = [
        (m, [pi.item.name for pi in package.package_items.all() if m.target_material(pi.item)])
        for m in package.materials.all()
    ]
    return render(
        request,
        "intake/packages/detail.html",
        {
            "package": package,
            "guide": [p for p in package.guide.splitlines() if p.strip()],
            "materials": materials,
        },
    )


def _anchor(key: str) -> str:
    if key.startswith("material_") or key in ("contact_phone", "delivery_address"):
        return key
    if key == "delivery_method":
        return "delivery_method-window"
    if key == "deliver_together":
        return "deliver_together-yes"
    return f"f_{key}"


def _pending(request: HttpRequest, code: str) -> dict[str, Any] | None:
    pending = request.session.get(SESSION_KEY)
    return pending if pending and pending.get("package") == code else None


def _drop_pending(request: HttpRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    for entry in (pending or {}).get("files", {}).values():
        default_storage.delete(entry["path"])


@login_required
@require_http_methods(["GET", "POST"])
def package_apply_form(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    package = _package(code)
    if not request.user.is_applicant:
        messages.error(request, _("只有申请人账号可以在线申请；窗口工作人员请使用窗口代录。"))
        return redirect("intake:package_detail", code=code)
    pending = _pending(request, code) or {}
    values: dict[str, Any] = {
        "answers": pending.get("answers", {}),
        "contact_phone": pending.get("contact_phone", request.user.phone),
        "delivery_method": pending.get("delivery_method", DeliveryMethod.WINDOW),
        "delivery_address": pending.get("delivery_address", ""),
        "deliver_together": pending.get("deliver_together", True),
    }
    kept = pending.get("files", {})
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if request.FILES and limited(request, "upload"):
            errors["too_many"] = [_("上传过于频繁，请稍后再试；本次提交的内容未保存。")]
        values = {
            "answers": {f.key: request.POST.get(f"f_{f.key}", "").strip() for f in package.fields.all()},
            "contact_phone": request.POST.get("contact_phone", "").strip(),
            "delivery_method": request.POST.get("delivery_method", ""),
            "delivery_address": request.POST.get("delivery_address", "")[:200],
            "deliver_together": request.POST.get("deliver_together", "yes") != "no",
        }
        uploads: list[tuple[str, Any]] = []
        for m in package.materials.all():
            field = f"material_{m.pk}"
            chosen_files = request.FILES.getlist(field)
            if len(chosen_files) > 1:
                errors[field] = [_("每项材料一次只能上传一个文件。")]
            uploads.extend((field, f) for f in chosen_files[:1])
        errors.update(inspect_batch(uploads))
        chosen = {field for field, _f in uploads} | set(kept)
        uploaded = {m.pk for m in package.materials.all() if f"material_{m.pk}" in chosen}
        for key, msgs in package_missing(
            package=package, form_data=values["answers"], uploaded=uploaded
        ).items():
            errors.setdefault(key, msgs)
        try:
            method, address = check_delivery(values["delivery_method"], values["delivery_address"])
            if method == DeliveryMethod.POST and not address:
                errors["delivery_address"] = [_("选择邮寄送达的，请填写邮寄地址。")]
        except ApplicationError as exc:
            errors.update(exc.extra)
        if not values["contact_phone"]:
            errors["contact_phone"] = [_("请填写联系电话。")]
        if not errors:
            # keep the checked files (a new choice replaces the one kept) until the applicant confirms
            files = dict(kept)
            for field, upload in uploads:
                if field in files:
                    default_storage.delete(files[field]["path"])
                upload.seek(0)
                name = default_storage.save(
                    f"package-pending/{secrets.token_hex(16)}", ContentFile(upload.read())
                )
                files[field] = {"path": name, "name": upload.name}
            request.session[SESSION_KEY] = {
                "package": code,
                **values,
                "answers": package_form_errors(package=package, form_data=values["answers"]),
                "files": files,
            }
            return redirect("intake:package_review", code=code)
    fields = [(f, values["answers"].get(f.key, ""), errors.get(f.key)) for f in package.fields.all()]
    materials = [
        (m, kept.get(f"material_{m.pk}", {}).get("name"), errors.get(f"material_{m.pk}"))
        for m in package.materials.all()
    ]
    return render(
        request,
        "intake/packages/apply.html",
        {
            "package": package,
            "fields": fields,
            "materials": materials,
            "values": values,
            "errors": errors,
            "error_items": [(_anchor(k), m) for k, msgs in errors.items() for m in msgs],
            "delivery_choices": delivery_choices(),
        },
        status=(429 if "too_many" in errors else 400) if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def package_review(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Check your answers, then submit: one submission for every item of the package."""
    package = _package(code)
    pending = _pending(request, code)
    if pending is None:
        return redirect("intake:package_apply", code=code)
    if request.method == "POST":
        from ..services.packages import package_apply

        files = {}
        for field, entry in pending["files"].items():
            with default_storage.open(entry["path"], "rb") as fh:
                files[field] = SimpleUploadedFile(entry["name"], fh.read())
        try:
            bundle = package_apply(
                package=package,
                applicant=request.user,
                actor=request.user,
                form_data=pending["answers"],
                files=files,
                contact_phone=pending["contact_phone"],
                delivery_method=pending["delivery_method"],
                delivery_address=pending["delivery_address"],
                deliver_together=pending["deliver_together"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            for msgs in exc.extra.values():
                for msg in msgs:
                    messages.error(request, msg)
            return redirect("intake:package_apply", code=code)
        _drop_pending(request)
        return redirect("intake:package_receipt", reference=bundle.reference)
    fields = {f.key: f.label for f in package.fields.all()}
    names = {f"material_{m.pk}": m.name for m in package.materials.all()}
    return render(
        request,
        "intake/packages/review.html",
        {
            "package": package,
            "pending": pending,
            "answers": [(fields[k], v) for k, v in pending["answers"].items() if k in fields],
            "uploads": [(names[k], e["name"], k) for k, e in pending["files"].items() if k in names],
            "delivery_label": DeliveryMethod(pending["delivery_method"]).label,
        },
    )


@login_required
def package_receipt(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    bundle = (
        PackageApplication.objects.select_related("package")
        .prefetch_related("item_applications__item__department")
        .filter(reference=reference, applicant=request.user)
        .first()
    )
    if bundle is None:
        raise Http404
    received = timezone.localdate(bundle.submitted_at)
    answer_by = calendar.add_days(received, ACCEPTANCE_ANSWER_DAYS)
    today = timezone.localdate()
    left = calendar.count_days(today, answer_by.date, unit="working") if today <= answer_by.date else 0
    return render(
        request,
        "intake/packages/receipt.html",
        {
            "bundle": bundle,
            "applications": sorted(
                bundle.item_applications.all(),
                key=lambda a: next(
                    (pi.order for pi in bundle.package.package_items.all() if pi.item_id == a.item_id), 0
                ),
            ),
            "answer_by": answer_by.date,
            "answer_by_left": left,
            "answer_by_provisional": answer_by.provisional,
        },
    )


urlpatterns = [
    path("packages/", package_list, name="package_list"),
    path("packages/<str:code>/", package_detail, name="package_detail"),
    path("packages/<str:code>/apply/", package_apply_form, name="package_apply"),
    path("packages/<str:code>/review/", package_review, name="package_review"),
    path("package-applications/<str:reference>/receipt/", package_receipt, name="package_receipt"),
]
