"""The counter's tablet (评价器) paired with its window: opened once at the window's signed address, it
needs nobody signed in and turns to the rating page of each visit that window finishes — not another
window's, not a rated one, not one finished more than half an hour ago."""

import json

import pytest
from django.test import Client

from complaints.models import Rating
from hall import services
from hall.models import Ticket
from portal.exceptions import PermissionDeniedError

from .conftest import at

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def serve(hall, window, clerk):
    services.ticket_issue(business_type=hall.a)
    ticket = services.ticket_call_next(window=window, actor=clerk)
    return services.ticket_finish(ticket=ticket, actor=clerk)


def test_the_console_shows_the_windows_tablet_address_and_the_tablet_follows_the_window(hall):
    tablet = Client()  # nobody signed in
    with at(2026, 10, 12, 9):
        page = signed_in(hall.clerk1).get("/hall/console/").content.decode()
        address = page.split('id="device-url">')[1].split("<")[0]
        assert address.startswith("http://testserver/hall/device/")
        path = address.removeprefix("http://testserver")
        page = tablet.get(path).content.decode()
        assert str(hall.w1) in page
        assert (
            "办结后，请在这里为本次服务评价" in page and "hall/device.js" in page and "<script>" not in page
        )
        feed = path + "next/"
        assert tablet.get(feed).json() == {"rate": None, "visit": None}
        # window 2 finishes a visit: not for window 1's tablet
        serve(hall, hall.w2, hall.clerk2)
        assert tablet.get(feed).json() == {"rate": None, "visit": None}
    with at(2026, 10, 12, 9, 10):
        (visit, token) = serve(hall, hall.w1, hall.clerk1)
        answer = tablet.get(feed)
        assert answer["Cache-Control"] == "no-store"
        rate_url = answer.json()["rate"]
        assert answer.json()["visit"] == visit.pk
        assert rate_url.startswith("/hall/rate/") and rate_url.endswith(f"/?device={path.split('/')[3]}")
        page = tablet.get(rate_url).content.decode()
        assert "请为本次服务评价" in page and visit.number in page and "hall/device.js" in page
        assert f'data-visit="{visit.pk}"' in page  # the tablet stays on it while it is the one pending
        posted = tablet.post(rate_url, {"overall": "5"})
        assert posted.status_code == 302 and posted["Location"] == rate_url  # Post/Redirect/Get
        done = tablet.get(rate_url).content.decode()
        assert "感谢您的评价" in done and 'id="device-home"' in done and 'data-return-after="8"' in done
        assert tablet.get(feed).json() == {"rate": None, "visit": None}  # rated: back to waiting
    assert Ticket.objects.get(pk=visit.pk).rating.overall == 5


def test_a_newer_visit_replaces_an_unrated_one_and_half_an_hour_ends_it(hall):
    tablet = Client()
    feed = f"/hall/device/{services.device_token(window=hall.w1)}/next/"
    with at(2026, 10, 12, 9):
        first, _token = serve(hall, hall.w1, hall.clerk1)
        assert tablet.get(feed).json()["visit"] == first.pk
    with at(2026, 10, 12, 9, 5):
        second, _token = serve(hall, hall.w1, hall.clerk1)
        answer = tablet.get(feed).json()
        assert answer["visit"] == second.pk
        # the link works: it is the second visit's rating page
        assert second.number in tablet.get(answer["rate"]).content.decode()
    with at(2026, 10, 12, 9, 36):
        assert tablet.get(feed).json() == {"rate": None, "visit": None}


def test_a_forged_or_other_address_is_refused_in_chinese(hall):
    tablet = Client()
    r = tablet.get("/hall/device/forged/")
    assert r.status_code == 403 and "评价器地址无效" in r.content.decode()
    r = tablet.get("/hall/device/forged/next/")
    assert r.status_code == 403 and json.loads(r.content)["detail"] == "评价器地址无效。"
    # a rating link's token is not a tablet's address (another salt), and vice versa
    with at(2026, 10, 12, 9):
        _visit, token = serve(hall, hall.w1, hall.clerk1)
        assert tablet.get(f"/hall/device/{token}/").status_code == 403
        device = services.device_token(window=hall.w1)
        assert tablet.get(f"/hall/rate/{device}/").status_code == 403
        # a forged ?device= on a rating page is ignored: no tablet feed on the page
        page = tablet.get(f"/hall/rate/{token}/?device=forged").content.decode()
        assert "请为本次服务评价" in page and "hall/device.js" not in page
    hall.w1.is_active = False
    hall.w1.save()
    assert tablet.get(f"/hall/device/{device}/next/").status_code == 403


def test_the_clerk_cannot_rate_their_own_visit_in_their_session(hall):
    """Issue 15 / DESIGN §6: the rating is the applicant's, tapped on the counter's device. The link the
    console shows works on the tablet (nobody signed in) but not in the clerk's own session, nor in any
    other staff member's; the refusal comes from the service, the visit stays unrated."""
    with at(2026, 10, 12, 9):
        visit, token = serve(hall, hall.w1, hall.clerk1)
        rate_url = f"/hall/rate/{token}/"
        clerk = signed_in(hall.clerk1)
        assert "请为本次服务评价" in clerk.get(rate_url).content.decode()  # the page shows, for handing over
        refused = clerk.post(rate_url, {"overall": "5"})
        assert refused.status_code == 403 and "工作人员登录时不能评价" in refused.content.decode()
        assert signed_in(hall.clerk2).post(rate_url, {"overall": "5"}).status_code == 403
        with pytest.raises(PermissionDeniedError):
            services.ticket_rate(token=token, overall=5, rater=hall.clerk1)
        assert Ticket.objects.get(pk=visit.pk).rating is None
        # the applicant on the tablet rates it once; reloading the thanks page rates nothing again
        tablet = Client()
        assert tablet.post(rate_url, {"overall": "4"}).status_code == 302
        assert "感谢您的评价" in tablet.get(rate_url).content.decode()
        assert tablet.get(rate_url).status_code == 409  # the next look: rated, once only
    assert Ticket.objects.get(pk=visit.pk).rating.overall == 4
    assert Rating.objects.count() == 1
