"""Apply online: the item's own form, uploads per material, drafts, check-your-answers, receipt."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.exceptions import ApplicationError, ConflictError
from portal.ratelimits import limited

from ..constants import ApplicationStatus, Channel, HandlingMode
from ..models import Application, ApplicationMaterial
from ..selectors.applications import application_get, draft_get, draft_list, material_get_for_download
from ..selectors.catalogue import item_get
from ..services.applications import (
    application_add_material,
    application_create_draft,
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


def _modes(item):  # type: ignore[no-untyped-def]
    return [(m, HandlingMode(m).label) for m in item.modes]


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
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
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
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
            app.form_data = {**app.form_data, **form_data}
            return _render_edit(request, app, errors)
        try:
            app = application_update_draft(
                application=app,
                actor=request.user,
                form_data=form_data,
                mode=request.POST.get("mode", app.mode),
                contact_phone=request.POST.get("contact_phone", app.contact_phone),
                commitment_signed=bool(request.POST.get("commitment_signed")),
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
        app.form_data = {**app.form_data, **form_data}
    return _render_edit(request, app, errors)


def _render_edit(request: HttpRequest, app: Application, errors: dict[str, list[str]]) -> HttpResponse:
    item = app.item
    stored: dict[int, list[ApplicationMaterial]] = {}
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
            "modes": _modes(item),
        },
        status=(429 if "too_many" in errors else 400) if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_review(request: HttpRequest, pk: int) -> HttpResponse:
    app = _own_draft(request, pk)
    if request.method == "POST":
        try:
            app = application_submit(application=app, actor=request.user)
        except (ApplicationError, ConflictError) as exc:
            for _field, msgs in exc.extra.items():
                for msg in msgs:
                    messages.error(request, msg)
            if not exc.extra:
                messages.error(request, exc.message)
            return redirect("intake:draft_edit", pk=app.pk)
        if app.registered_by_id == request.user.pk:  # a walk-in registered at the window: on to the case
            return redirect("approvals:case_detail", reference=app.reference)
        return redirect("intake:receipt", reference=app.reference)
    answers = app.form_answers()
    return render(
        request, "intake/apply/review.html", {"app": app, "answers": answers, "uploads": app.materials.all()}
    )


@login_required
def my_drafts(request: HttpRequest) -> HttpResponse:
    drafts = draft_list(user=request.user)
    return render(request, "intake/apply/drafts.html", {"drafts": drafts})


@login_required
def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    app = application_get(user=request.user, reference=reference)
    if app is None:
        raise Http404
    return render(request, "intake/apply/receipt.html", {"app": app})


@login_required
@require_POST
def draft_delete(request: HttpRequest, pk: int) -> HttpResponse:
    app = _own_draft(request, pk)
    for row in app.materials.all():
        application_remove_material(row=row, actor=request.user)
    app.delete()
    messages.success(request, _("草稿已删除。"))
    return redirect("intake:my_drafts")


@login_required
def material_download(request: HttpRequest, pk: int) -> FileResponse:
    row = material_get_for_download(user=request.user, pk=pk)
    if row is None:
        raise Http404
    response = FileResponse(
        row.file.open("rb"), as_attachment=True, filename=row.original_name, content_type=row.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
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
