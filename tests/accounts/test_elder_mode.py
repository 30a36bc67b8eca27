"""长辈版 (elder mode, issue 16): one click from every page, remembered in a cookie and, for a signed-in user,
in their preferences; it swaps in the larger stylesheet."""

import pytest
from django.urls import reverse

from tests.factories import citizen

pytestmark = pytest.mark.django_db


def test_elder_mode_is_switched_from_any_page_and_remembered(client):
    page = client.get(reverse("intake:catalogue")).content.decode()
    assert 'id="elder-toggle"' in page and "portal.css" in page and "portal-elder.css" not in page
    r = client.post(reverse("accounts:elder_mode"), {"on": "1", "next": "/items/?q=food"})
    assert r.status_code == 302 and r.url == "/items/?q=food"  # back to the page the click came from
    assert client.cookies["portal_elder"].value == "1"
    page = client.get(reverse("home")).content.decode()
    assert "portal-elder.css" in page and "返回标准版" in page
    r = client.post(reverse("accounts:elder_mode"), {"on": "0", "next": "https://evil.example/"})
    assert r.url == "/"  # never off-site
    assert "portal-elder.css" not in client.get(reverse("home")).content.decode()


def test_a_signed_in_users_choice_follows_them_to_another_browser(client):
    user = citizen()
    client.force_login(user)
    client.post(reverse("accounts:elder_mode"), {"on": "1", "next": "/"})
    user.refresh_from_db()
    assert user.elder_mode is True
    client.cookies.clear()
    client.force_login(user)
    assert "portal-elder.css" in client.get(reverse("home")).content.decode()
    # and it is one of the user's settings
    page = client.get(reverse("accounts:preferences")).content.decode()
    assert 'name="elder_mode"' in page and "checked" in page


def test_error_pages_are_in_chinese_inside_the_layout(client):
    r = client.get("/no-such-page/")
    page = r.content.decode()
    assert r.status_code == 404 and "找不到这个页面" in page and "办事指南" in page and "12345" in page
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from portal.errors import server_error

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    r = server_error(request)
    assert r.status_code == 500 and "抱歉，系统出了问题" in r.content.decode()
