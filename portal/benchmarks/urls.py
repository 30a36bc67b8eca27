from django.urls import path

from .apis import BenchRowCreateApi, BenchRowDetailApi

urlpatterns = [
    path("bench/rows/", BenchRowCreateApi.as_view(), name="api-bench-row-create"),
    path("bench/rows/<int:pk>/", BenchRowDetailApi.as_view(), name="api-bench-row-detail"),
]
