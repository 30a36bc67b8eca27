"""Application reads, already scoped to what the user may see. Pages and the API read through these,
so "another citizen's application or file is a 404" lives in one place."""

from django.db.models import Count, Q, QuerySet

from portal.accounts.constants import Role
from portal.accounts.models import User

from ..constants import ApplicationStatus
from ..models import Application, ApplicationMaterial


def _own(user: User) -> Q:
    return Q(applicant_id=user.pk) | Q(registered_by_id=user.pk)


def draft_list(*, user: User) -> "QuerySet[Application]":
    """The user's own drafts (and those a clerk registered), newest first, with the item in one query."""
    if not user.is_authenticated:
        return Application.objects.none()
    return (
        Application.objects.filter(_own(user), status=ApplicationStatus.DRAFT)
        .select_related("item", "item__department")
        .annotate(upload_count=Count("materials"))
        .order_by("-updated_at", "-pk")
    )


def draft_get(*, user: User, pk: int) -> Application | None:
    return draft_list(user=user).filter(pk=pk).first()


def application_get(*, user: User, reference: str) -> Application | None:
    """A submitted application by reference, for its applicant (or the clerk who registered it)."""
    if not user.is_authenticated:
        return None
    return (
        Application.objects.filter(_own(user), reference=reference)
        .select_related("item", "item__department")
        .prefetch_related("materials")
        .first()
    )


def material_may_download(*, user: User, row: ApplicationMaterial) -> bool:
    """The applicant (or registering clerk), any front-desk clerk (no-difference intake), inspectors,
    and reviewers/deciders/heads of the item's department or one of its co-departments."""
    if not user.is_authenticated:
        return False
    app = row.application
    if user.pk in (app.applicant_id, app.registered_by_id):
        return True
    if user.has_role(Role.CLERK, Role.INSPECTOR):
        return True
    if user.department_id and user.has_role(Role.REVIEWER, Role.DECIDER, Role.HEAD):
        return (
            user.department_id == app.item.department_id
            or app.item.co_departments.filter(pk=user.department_id).exists()
        )
    return False


def material_get_for_download(*, user: User, pk: int) -> ApplicationMaterial | None:
    row = ApplicationMaterial.objects.select_related("application", "application__item").filter(pk=pk).first()
    if row is None or not material_may_download(user=user, row=row):
        return None
    return row
