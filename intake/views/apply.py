"""Apply online: the item's own form, uploads per material, drafts, check-your-answers, receipt."""

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.exceptions import ApplicationError, ConflictError
from portal.http import AuthenticatedHttpRequest
from portal.ratelimits import limited
from portal.workcalendar import services as calendar

from ..constants import (
    ACCEPTANCE_ANSWER_DAYS,
    DELIVERY_HINTS,
    MODE_HINTS,
    ApplicationStatus,
    Channel,
    DeliveryMethod,
    HandlingMode,
)
from ..models import Application, ApplicationMaterial
from ..selectors.applications import application_get, draft_get, draft_list, material_get_for_download
from ..selectors.catalogue import item_get
from ..services.applications import (
    application_add_material,
    application_create_draft,
    application_missing,
    application_remove_material,
    application_submit,
    application_update_draft,
    check_online,
)
from ..services.uploads import inspect_batch


def _own_draft(request: HttpRequest, pk: int) -> Application:
    app = draft_get(user=request.user, pk=pk)
    if app is None:
        raise Http404
    return app


def _modes(item):
    """(value, label, one plain line saying what it means) for each handling mode the item allows."""
    return [(m, HandlingMode(m).label, MODE_HINTS[HandlingMode(m)]) for m in item.modes]


def delivery_choices():
    """(value, label, one plain line) for each way the result can reach the applicant (送达)."""
    return [(m.value, m.label, DELIVERY_HINTS[m]) for m in DeliveryMethod]


def _anchor(key: str, item) -> str:
    """The id of the control an error message is about, on the application form page."""
    if key.startswith("material_") or key in ("contact_phone", "commitment_signed", "delivery_address"):
        return key
    if key == "delivery_method":
        return "delivery_method-window"
    if key == "mode":
        return f"mode-{item.modes[0]}" if item.modes else "mode"
    if key == "too_many":
        first = next(iter(item.current_form_fields), None)
        return f"f_{first.key}" if first else "contact_phone"
    return f"f_{key}"


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    item = item_get(code=code)
    if item is None:
        raise Http404
    if not request.user.is_applicant:
        messages.error(request, _("只有申请人账号可以在线申请；窗口工作人员请使用窗口代录。"))
        return redirect("intake:item_detail", code=code)
    existing = Application.objects.filter(
        item=item, applicant=request.user, status=ApplicationStatus.DRAFT
    ).first()
    if existing is not None:
        return redirect("intake:draft_edit", pk=existing.pk)
    try:
        check_online(item, Channel.ONLINE)
        if request.method == "POST":
            app = application_create_draft(
                item=item,
                applicant=request.user,
                actor=request.user,
                mode=request.POST.get("mode") or item.modes[0],
            )
            return redirect("intake:draft_edit", pk=app.pk)
    except ApplicationError as exc:  # not online: the guide says how to apply at the window
        messages.error(request, exc.message)
        return redirect("intake:item_detail", code=code)
    return render(request, "intake/apply/start.html", {"item": item, "modes": _modes(item)})


@login_required
@require_http_methods(["GET", "POST"])
def draft_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    app = _own_draft(request, pk)
    item = app.item
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and request.FILES and limited(request, "upload"):
        errors["too_many"] = [_("上传过于频繁，请稍后再试；本次提交的内容未保存。")]
    elif request.method == "POST":
        if request.POST.get("remove"):
            remove = request.POST["remove"]
            if not (remove.isascii() and remove.isdigit()):  # a tampered id: no such file, not a server error
                raise Http404
            row = get_object_or_404(ApplicationMaterial, pk=request.POST["remove"], application=app)
            application_remove_material(row=row, actor=request.user)
            messages.success(request, _("已删除该文件。"))
            return redirect("intake:draft_edit", pk=app.pk)
        form_data = {f.key: request.POST.get(f"f_{f.key}", "") for f in item.current_form_fields}
        # Every file of this submission is checked before anything is saved: one bad file keeps them all out.
        uploads: list[tuple[str, object]] = []
        for material in item.current_materials:
            field = f"material_{material.pk}"
            files = request.FILES.getlist(field)
            if len(files) > 1:
                errors[field] = [_("每项材料一次只能上传一个文件。")]
            uploads.extend((field, f) for f in files[:1])
        errors.update(inspect_batch(uploads))
        if errors:
            _keep_input(request, app, form_data)
            return _render_edit(request, app, errors)
        try:
            app = application_update_draft(
                application=app,
                actor=request.user,
                form_data=form_data,
                mode=request.POST.get("mode", app.mode),
                contact_phone=request.POST.get("contact_phone", app.contact_phone),
                commitment_signed=bool(request.POST.get("commitment_signed")),
                delivery_method=request.POST.get("delivery_method", app.delivery_method),
                delivery_address=request.POST.get("delivery_address", app.delivery_address),
            )
        except ApplicationError as exc:
            errors.update(exc.extra)
        materials_by_field = {f"material_{m.pk}": m for m in item.current_materials}
        for field, upload in uploads:
            try:
                application_add_material(
                    application=app, material=materials_by_field[field], upload=upload, actor=request.user
                )
            except ApplicationError as exc:
                errors.update(exc.extra)
        if not errors:
            messages.success(request, _("已保存草稿，可以随时回来继续填写。"))
            if request.POST.get("next") == "review":
                return redirect("intake:draft_review", pk=app.pk)
            return redirect("intake:draft_edit", pk=app.pk)
        _keep_input(request, app, form_data)
    return _render_edit(request, app, errors)


