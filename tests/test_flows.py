"""portal/flows.py names, by dotted path, the services that answer the flows crossing the layers
upwards: each path must resolve to a callable that takes the keywords the flow passes."""

import inspect

from django.utils.module_loading import import_string

from portal import flows


def test_every_flow_names_a_service_that_takes_its_arguments():
    for path, keywords in [
        (flows.CASE_OPEN, {"application", "actor"}),
        (flows.RATING_INVITE, {"case"}),
        (flows.LICENCE_ISSUE, {"case"}),
        (flows.LICENCE_REVOKE, {"case", "reason"}),
    ]:
        target = import_string(path)
        parameters = inspect.signature(target).parameters
        assert keywords <= set(parameters), path
        assert all(parameters[k].kind is inspect.Parameter.KEYWORD_ONLY for k in keywords), path
    assert callable(import_string(flows.DUE_DATES_RECOMPUTE_TASK).delay)
