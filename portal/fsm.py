"""The state field of the case, the alert, the complaint and the rating ticket."""

from typing import Any

from django_fsm import FSMField


class StateField(FSMField):
    """django-fsm's ``FSMField`` (protected transitions, the state machine), recorded in the migrations as
    the ``CharField`` it is in the database.

    The state machine belongs to the models the code runs, not to the historical models a migration
    renders: every ``FSMField`` a migration state renders connects a ``class_prepared`` receiver
    (``FSMFieldMixin.contribute_to_class``) that lives as long as that state, and every model class created
    afterwards calls them all. A walk over the 79 migrations renders thousands of model classes, so the
    walk grew quadratically (a backwards-and-forwards walk took 6–10 minutes, 55 % of it in those
    receivers). The column is the same ``varchar``; a data migration sets a state directly, as it would
    on a plain field."""

    def deconstruct(self) -> tuple[Any, str, Any, Any]:
        name, _path, args, kwargs = super().deconstruct()
        kwargs.pop("protected", None)
        return name, "django.db.models.CharField", args, kwargs
