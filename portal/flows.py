"""The business flows that run upwards across the layers, named in one place (docs/architecture.md).

The apps depend one way (DESIGN §8: supervision → complaints → approvals → intake → portal), yet a few
writes of a lower app must start a service of a higher one:

- a submitted application opens its case (intake → approvals),
- a decided case invites its applicant to rate the service (approvals → complaints),
- an approved case issues its licence, a revoked one revokes it (approvals → licences),
- a changed work calendar moves the due dates of the running cases (portal.workcalendar → approvals).

The lower app calls the function below by name, exactly where the flow happens (in its own transaction,
or once it committed);
this module says which service answers. It names it by its dotted path, not by an import, so the lower
app never depends on the higher one (import-linter holds the layers), and there is no signal and no
receiver registered somewhere else: follow the call. ``tests/test_flows.py`` checks that every path
resolves to the service it names.
"""

from typing import Any

from django.utils.module_loading import import_string

CASE_OPEN = "approvals.services.intake.case_open"
RATING_INVITE = "complaints.services.rating_invitation_send"
LICENCE_ISSUE = "licences.services.licence_issue_for_case"
LICENCE_REVOKE = "licences.services.licence_revoke_for_case"
DUE_DATES_RECOMPUTE_TASK = "approvals.tasks.recompute_open_cases"


def case_open(*, application: Any, actor: Any, receipt_deliveries: Any = ()) -> Any:
    """The application was submitted: open its case (same transaction: a failure undoes the submission).
    ``receipt_deliveries``: the receipt's deliveries written unqueued, queued with the case's own task
    after the commit. Returns the case."""
    return import_string(CASE_OPEN)(
        application=application, actor=actor, receipt_deliveries=receipt_deliveries
    )


def case_decided(*, case: Any) -> None:
    """The case was approved or denied: invite the applicant to rate the service, once (DESIGN §6)."""
    import_string(RATING_INVITE)(case=case)


def case_approved(*, case: Any) -> Any:
    """The case was approved: issue its licence (电子证照, DESIGN §11) in the same transaction, if its item
    names a licence type. Returns the licence or None."""
    return import_string(LICENCE_ISSUE)(case=case)


def case_revoked(*, case: Any, reason: str) -> Any:
    """The approval was revoked (告知承诺 after-check): revoke its licence in the same transaction."""
    return import_string(LICENCE_REVOKE)(case=case, reason=reason)


def calendar_changed(*, years: list[int]) -> None:
    """The work calendar of ``years`` changed and the change is committed: queue the recompute of the
    running cases' due dates (a Celery task: it may touch every open case)."""
    import_string(DUE_DATES_RECOMPUTE_TASK).delay()
