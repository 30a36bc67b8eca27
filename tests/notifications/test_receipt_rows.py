"""Issue 19, seventh pass: one recipient's notification and its deliveries (the receipt of every online
submission) are written with one statement on PostgreSQL. The rows are those the ORM's two inserts write
for the same recipient (``notify_each`` with more than one recipient still takes that path), inside the
caller's transaction; on SQLite both are the ORM's."""

import re

import pytest
from django.db import transaction
from django.forms.models import model_to_dict

from portal.notifications.models import Delivery, Notification
from portal.notifications.services import notify, notify_each
from tests.factories import citizen

CONTEXT = {"reference": "SP-20261206-000001", "item_name": "食品经营许可", "nested": {"a": [1, "二"]}}


def _rows(deliveries):
    note = Notification.objects.get(pk=deliveries[0].notification_id)
    notification = model_to_dict(note, exclude=["id"])
    assert note.created_at is not None
    rows = []
    for d in Delivery.objects.filter(notification=note).order_by("pk"):
        row = model_to_dict(d, exclude=["id", "notification"])
        assert re.fullmatch(rf"[0-9a-f]{{32}}:{d.channel}", row.pop("idempotency_key"))
        assert d.created_at is not None and d.updated_at is not None
        row["sent"] = row.pop("sent_at") is not None
        rows.append(row)
    return notification, rows


@pytest.mark.django_db
def test_one_recipients_rows_are_the_rows_the_orm_writes_for_them():
    user = citizen(phone="13912345678")
    user.email, user.notify_sms, user.notify_email = "a@example.cn", True, True
    user.save()
    other = citizen(phone="13900000000")
    alone = notify(recipient=user, event="application.received", context=CONTEXT, queue=False)
    together = notify_each(
        recipients=[user, other], event="application.received", context=CONTEXT, queue=False
    )
    mine = [d for d in together if d.notification.recipient_id == user.pk]
    assert [d.channel for d in alone] == [d.channel for d in mine] == ["inbox", "sms", "email"]
    assert _rows(alone) == _rows(mine)
    # the objects returned are the rows written: ids, the notification's id, the key, the status
    for d in alone:
        row = Delivery.objects.get(pk=d.pk)
        assert (row.notification_id, row.idempotency_key, row.status, row.address) == (
            d.notification_id,
            d.idempotency_key,
            d.status,
            d.address,
        )
        assert d.notification.pk == d.notification_id and not d._state.adding
    assert len({d.idempotency_key for d in [*alone, *together]}) == len(alone) + len(together)


@pytest.mark.django_db
def test_the_receipt_is_written_in_the_callers_transaction():
    user = citizen(phone="13912345678")
    with transaction.atomic():
        notify(recipient=user, event="application.received", context=CONTEXT, queue=False)
        assert Notification.objects.filter(recipient=user).count() == 1
        transaction.set_rollback(True)  # the submission failed: no receipt, no delivery
    assert not Notification.objects.filter(recipient=user).exists()
    assert not Delivery.objects.filter(notification__recipient=user).exists()
