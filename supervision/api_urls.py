from django.urls import path

from .apis import AlertListApi, FiguresApi

urlpatterns = [
    path("supervision/figures/", FiguresApi.as_view(), name="supervision-figures"),
    path("supervision/alerts/", AlertListApi.as_view(), name="supervision-alerts"),
]
