"""Catalogue pages: browse by department and theme, search, the item page and its printable notice.

Served from the cache, drawn once per catalogue version (intake/cache.py).
"""

from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext as _

from portal.accounts.models import Department

from ..cache import cached_data, cached_page, page_cache_control, page_condition
from ..models import Theme
from ..selectors.catalogue import item_get, item_list


def _page(request: HttpRequest, name: str, build: Callable[[], dict[str, str]]) -> HttpResponse:
    """A catalogue page: its title and body from the cache (``intake.cache``), the layout around them
    (header, user, 长辈版) drawn for a signed-in reader; for a visitor, the whole page from the cache."""

    def draw(extra: dict[str, Any]) -> HttpResponse:
        # the body is render_to_string's SafeString: pickled into the cache and back as one, so it is
        # drawn as the HTML it is (and a plain str could never be drawn unescaped)
        parts = cached_data(request, f"page:{name}", build)
        return render(request, "intake/catalogue/page.html", {**parts, **extra})

    return page_cache_control(cached_page(request, name, draw))


@page_condition
def catalogue(request: HttpRequest) -> HttpResponse:
    def build() -> dict[str, str]:
        filters = {k: request.GET.get(k, "") for k in ("q", "department", "theme", "mode")}
        page = Paginator(item_list(filters=request.GET), 20).get_page(request.GET.get("page"))
        context = {
            "page": page,
            "filters": filters,
            "departments": Department.objects.filter(items__status="published").distinct().order_by("code"),
            "themes": Theme.objects.all(),
        }
        return {
            "title": _("办事指南"),
            "body": render_to_string("intake/catalogue/_list_body.html", context, request),
        }

    return _page(request, "list", build)


def _item_or_404(code: str):
    item = item_get(code=code)
    if item is None:
        raise Http404
    return item


@page_condition
def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    def build() -> dict[str, str]:
        item = _item_or_404(code)
        body = render_to_string("intake/catalogue/_detail_body.html", {"item": item}, request)
        return {"title": item.name, "body": body}

    return _page(request, "detail", build)


@page_condition
def item_notice(request: HttpRequest, code: str) -> HttpResponse:
    def build() -> dict[str, str]:
        item = _item_or_404(code)
        body = render_to_string("intake/catalogue/_notice_body.html", {"item": item}, request)
        return {"title": f"{_('一次性告知单')} - {item.name}", "body": body}

    return _page(request, "notice", build)


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