def _keep_input(request: HttpRequest, app: Application, form_data: dict[str, str]) -> None:
    """After an error the page shows what was typed and chosen (on the object, not saved)."""
    app.form_data = {**app.form_data, **form_data}
    app.contact_phone = request.POST.get("contact_phone", app.contact_phone)
    if request.POST.get("mode") in app.item.modes:
        app.mode = request.POST["mode"]
    app.commitment_signed = bool(request.POST.get("commitment_signed"))
    if request.POST.get("delivery_method") in DeliveryMethod.values:
        app.delivery_method = request.POST["delivery_method"]
    app.delivery_address = request.POST.get("delivery_address", app.delivery_address)[:200]


def _render_edit(request: HttpRequest, app: Application, errors: dict[str, list[str]]) -> HttpResponse:
    item = app.item
    stored: dict[int | None, list[ApplicationMaterial]] = {}
    for row in app.materials.all():
        stored.setdefault(row.material_id, []).append(row)
    materials = [(m, stored.get(m.pk, []), errors.get(f"material_{m.pk}")) for m in item.current_materials]
    fields = [(f, app.form_data.get(f.key, ""), errors.get(f.key)) for f in item.current_form_fields]
    return render(
        request,
        "intake/apply/edit.html",
        {
            "app": app,
            "item": item,
            "fields": fields,
            "materials": materials,
            "errors": errors,
            "error_items": [(_anchor(k, item), m) for k, msgs in errors.items() for m in msgs],
            "modes": _modes(item),
            "delivery_choices": delivery_choices(),
        },
        status=(429 if "too_many" in errors else 400) if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    app = _own_draft(request, pk)
    if request.method == "POST":
        try:
            app = application_submit(application=app, actor=request.user)
        except (ApplicationError, ConflictError) as exc:
            for msgs in exc.extra.values():
                for msg in msgs:
                    messages.error(request, msg)
            if not exc.extra:
                messages.error(request, exc.message)
            return redirect("intake:draft_edit", pk=app.pk)
        if app.registered_by_id == request.user.pk:  # a walk-in registered at the window: on to the case
            return redirect("approvals:case_detail", reference=app.reference)
        return redirect("intake:receipt", reference=app.reference)
    answers = app.form_answers()
    missing = application_missing(application=app)
    return render(
        request,
        "intake/apply/review.html",
        {
            "app": app,
            "answers": answers,
            "uploads": app.materials.all(),
            "missing": [(_anchor(k, app.item), m) for k, msgs in missing.items() for m in msgs],
        },
    )


@login_required
def my_drafts(request: AuthenticatedHttpRequest) -> HttpResponse:
    drafts = draft_list(user=request.user)
    return render(request, "intake/apply/drafts.html", {"drafts": drafts})


@login_required
def receipt(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    app = application_get(user=request.user, reference=reference)
    if app is None:
        raise Http404
    received = timezone.localdate(app.submitted_at)
    answer_by = calendar.add_days(received, ACCEPTANCE_ANSWER_DAYS)
    return render(
        request,
        "intake/apply/receipt.html",
        {"app": app, "answer_by": answer_by.date, "answer_by_provisional": answer_by.provisional},
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET asks "delete this draft and its files?"; only the POST of that page deletes."""
    app = _own_draft(request, pk)
    if request.method == "GET":
        return render(request, "intake/apply/delete.html", {"app": app, "files": app.materials.all()})
    for row in app.materials.all():
        application_remove_material(row=row, actor=request.user)
    app.delete()
    messages.success(request, _("草稿已删除。"))
    return redirect("intake:my_drafts")


# Types a browser shows in the page itself (the case page's material viewer); anything else downloads.
VIEWABLE_TYPES = {"application/pdf", "image/png", "image/jpeg"}


@login_required
@csp_replace({"frame-ancestors": ["'self'"], "object-src": ["'self'"]})  # type: ignore[arg-type]  # django-csp types a view as (request) alone
def material_download(request: HttpRequest, pk: int) -> FileResponse:
    """A material's file, through the permission check of the selector. ``?inline=1``: shown in the page
    (PDF and images only, framed by our own pages alone), else downloaded."""
    row = material_get_for_download(user=request.user, pk=pk)
    if row is None:
        raise Http404
    inline = request.GET.get("inline") == "1" and row.content_type in VIEWABLE_TYPES
    response = FileResponse(
        row.file.open("rb"),
        as_attachment=not inline,
        filename=row.original_name,
        content_type=row.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Frame-Options"] = "SAMEORIGIN"  # framed by our own case page only (the middleware keeps it)
    return response


urlpatterns = [
    path("items/<str:code>/apply/", apply, name="apply"),
    path("applications/drafts/", my_drafts, name="my_drafts"),
    path("applications/<int:pk>/edit/", draft_edit, name="draft_edit"),
    path("applications/<int:pk>/review/", draft_review, name="draft_review"),
    path("applications/<int:pk>/delete/", draft_delete, name="draft_delete"),
    path("applications/receipt/<str:reference>/", receipt, name="receipt"),
    path("materials/<int:pk>/", material_download, name="material_download"),
]
