"""Application reads, already scoped to what the user may see. Pages and the API read through these,
so "another citizen's application or file is a 404" lives in one place."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, QuerySet

from portal.accounts.models import User

from ..constants import ApplicationStatus
from ..models import Application, ApplicationMaterial
from ..permissions import application_scope, may_download_material


def draft_list(*, user: User | AnonymousUser) -> "QuerySet[Application]":
    """The user's own drafts (and those a clerk registered), newest first, with the item in one query."""
    if not user.is_authenticated:
        return Application.objects.none()
    return (
        Application.objects.filter(application_scope(user), status=ApplicationStatus.DRAFT)
        .select_related("item", "item__department")
        .annotate(upload_count=Count("materials"))
        .order_by("-updated_at", "-pk")
    )


def draft_get(*, user: User | AnonymousUser, pk: int) -> Application | None:
    return draft_list(user=user).filter(pk=pk).first()


def application_get(*, user: User | AnonymousUser, reference: str) -> Application | None:
    """A submitted application by reference, for its applicant (or the clerk who registered it)."""
    if not user.is_authenticated:
        return None
    return (
        Application.objects.filter(application_scope(user), reference=reference)
        .select_related("item", "item__department")
        .prefetch_related("materials")
        .first()
    )


def material_get_for_download(*, user: User | AnonymousUser, pk: int) -> ApplicationMaterial | None:
    row = ApplicationMaterial.objects.select_related("application", "application__item").filter(pk=pk).first()
    if row is None or not may_download_material(user, row):
        return None
    return row
