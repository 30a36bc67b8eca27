"""The public catalogue served from the cache (intake/cache.py): the same body for every reader, drawn
once per catalogue version; no stale guide after an edit; a browser's repeat visit is a 304; the header
(who is signed in) is never shared between readers."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from intake.services.catalogue import item_retire
from intake.services.catalogue_rows import item_rows_sync
from portal.accounts.views import ELDER_COOKIE
from tests.factories import ItemFactory, MaterialFactory, StepFactory, UserFactory, citizen

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    item = ItemFactory(name="食品经营许可", conditions="申请人取得营业执照")
    MaterialFactory(item=item, name="营业执照副本")
    StepFactory(item=item)
    return item


def _main(response) -> bytes:
    """What the page shows in its main region (the header carries a fresh CSRF token each time)."""
    content = response.content
    return content[content.find(b"<main") :] if b"<main" in content else content


def _pages(item):
    return [
        reverse("intake:catalogue"),
        reverse("intake:item_detail", args=[item.code]),
        reverse("intake:item_notice", args=[item.code]),
        f"/api/v1/items/{item.code}/",
        "/api/v1/items/",
    ]


def test_a_repeat_anonymous_visit_reads_no_catalogue_row(client, item, django_assert_num_queries):
    for url in _pages(item):
        first = client.get(url)
        assert first.status_code == 200
        with django_assert_num_queries(0):
            again = client.get(url)
        assert _main(again) == _main(first)


def test_edited_guide_shows_on_the_next_anonymous_page(client, item):
    """Edit an item's guide (its conditions, a material, the department's name): the next anonymous
    page and API answer show it, never the cached guide."""
    detail = reverse("intake:item_detail", args=[item.code])
    notice = reverse("intake:item_notice", args=[item.code])
    api = f"/api/v1/items/{item.code}/"
    assert "申请人取得营业执照" in client.get(detail).content.decode()
    assert "营业执照副本" in client.get(notice).content.decode()
    assert client.get(api).json()["conditions"] == "申请人取得营业执照"

    item.conditions = "申请人取得食品经营场所证明"
    item.save()
    assert "申请人取得食品经营场所证明" in client.get(detail).content.decode()
    assert client.get(api).json()["conditions"] == "申请人取得食品经营场所证明"

    material = item.materials.get()
    item_rows_sync(
        item=item,
        wanted={"materials": [{"key": material.key, "name": "营业执照原件", "count": 1}]},
        actor=UserFactory(),
    )
    assert "营业执照原件" in client.get(notice).content.decode()
    assert "营业执照副本" not in client.get(notice).content.decode()
    assert [m["name"] for m in client.get(api).json()["materials"]] == ["营业执照原件"]

    item.department.name = "市场监督管理局（新）"
    item.department.save()
    assert "市场监督管理局（新）" in client.get(reverse("intake:catalogue")).content.decode()


def test_a_retired_item_leaves_the_cached_catalogue_at_once(client, item):
    detail = reverse("intake:item_detail", args=[item.code])
    assert client.get(detail).status_code == 200
    assert "食品经营许可" in client.get(reverse("intake:catalogue")).content.decode()
    item_retire(item=item, actor=UserFactory(), reason="废止")
    assert client.get(detail).status_code == 404
    assert client.get(f"/api/v1/items/{item.code}/").status_code == 404
    assert "食品经营许可" not in client.get(reverse("intake:catalogue")).content.decode()
    assert client.get("/api/v1/items/").json()["count"] == 0


@pytest.mark.parametrize("which", range(5))
def test_a_conditional_get_is_a_304_until_the_item_changes(client, item, which):
    url = _pages(item)[which]
    first = client.get(url)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert "no-cache" in first["Cache-Control"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304

    item.name = "食品经营许可（含网络经营）"
    item.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "食品经营许可（含网络经营）" in changed.content.decode()


def test_a_second_reader_never_sees_the_first_readers_header(item):
    """A signed-in reader's page fills the cache; another reader, and a visitor, get the same guide with
    their own header; the first reader's ETag gives them no 304."""
    detail = reverse("intake:item_detail", args=[item.code])
    first, second = citizen(real_name="王一一"), citizen(real_name="李二二", id_number="110105194912310010")
    a, b, visitor = Client(), Client(), Client()
    a.force_login(first)
    b.force_login(second)

    page_a = a.get(detail)
    assert "王一一" in page_a.content.decode() and "private" in page_a["Cache-Control"]
    page_b = b.get(detail)
    assert "李二二" in page_b.content.decode() and "王一一" not in page_b.content.decode()
    assert "食品经营许可" in page_b.content.decode()
    page_v = visitor.get(detail)
    assert "王一一" not in page_v.content.decode() and "李二二" not in page_v.content.decode()

    assert b.get(detail, HTTP_IF_NONE_MATCH=page_a["ETag"]).status_code == 200
    assert visitor.get(detail, HTTP_IF_NONE_MATCH=page_a["ETag"]).status_code == 200
    # signing out changes the page: the signed-in copy is no longer current
    a.logout()
    after = a.get(detail, HTTP_IF_NONE_MATCH=page_a["ETag"])
    assert after.status_code == 200 and "王一一" not in after.content.decode()


