"""Public catalogue pages and API: search, 404 for unpublished items, constant query counts."""

import pytest
from django.urls import reverse

from intake.constants import ItemStatus
from tests.factories import ItemFactory, MaterialFactory, StepFactory

pytestmark = pytest.mark.django_db


def _items(n: int) -> None:
    for _ in range(n):
        item = ItemFactory()
        MaterialFactory(item=item)
        StepFactory(item=item)


def test_search_matches_chinese_substring(client):
    ItemFactory(name="食品经营许可", code="FOOD-1")
    ItemFactory(name="排污许可", code="ENV-1")
    body = client.get(reverse("intake:catalogue"), {"q": "食品"}).content.decode()
    assert "食品经营许可" in body and "排污许可" not in body


def test_detail_shows_both_limits_and_unpublished_items_404(client):
    item = ItemFactory(name="食品经营许可")
    response = client.get(reverse("intake:item_detail", args=[item.code]))
    assert response.status_code == 200 and "食品经营许可" in response.content.decode()
    assert client.get(reverse("intake:item_notice", args=[item.code])).status_code == 200
    for status in (ItemStatus.DRAFT, ItemStatus.RETIRED):
        hidden = ItemFactory(status=status)
        assert client.get(reverse("intake:item_detail", args=[hidden.code])).status_code == 404
        assert client.get(f"/api/v1/items/{hidden.code}/").status_code == 404


def test_api_list_filters_and_detail(client):
    item = ItemFactory(name="食品经营许可")
    MaterialFactory(item=item, name="营业执照")
    ItemFactory(name="排污许可")
    ItemFactory(status=ItemStatus.RETIRED, name="食品旧事项")
    data = client.get("/api/v1/items/", {"q": "食品"}).json()
    assert [row["code"] for row in data["results"]] == [item.code]
    detail = client.get(f"/api/v1/items/{item.code}/").json()
    assert detail["promised_limit"] == 5 and detail["statutory_limit"] == 20
    assert [m["name"] for m in detail["materials"]] == ["营业执照"]


@pytest.mark.parametrize("url", ["/items/", "/api/v1/items/"])
def test_list_query_count_is_constant(client, django_assert_max_num_queries, url):
    _items(3)
    with django_assert_max_num_queries(12) as small:
        assert client.get(url).status_code == 200
    _items(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_detail_query_count_is_constant(client, django_assert_max_num_queries):
    item = ItemFactory()
    MaterialFactory(item=item)
    StepFactory(item=item)
    url = reverse("intake:item_detail", args=[item.code])
    with django_assert_max_num_queries(15) as small:
        client.get(url)
    for _ in range(10):
        MaterialFactory(item=item)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
