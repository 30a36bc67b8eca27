from .apis import applications, catalogue, packages

urlpatterns = catalogue.urlpatterns + applications.urlpatterns + packages.urlpatterns
