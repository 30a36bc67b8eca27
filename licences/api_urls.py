from .apis import urlpatterns  # noqa: F401
