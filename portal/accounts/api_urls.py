from django.urls import path

from .apis import MeApi, RegisterApi, TokenApi

urlpatterns = [
    path("auth/register/", RegisterApi.as_view(), name="api-register"),
    path("auth/token/", TokenApi.as_view(), name="api-token"),
    path("auth/me/", MeApi.as_view(), name="api-me"),
]
