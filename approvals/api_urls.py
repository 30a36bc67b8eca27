from django.urls import path

from . import apis, package_apis, progress
from .transitions import TRANSITIONS

urlpatterns = (
    progress.urlpatterns
    + package_apis.urlpatterns
    + [
        path("cases/", apis.CaseListApi.as_view(), name="api-case-list"),
        path("co-approvals/", apis.CoApprovalListApi.as_view(), name="api-co-approval-list"),
        path(
            "co-approvals/<int:pk>/answer/", apis.CoApprovalAnswerApi.as_view(), name="api-co-approval-answer"
        ),
        path(
            "co-approvals/<int:pk>/resolve/",
            apis.CoApprovalResolveApi.as_view(),
            name="api-co-approval-resolve",
        ),
        path("cases/<str:reference>/", apis.CaseDetailApi.as_view(), name="api-case-detail"),
        path(
            "cases/<str:reference>/transitions/",
            apis.CaseTransitionsApi.as_view(),
            name="api-case-transitions",
        ),
        path("cases/<str:reference>/delivery/", apis.CaseDeliveryApi.as_view(), name="api-case-delivery"),
        path(
            "cases/<str:reference>/material-check/",
            apis.CaseMaterialCheckApi.as_view(),
            name="api-case-material-check",
        ),
        # one operation per transition, each with its own input in the schema (same URL name: one rule in the
        # permission table), then the catch-all that answers 400 for an unknown name
        *[
            path(
                f"cases/<str:reference>/transitions/{name}/",
                apis.transition_view(transition),
                name="api-case-transition",
            )
            for name, transition in TRANSITIONS.items()
        ],
        path(
            "cases/<str:reference>/transitions/<str:name>/",
            apis.CaseTransitionApi.as_view(),
            name="api-case-transition",
        ),
    ]
)
