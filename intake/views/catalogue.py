"""Catalogue pages: browse by department and theme, search, the item page and its printable notice."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from portal.accounts.models import Department

from ..models import Theme
from ..selectors.catalogue import item_get, item_list


def catalogue(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "") for k in ("q", "department", "theme", "mode")}
    page = Paginator(item_list(filters=request.GET), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "intake/catalogue/list.html",
        {
            "page": page,
            "filters": filters,
            "departments": Department.objects.filter(items__status="published").distinct().order_by("code"),
            "themes": Theme.objects.all(),
        },
    )


def _item_or_404(code: str):
    item = item_get(code=code)
    if item is None:
        raise Http404
    return item


def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "intake/catalogue/detail.html", {"item": _item_or_404(code)})


def item_notice(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "intake/catalogue/notice.html", {"item": _item_or_404(code)})


def material_form(request: HttpRequest, code: str, pk: int, kind: str) -> FileResponse:
    """The blank form or the filled-in sample of a required material (public, published items only)."""
    item = _item_or_404(code)
    material = next((m for m in item.current_materials if m.pk == pk), None)
    if material is None or kind not in ("blank_form", "sample"):
        raise Http404
    upload = getattr(material, kind)
    if not upload:
        raise Http404
    response = FileResponse(upload.open("rb"), as_attachment=True, filename=upload.name.rsplit("/", 1)[-1])
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("items/<str:code>/materials/<int:pk>/<str:kind>/", material_form, name="material_form"),
    path("items/", catalogue, name="catalogue"),
    path("items/<str:code>/", item_detail, name="item_detail"),
    path("items/<str:code>/notice/", item_notice, name="item_notice"),
]
