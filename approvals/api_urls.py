from django.urls import path

from . import apis, progress

urlpatterns = progress.urlpatterns + [
    path("cases/", apis.CaseListApi.as_view(), name="api-case-list"),
    path("cases/<str:reference>/", apis.CaseDetailApi.as_view(), name="api-case-detail"),
    path(
        "cases/<str:reference>/transitions/", apis.CaseTransitionsApi.as_view(), name="api-case-transitions"
    ),
    path(
        "cases/<str:reference>/transitions/<str:name>/",
        apis.CaseTransitionFireApi.as_view(),
        name="api-case-transition",
    ),
]
