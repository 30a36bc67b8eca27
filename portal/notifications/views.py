from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedHttpRequest

from . import selectors, services
from .models import Notification


@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox_list(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    note = Notification.objects.filter(pk=pk, recipient=request.user).first()
    if note is None:
        raise Http404
    services.inbox_mark_read(user=request.user, ids=[note.pk])
    return render(request, "notifications/detail.html", {"note": note})


@login_required
@require_POST
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.inbox_mark_read(user=request.user)
    return redirect("notifications:inbox")


app_name = "notifications"
urlpatterns = [
    path("", inbox, name="inbox"),
    path("<int:pk>/", detail, name="detail"),
    path("read-all/", mark_all_read, name="mark_all_read"),
]