def test_the_cached_body_follows_the_language(client, item):
    """The body is cached per language: the English reader never gets the Chinese body, nor its 304."""
    url = reverse("intake:catalogue")
    chinese = client.get(url)
    assert "没有找到" not in chinese.content.decode() and "搜索事项" in chinese.content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(url, HTTP_IF_NONE_MATCH=chinese["ETag"])
    assert english.status_code == 200
    assert "搜索事项" not in english.content.decode() and "Search" in english.content.decode()


def test_the_api_s_page_links_follow_the_host_asked(client):
    """The API's page links are absolute: a cached answer for one host name is not served to another."""
    ItemFactory.create_batch(21)
    first = client.get("/api/v1/items/", HTTP_HOST="localhost").json()
    second = client.get("/api/v1/items/", HTTP_HOST="127.0.0.1").json()
    assert first["next"].startswith("http://localhost/") and second["next"].startswith("http://127.0.0.1/")


def _csrf_values(html: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', html)


def test_a_visitor_gets_the_kept_page_with_a_csrf_token_of_their_own(item):
    """A visitor's whole page is kept (issue 19); the next visitor still gets their own CSRF token in
    the header's forms, and switching the language with it works (no 403)."""
    from intake.cache import CSRF_STAND_IN

    detail = reverse("intake:item_detail", args=[item.code])
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_1 = first.get(detail).content.decode()
    page_2 = second.get(detail).content.decode()
    assert CSRF_STAND_IN not in page_1 and CSRF_STAND_IN not in page_2
    tokens_1, tokens_2 = _csrf_values(page_1), _csrf_values(page_2)
    assert len(tokens_2) == 2 and all(len(t) == 64 for t in tokens_2)
    assert set(tokens_1).isdisjoint(tokens_2)
    assert "csrftoken" in second.cookies
    # the rest of the page is the same for both visitors
    for token in tokens_1:
        page_1 = page_1.replace(token, "T")
    for token in tokens_2:
        page_2 = page_2.replace(token, "T")
    assert page_1 == page_2
    # the second visitor's token is accepted; a made-up one is not
    switched = second.post(
        reverse("set_language"), {"language": "en", "next": detail, "csrfmiddlewaretoken": tokens_2[0]}
    )
    assert switched.status_code == 302
    assert '<html lang="en"' in second.get(detail).content.decode()
    refused = first.post(
        reverse("set_language"), {"language": "en", "next": detail, "csrfmiddlewaretoken": "x" * 64}
    )
    assert refused.status_code == 403


def test_the_kept_page_follows_elder_mode_and_a_signed_in_reader_gets_their_own(item):
    """长辈版 and the standard page are kept apart; a reader who signs in never gets a visitor's page."""
    detail = reverse("intake:item_detail", args=[item.code])
    standard, elder = Client(), Client()
    elder.cookies[ELDER_COOKIE] = "1"
    assert "portal-elder" not in standard.get(detail).content.decode()
    assert "portal-elder" in elder.get(detail).content.decode()
    assert "portal-elder" not in Client().get(detail).content.decode()
    reader = Client()
    reader.force_login(citizen(real_name="赵三三"))
    page = reader.get(detail).content.decode()
    assert "赵三三" in page and "登录" not in page.split("<main")[0]
