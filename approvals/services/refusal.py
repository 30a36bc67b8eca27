"""Not accepting an application (不予受理, DESIGN §3). The window may say yes alone, never no alone: the
refusal names a second person with the authority to approve it (a head, the window's supervisor, the
efficiency office), recorded with the refusal."""

from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.constants import Role
from portal.accounts.models import User
from portal.exceptions import ApplicationError
from portal.notifications.services import notify

from ..constants import CaseAction
from ..models import Case
from .common import base_context, lock_case, record_transition


def may_sign_off_refusal(*, supervisor: User, clerk: User) -> bool:
    """Who may approve a clerk's refusal: someone else, who is a head, a window supervisor (a clerk with
    staff status) or in the efficiency office."""
    return supervisor.pk != clerk.pk and (
        supervisor.has_role(Role.HEAD)
        or (supervisor.has_role(Role.CLERK) and supervisor.is_staff)
        or supervisor.has_role(Role.INSPECTOR)
    )


@transaction.atomic
def case_refuse(*, case: Case, actor: User, reason: str, approved_by: str) -> Case:
    """The window refuses the application, with the username of the person who approved the refusal."""
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.REFUSE)
    supervisor = User.objects.filter(username=approved_by, is_active=True).first()
    if supervisor is None or not may_sign_off_refusal(supervisor=supervisor, clerk=actor):
        raise ApplicationError(
            _("不予受理须经另一名负责人审核同意（窗口不能单独说“不”）。"),
            extra={"approved_by": [_("请填写另一名有审核权限的负责人的用户名。")]},
        )
    case.refuse()
    case.clerk = actor
    record_transition(
        case=case,
        action=CaseAction.REFUSE,
        from_state=from_state,
        actor=actor,
        reason=reason,
        data={"approved_by": supervisor.username},
    )
    notify(
        recipient=case.applicant,
        event="case.not_accepted",
        context={**base_context(case), "reason": reason},
        case=case,
    )
    return case
