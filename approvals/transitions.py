"""The transitions a person fires on a case, as the pages and the API offer them: for each, its label,
its button's style, its page form, its API input serializer and the service it calls. The pages
(``views.case_transition``) and the API (``apis.CaseTransitionApi``) both read the input with the form or
serializer named here and call ``fire``: the service gets the validated fields as its keyword arguments.

To add a transition: the Case's ``@transition`` method (its ``permission=`` in permissions.py), a
``CaseAction``, a service ``case_<action>`` in services/<concern>.py, a form and a serializer with the
service's keyword names, and a line below."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from rest_framework import serializers as drf

from portal.accounts.models import User

from . import forms, serializers
from .constants import CaseAction
from .models import Case
from .permissions import case_actions_for
from .services import (
    closure,
    correction,
    decision,
    deferred,
    delivery,
    extension,
    intake,
    refusal,
    review,
    suspension,
)


@dataclass(frozen=True)
class Transition:
    action: CaseAction
    form: type[forms.TransitionForm]
    serializer: type[drf.Serializer[Any]]
    service: Callable[..., Case]
    style: str = ""  # "primary" / "danger" for the page's button

    @property
    def name(self) -> str:
        return str(self.action.value)

    @property
    def label(self) -> Promise:
        return self.action.label

    def fire(self, *, case: Case, actor: User, data: dict[str, Any]) -> Case:
        return self.service(case=case, actor=actor, **data)


A = CaseAction
# In the order of the case page's buttons.
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(A.ACCEPT, forms.AcceptForm, serializers.AcceptInput, intake.case_accept, "primary"),
        Transition(
            A.REQUEST_CORRECTION,
            forms.RequestCorrectionForm,
            serializers.RequestCorrectionInput,
            correction.case_request_correction,
        ),
        Transition(A.REFUSE, forms.RefuseForm, serializers.RefuseInput, refusal.case_refuse, "danger"),
        Transition(A.SUPPLY, forms.SupplyForm, serializers.SupplyInput, correction.case_supply, "primary"),
        Transition(
            A.START_REVIEW,
            forms.StartReviewForm,
            serializers.StartReviewInput,
            review.case_start_review,
            "primary",
        ),
        Transition(
            A.SEND_TO_DECISION,
            forms.SendToDecisionForm,
            serializers.SendToDecisionInput,
            review.case_send_to_decision,
            "primary",
        ),
        Transition(A.APPROVE, forms.ApproveForm, serializers.ApproveInput, decision.case_approve, "primary"),
        Transition(
            A.APPROVE_ON_THE_SPOT,
            forms.ApproveOnTheSpotForm,
            serializers.ApproveOnTheSpotInput,
            decision.case_approve_on_the_spot,
            "primary",
        ),
        Transition(A.DENY, forms.DenyForm, serializers.DenyInput, decision.case_deny, "danger"),
        Transition(A.SUSPEND, forms.SuspendForm, serializers.SuspendInput, suspension.case_suspend),
        Transition(A.RESUME, forms.ResumeForm, serializers.ResumeInput, suspension.case_resume, "primary"),
        Transition(
            A.REQUEST_EXTENSION,
            forms.RequestExtensionForm,
            serializers.RequestExtensionInput,
            extension.case_request_extension,
        ),
        Transition(A.EXTEND, forms.ExtendForm, serializers.ExtendInput, extension.case_extend, "primary"),
        Transition(
            A.REJECT_EXTENSION,
            forms.RejectExtensionForm,
            serializers.RejectExtensionInput,
            extension.case_reject_extension,
            "danger",
        ),
        Transition(
            A.SUPPLY_DEFERRED,
            forms.SupplyDeferredForm,
            serializers.SupplyDeferredInput,
            deferred.case_supply_deferred,
            "primary",
        ),
        Transition(
            A.WITHDRAW, forms.WithdrawForm, serializers.WithdrawInput, closure.case_withdraw, "danger"
        ),
        Transition(
            A.TERMINATE, forms.TerminateForm, serializers.TerminateInput, closure.case_terminate, "danger"
        ),
        Transition(A.REVOKE, forms.RevokeForm, serializers.RevokeInput, decision.case_revoke, "danger"),
        Transition(A.DELIVER, forms.DeliverForm, serializers.DeliverInput, delivery.case_deliver, "primary"),
    ]
}


def available_transitions(*, case: Case, user: User) -> list[Transition]:
    """The transitions ``user`` may fire on ``case`` now, in the page's order (buttons, the API's list)."""
    return [TRANSITIONS[name] for name in case_actions_for(case=case, user=user, actions=list(TRANSITIONS))]


# --- the field list of GET /api/v1/cases/{reference}/transitions/ --------------------------------------

_KINDS = {
    drf.IntegerField: "integer",
    drf.DateField: "date",
    drf.ChoiceField: "choice",
}


def field_specs(transition: Transition) -> list[dict[str, Any]]:
    """Each input field's name, label, kind (text, textarea, integer, date, choice, list, materials,
    files), whether it is required and its choices: what a client needs to draw the form."""
    specs = []
    for name, field in transition.serializer().fields.items():
        kind = getattr(field, "kind", "") or next(
            (k for cls, k in _KINDS.items() if isinstance(field, cls)), ""
        )
        choices = [[str(v), str(label)] for v, label in getattr(field, "choices", {}).items()]
        specs.append(
            {
                "name": name,
                "label": str(field.label),
                "kind": kind,
                "required": field.required,
                "choices": choices,
            }
        )
    return specs


def transition_spec(transition: Transition) -> dict[str, Any]:
    return {"name": transition.name, "label": str(transition.label), "fields": field_specs(transition)}
