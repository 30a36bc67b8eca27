"""``Cache-Control: private, no-store`` on every answer that may carry personal data (issue 17): every page
for a signed-in user, every API answer, every answer to a POST (the public progress query). The service
hall's shared terminals and any proxy in between keep no copy; the back button after sign-out shows no
one's case. Answers that set their own Cache-Control (static files, the public catalogue if it ever
does) are left alone."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class PrivateNoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        personal = (
            request.path.startswith("/api/")
            or request.method not in ("GET", "HEAD")
            or bool(user is not None and user.is_authenticated)
            or "HTTP_AUTHORIZATION" in request.META
        )
        if personal:  # what patch_cache_control(private=True, no_store=True) writes on a response without one
            response["Cache-Control"] = "private, no-store"
        return response
