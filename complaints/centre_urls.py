"""The personal centre (个人中心) at /my/: mounted by the root URLconf by name, like every app's URLs."""

from django.urls import path

from .views import centre

urlpatterns = [path("", centre, name="centre")]
