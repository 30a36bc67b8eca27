"""API documentation pages that work under the Content-Security-Policy (no inline script).

Swagger UI uses drf-spectacular's split view: the page loads its start-up code from a second request
(``?script``) instead of an inline ``<script>``. Redoc has no inline script either (no settings, so the
``<redoc>`` element carries the schema URL), but its bundle styles itself with styled-components, which
inserts ``<style>`` elements at run time: without ``'unsafe-inline'`` in style-src the page is unstyled
and unreadable, so this one page (and only its style-src) is relaxed. Scripts stay ``'self'`` only.
"""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api_docs/swagger_ui.html"


@method_decorator(csp_update({"style-src": [UNSAFE_INLINE]}), name="dispatch")
class RedocView(SpectacularRedocView):
    template_name = "api_docs/redoc.html"
