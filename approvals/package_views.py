"""The package page (一件事, DESIGN §10): the applicant follows one thing — each item's state and due date,
the overall state and the latest due date — and supplies a correction once; the window checks the
package's materials once and accepts it or asks for correction once; the results go out together."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from intake.models import PackageApplication
from portal.accounts.constants import Role
from portal.exceptions import ApplicationError
from portal.http import AuthenticatedHttpRequest

from . import selectors
from .constants import ENDED_STATES, CaseAction, CaseState, DeliveryMethod, MaterialVerdict
from .packages import own_package_applications, package_cases, package_view
from .services.packages import (
    package_accept,
    package_check_materials,
    package_deliver,
    package_request_correction,
    package_supply,
)


def _bundle(request: AuthenticatedHttpRequest, reference: str) -> PackageApplication:
    bundle = (
        PackageApplication.objects.select_related("package", "applicant")
        .prefetch_related("package__materials")
        .filter(reference=reference)
        .first()
    )
    if bundle is None:
        raise Http404
    if bundle.applicant_id == request.user.pk:
        return bundle
    # staff see a package when they may see one of its cases (the window: all; a department: its own)
    if selectors.case_visible(user=request.user).filter(application__package_application=bundle).exists():
        return bundle
    raise Http404


def _check_form(request: AuthenticatedHttpRequest, bundle: PackageApplication) -> dict[int, Any]:
    checks: dict[int, Any] = {}
    for m in bundle.package.materials.all():
        checks[m.pk] = {
            "verdict": request.POST.get(f"verdict_{m.pk}", ""),
            "problem": request.POST.get(f"problem_{m.pk}", "").strip(),
            "original_seen": request.POST.get(f"seen_{m.pk}") == "1",
        }
    return checks


def _window_act(request: AuthenticatedHttpRequest, bundle: PackageApplication, action: str) -> None:
    if action in ("accept", "correct"):
        checks = _check_form(request, bundle)
        package_check_materials(bundle=bundle, actor=request.user, checks=checks)
        faulty = [
            {"material": pk, "problem": c["problem"]}
            for pk, c in checks.items()
            if c["verdict"] == MaterialVerdict.FIX
        ]
        if action == "accept":
            if faulty:
                raise ApplicationError(
                    _("有材料需补正，不能受理：请一次性告知补正。"),
                    extra={f"verdict_{f['material']}": [_("此材料需补正。")] for f in faulty},
                )
            package_accept(
                bundle=bundle,
                actor=request.user,
                note=request.POST.get("note", "").strip(),
                override_reason=request.POST.get("override_reason", "").strip(),
            )
            messages.success(request, _("已受理这件事，各部门同时办理。"))
        else:
            if not faulty:
                raise ApplicationError(
                    _("请至少标出一项需补正的材料。"),
                    extra={"materials": [_("请至少标出一项需补正的材料。")]},
                )
            package_request_correction(
                bundle=bundle, actor=request.user, materials=faulty, note=request.POST.get("note", "").strip()
            )
            messages.success(request, _("已一次性告知补正。"))
    elif action == "deliver":
        package_deliver(
            bundle=bundle,
            actor=request.user,
            method=request.POST.get("method", ""),
            tracking_number=request.POST.get("tracking_number", "").strip(),
            place=request.POST.get("place", "").strip(),
        )
        messages.success(request, _("结果已一并送达。"))
    else:
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def package_detail(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    bundle = _bundle(request, reference)
    is_applicant = bundle.applicant_id == request.user.pk
    is_clerk = request.user.has_role(Role.CLERK)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "supply" and is_applicant:
                files = {}
                for m in bundle.package.materials.all():
                    upload = request.FILES.get(f"files_{m.pk}")
                    if upload is not None:
                        files[m.pk] = upload
                package_supply(
                    bundle=bundle, actor=request.user, files=files, note=request.POST.get("note", "")
                )
                messages.success(request, _("补正材料已提交，窗口将重新审核。"))
            elif is_clerk:
                _window_act(request, bundle, action)
            else:
                raise Http404
            return redirect("approvals:package_detail", reference=bundle.reference)
        except ApplicationError as exc:
            if exc.status_code in (403, 409):
                messages.error(request, exc.message)
                return redirect("approvals:package_detail", reference=bundle.reference)
            errors = exc.extra or {"non_field": [exc.message]}
    cases = package_cases(bundle)
    view = package_view(bundle, selectors.today(), cases)
    correction = None
    waiting = [c for c in cases if c.state == CaseState.CORRECTION_REQUESTED]
    if waiting:
        correction = waiting[0].transitions.filter(name=CaseAction.REQUEST_CORRECTION).last()
    materials = [
        (
            m,
            errors.get(f"verdict_{m.pk}"),
            errors.get(f"problem_{m.pk}"),
            request.POST.get(f"verdict_{m.pk}", ""),
            request.POST.get(f"problem_{m.pk}", ""),
        )
        for m in bundle.package.materials.all()
    ]
    return render(
        request,
        "approvals/package_detail.html",
        {
            "bundle": bundle,
            "view": view,
            "is_applicant": is_applicant,
            "may_handle": is_clerk
            and any(c.state == CaseState.SUBMITTED for c in cases)
            and all(c.state in (CaseState.SUBMITTED, *ENDED_STATES) for c in cases),
            "may_deliver": is_clerk
            and any(c.state in (CaseState.APPROVED, CaseState.DENIED) for c in cases)
            and view.state != "in_progress",
            "may_supply": is_applicant and correction is not None,
            "correction": correction,
            "materials": materials,
            "errors": errors,
            "error_items": [
                (k.replace("_", "-", 1) if k.startswith(("verdict_", "problem_")) else k, m)
                for k, ms in errors.items()
                for m in ms
            ],
            "delivery_methods": [(m.value, m.label) for m in DeliveryMethod],
        },
        status=400 if errors else 200,
    )


@login_required
def my_packages(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = selectors.today()
    views = []
    for bundle in own_package_applications(request.user):
        cases = [a.case for a in bundle.item_applications.all() if hasattr(a, "case")]
        views.append(package_view(bundle, today, cases))
    return render(request, "approvals/my_packages.html", {"views": views})


urlpatterns = [
    path("packages/mine/", my_packages, name="my_packages"),
    path("packages/<str:reference>/", package_detail, name="package_detail"),
]
