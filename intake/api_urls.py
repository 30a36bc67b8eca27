from .apis import applications, catalogue

urlpatterns = catalogue.urlpatterns + applications.urlpatterns
