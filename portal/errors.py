"""The 500 page inside the site layout. Django's own handler renders 500.html without the request (no
signed-in user, no CSRF token for the header's forms); this one renders it with the request, and falls back
to Django's handler if even that fails."""

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as django_server_error


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return HttpResponseServerError(loader.get_template("500.html").render({}, request))
    except Exception:  # the layout itself failed (the database is down): Django's plain page
        return django_server_error(request)
