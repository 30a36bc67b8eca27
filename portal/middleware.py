"""Lighter versions of three third-party middlewares, for what every request pays (issue 19: the chain of 16
middlewares cost a bare API request ≈ 0.35 ms of CPU more than Django's default 7).

- ``PageMessageMiddleware``: django.contrib.messages for the pages only. The API answers JSON and no API
  view or service adds a one-off message (they are drawn by the pages' layout), so an ``/api/`` request
  does not build the two message storages (the cookie one makes a signer each time).
- ``CachedCSPMiddleware``: django-csp's middleware with the policy string built once per process while a
  response asks for nothing of its own (no ``@csp_update``/``@csp_replace``/``@csp_exempt``, no nonce);
  such a response still gets its own policy, built as django-csp does. The cache is dropped when a test
  changes the settings.
- ``PrometheusAfterMiddleware``: django-prometheus' own, the same metrics with the same labels, but each
  labelled child (a counter or histogram for one view, status and method) looked up in a dict of its own
  after the first request that needs it: prometheus_client's ``labels()`` checks and sorts the label
  names and takes a lock on every call (≈ 8 µs of the pair's ≈ 31 µs a request in multiprocess mode).
  The dict holds only children that prometheus_client's registry already holds.
"""

from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django_prometheus.middleware import PrometheusAfterMiddleware as _PrometheusAfterMiddleware

API_PREFIX = "/api/"


class PageMessageMiddleware(MessageMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith(API_PREFIX):
            return  # process_response skips a request without message storage
        super().process_request(request)


_OWN_POLICY = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
_policies: dict[bool, str] = {}
_HEADERS = (
    (False, HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
    (True, HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
)


@receiver(setting_changed)
def _forget_policies(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _policies.clear()


def _default_policy(report_only: bool) -> str:
    policy = _policies.get(report_only)
    if policy is None:
        policy = _policies[report_only] = build_policy(report_only=report_only)
    return policy


class CachedCSPMiddleware(CSPMiddleware):
    def process_response(self, request: Any, response: Any) -> Any:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _OWN_POLICY
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:  # django-csp leaves the debug pages alone
            return response
        for report_only, header, exempt, setting in _HEADERS:
            policy = _default_policy(report_only)
            if not policy or header in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        if getattr(request, "_csp_nonce", None) is None:  # as django-csp: no nonce after the header is set
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


class PrometheusAfterMiddleware(_PrometheusAfterMiddleware):
    _children: dict[tuple[Any, ...], Any] = {}

    def label_metric(self, metric: Any, request: Any, response: Any = None, **labels: Any) -> Any:
        if not labels:
            return metric
        key = (id(metric), *labels.items())
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(**labels)
        return child
