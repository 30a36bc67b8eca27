import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.db import transaction
from django.urls import reverse

from portal.notifications import services
from portal.notifications.constants import DeliveryStatus
from portal.notifications.models import Delivery, DeliveryAttempt, MessageTemplate, Notification
from portal.sms import FileSmsGateway, GatewayError, HttpSmsGateway
from tests.factories import UserFactory, citizen

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sms_dir(settings, tmp_path):
    settings.SMS_FILE_DIR = tmp_path / "sms"
    settings.SMS_BACKEND = "portal.sms.FileSmsGateway"
    return settings.SMS_FILE_DIR


def test_notify_writes_rows_in_the_callers_transaction_and_queues_on_commit(
    django_capture_on_commit_callbacks,
):
    user = citizen(phone="13912345678", notify_sms=True)
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            deliveries = services.notify(
                recipient=user,
                event="case.accepted",
                context={
                    "reference": "SP-20261122-000001",
                    "item_name": "食品经营许可",
                    "promised_due": "2026-11-27",
                    "statutory_due": "2026-12-18",
                    "provisional": False,
                },
            )
    assert [d.channel for d in deliveries] == ["inbox", "sms"]
    assert len(callbacks) == 1  # only the SMS needs the worker
    note = Notification.objects.get()
    assert "承诺办结日期2026-11-27" in note.body and note.case_reference == "SP-20261122-000001"
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            services.notify(recipient=user, event="case.approved", context={"reference": "X"})
            raise RuntimeError("the event's transaction fails")
    assert Notification.objects.count() == 1  # rolled back together with the event


def test_channels_follow_the_users_choice_and_decisions_always_reach_the_inbox():
    user = citizen(phone="13912345678", notify_sms=False, notify_email=True, email="a@example.cn")
    channels = [
        d.channel for d in services.notify(recipient=user, event="case.denied", context={"reference": "R"})
    ]
    assert channels == ["inbox", "email"]
    silent = citizen(username="s", id_number="110101199003070011", phone="", notify_sms=True)
    assert [d.channel for d in services.notify(recipient=silent, event="case.approved", context={})] == [
        "inbox"
    ]


def test_deliver_sends_once_and_records_the_attempt(sms_dir):
    user = citizen(phone="13912345678")
    sms = [
        d
        for d in services.notify(
            recipient=user,
            event="application.received",
            context={"reference": "SP-1", "item_name": "排污许可"},
        )
        if d.channel == "sms"
    ][0]
    assert services.deliver(sms.pk) == "sent"
    assert services.deliver(sms.pk) == "skipped"
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.SENT and sms.attempts == 1
    assert DeliveryAttempt.objects.filter(delivery=sms, ok=True).count() == 1
    assert FileSmsGateway(sms_dir).sent_keys() == [sms.idempotency_key.replace(":", "_")]
    text = json.loads((sms_dir / "outbox.jsonl").read_text().splitlines()[0])["text"]
    assert "SP-1" in text and "排污许可" in text
    # Even if the row were reset (a worker died before commit), the gateway refuses the same key again.
    Delivery.objects.filter(pk=sms.pk).update(status=DeliveryStatus.PENDING)
    assert services.deliver(sms.pk) == "sent"
    assert len(FileSmsGateway(sms_dir).sent_keys()) == 1


