from django.urls import path

from .apis import LogoutAllApi, LogoutApi, MeApi, RegisterApi, SmsCodeApi, SmsTokenApi, TokenApi

urlpatterns = [
    path("auth/register/", RegisterApi.as_view(), name="api-register"),
    path("auth/token/", TokenApi.as_view(), name="api-token"),
    path("auth/sms-code/", SmsCodeApi.as_view(), name="api-sms-code"),
    path("auth/sms-token/", SmsTokenApi.as_view(), name="api-sms-token"),
    path("auth/me/", MeApi.as_view(), name="api-me"),
    path("auth/logout/", LogoutApi.as_view(), name="api-logout"),
    path("auth/logout-all/", LogoutAllApi.as_view(), name="api-logout-all"),
]