def test_gateway_failures_retry_then_fail_and_can_be_resent(
    settings, client, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "portal.sms.HttpSmsGateway"
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/unreachable"
    user = citizen(phone="13912345678")
    sms = [
        d
        for d in services.notify(recipient=user, event="case.withdrawn", context={"reference": "R"})
        if d.channel == "sms"
    ][0]
    for n in range(1, services.MAX_ATTEMPTS):
        with pytest.raises(services.RetryLater) as exc:
            services.deliver(sms.pk)
        assert exc.value.attempts == n
    assert services.deliver(sms.pk) == "failed"
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.FAILED and "unreachable" in sms.last_error
    assert DeliveryAttempt.objects.filter(delivery=sms, ok=False).count() == services.MAX_ATTEMPTS
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/notifications/delivery/?status__exact=failed").content.decode()
    # the failed SMS by its message, channel and state in words (the gateway's key is not shown)
    assert f'name="_selected_action" value="{sms.pk}"' in page and "发送失败" in page
    assert sms.idempotency_key not in page
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/admin/notifications/delivery/", {"action": "resend", "_selected_action": [sms.pk]})
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.PENDING and sms.attempts == 0


def test_messages_in_english_and_admin_edited_templates():
    user = citizen(phone="", preferred_language="en")
    services.notify(recipient=user, event="case.approved", context={"reference": "SP-9", "item_name": "X"})
    assert Notification.objects.get().subject.startswith("Approved")
    MessageTemplate.objects.create(
        event="case.approved",
        channel="inbox",
        language="en",
        subject="Good news",
        body="{{ reference }} is approved",
    )
    services.notify(recipient=user, event="case.approved", context={"reference": "SP-10"})
    assert Notification.objects.order_by("-id").first().body == "SP-10 is approved"


def test_template_edits_reach_the_next_message_and_templates_are_read_once():
    """The active templates are read once and kept in the cache; an edit, a switch-off or a delete is in
    the very next message."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = citizen(phone="", preferred_language="en")

    def body(reference: str) -> str:
        services.notify(recipient=user, event="case.approved", context={"reference": reference})
        return Notification.objects.order_by("-id")[0].body

    template = MessageTemplate.objects.create(
        event="case.approved", channel="inbox", language="en", subject="Good news", body="{{ reference }} ok"
    )
    assert body("SP-1") == "SP-1 ok"
    with CaptureQueriesContext(connection) as queries:
        assert body("SP-2") == "SP-2 ok"
    assert not [q for q in queries.captured_queries if "notifications_messagetemplate" in q["sql"]]
    template.body = "{{ reference }} approved"
    template.save()
    assert body("SP-3") == "SP-3 approved"
    template.active = False
    template.save()
    assert body("SP-4").startswith("Reference SP-4")  # the built-in text
    template.active = True
    template.save()
    assert body("SP-5") == "SP-5 approved"
    template.delete()
    assert body("SP-6").startswith("Reference SP-6")


def test_sweeper_requeues_only_old_unsent_rows(django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    user = citizen(phone="13912345678")
    services.notify(recipient=user, event="case.withdrawn", context={"reference": "R"})
    assert services.sweep() == 0  # still within the grace period
    Delivery.objects.filter(channel="sms").update(updated_at=timezone.now() - timedelta(minutes=5))
    assert services.sweep() == 1


class _Provider(BaseHTTPRequestHandler):
    seen: list = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        key = self.headers["Idempotency-Key"]
        status = 200
        if body["phone"] == "13900000500":
            status = 500
        elif key in [k for k, _ in self.seen]:
            status = 409
        else:
            self.seen.append((key, body))
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b'{"result": "ok"}')

    def log_message(self, *args):
        pass


def test_http_gateway_against_a_local_provider():
    server = HTTPServer(("127.0.0.1", 0), _Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        gateway = HttpSmsGateway(url=f"http://127.0.0.1:{server.server_port}/send", token="t0k")
        answer = gateway.send(phone="13912345678", text="您好", idempotency_key="7:sms")
        assert answer.ok and not answer.duplicate and "ok" in answer.detail
        assert _Provider.seen[-1] == ("7:sms", {"phone": "13912345678", "text": "您好"})
        assert gateway.send(phone="13912345678", text="您好", idempotency_key="7:sms").duplicate
        with pytest.raises(GatewayError):
            gateway.send(phone="13900000500", text="x", idempotency_key="8:sms")
    finally:
        server.shutdown()


def test_inbox_pages_and_unread_count_on_every_page(client):
    user = citizen()
    other = citizen(username="o", id_number="110101199003070011")
    services.notify(recipient=user, event="case.approved", context={"reference": "SP-1", "item_name": "X"})
    client.force_login(user)
    home = client.get(reverse("home")).content.decode()
    assert 'class="portal-nav__badge"' in home and ">1<" in home
    note = Notification.objects.get()
    assert "准予许可" in client.get(reverse("notifications:inbox")).content.decode()
    assert client.get(reverse("notifications:detail", args=[note.pk])).status_code == 200
    note.refresh_from_db()
    assert note.read_at is not None
    client.force_login(other)
    assert client.get(reverse("notifications:detail", args=[note.pk])).status_code == 404
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(other)
    assert api.get("/api/v1/notifications/").json()["count"] == 0
    assert api.post(f"/api/v1/notifications/{note.pk}/read/").status_code == 404


def test_daily_digest_per_member_of_staff(settings):
    from approvals.constants import CaseState
    from portal.notifications.services import send_daily_digests
    from tests.approvals.factories import CaseFactory
    from tests.factories import DepartmentFactory, staff

    dept = DepartmentFactory(code="DG1")
    reviewer = staff("reviewer", dept, username="dg-reviewer")
    staff("clerk", username="dg-clerk")
    staff("reviewer", DepartmentFactory(code="DG2"), username="idle")  # nothing due: no digest
    CaseFactory(accepted=True, application__item__department=dept)  # promised 2026-03-09: overdue by now
    CaseFactory(state=CaseState.SUBMITTED)
    assert send_daily_digests() == 2
    digest = Notification.objects.get(recipient=reviewer, event="staff.daily_digest")
    assert "已超期 1 件" in digest.body
    assert Notification.objects.get(recipient__username="dg-clerk").body.startswith(
        "综合受理窗口待受理申请 1 件"
    )


def test_a_long_correction_list_is_one_bounded_sms_with_a_pointer_to_the_portal(sms_dir, settings):
    """Issue 17: 50 long correction items made one SMS of tens of thousands of characters. The SMS is
    cut to SMS_MAX_SEGMENTS carrier segments (67 characters each once split); the inbox keeps it all."""
    from portal.sms import sms_segments

    settings.SMS_MAX_SEGMENTS = 4
    user = citizen(phone="13912345678", notify_sms=True)
    materials = [{"name": f"材料{i}" * 20, "problem": "缺少" * 100} for i in range(50)]
    services.notify(
        recipient=user,
        event="case.correction_requested",
        context={"reference": "SP-20261122-000001", "item_name": "食品经营许可", "materials": materials},
    )
    sms = Delivery.objects.get(channel="sms")
    assert services.deliver(sms.pk) == "sent"
    [message] = [json.loads(p.read_text()) for p in (sms_dir / "messages").glob("*.json")]
    assert sms_segments(message["text"]) <= 4 and len(message["text"]) <= 4 * 67
    assert message["text"].startswith("【政务服务】申报号SP-20261122-000001")
    assert message["text"].endswith("（详见政务服务网）")
    assert "材料49" in Notification.objects.get().body  # the inbox copy is whole


def test_sms_segments_count_the_carriers_way():
    from portal.sms import sms_fit, sms_segments

    assert [sms_segments("a" * 160), sms_segments("a" * 161), sms_segments("a" * 306)] == [1, 2, 2]
    assert [sms_segments("办" * 70), sms_segments("办" * 71), sms_segments("办" * 134)] == [1, 2, 2]
    assert sms_segments("办" * 135) == 3
    assert sms_fit("办" * 60, 1) == "办" * 60


def test_the_sweeper_stops_at_the_first_refused_hand_off_while_the_broker_is_down(monkeypatch):
    """A thousand unsent rows and no broker: one refused connection, not a thousand (beat stays free)."""
    import time
    from datetime import timedelta

    from django.utils import timezone

    from tests.worker import producer_at

    user = citizen(phone="13912345678")
    for n in range(50):
        services.notify(
            recipient=user, event="case.withdrawn", context={"reference": f"R{n}"}, channels=["sms"]
        )
    Delivery.objects.update(updated_at=timezone.now() - timedelta(minutes=5))
    with producer_at("redis://127.0.0.1:1/0"):  # nothing listens there
        started = time.monotonic()
        assert services.sweep() == 0
        assert time.monotonic() - started < 5
    assert Delivery.objects.filter(status="pending").count() == 50  # all left for the next sweep
