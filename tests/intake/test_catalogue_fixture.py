from io import StringIO

import pytest

from intake import demo
from intake.models import Item


@pytest.mark.django_db
def test_sample_catalogue_loads_idempotently_and_covers_every_mode():
    demo.load(StringIO())
    n = Item.objects.count()
    demo.load(StringIO())
    assert Item.objects.count() == n
    published = Item.objects.filter(status="published")
    assert published.count() >= 40
    assert published.values("department").distinct().count() >= 10
    for mode in ("instant", "promised", "deferred", "commitment", "parallel"):
        assert published.filter(**{f"mode_{mode}": True}).exists(), mode
    for item in published:
        assert item.promised_limit <= item.statutory_limit
        assert item.materials.exists() and item.steps.exists()
        if item.mode_instant:
            assert item.promised_limit == 0
        if item.mode_parallel:
            assert item.co_departments.exists()
    assert Item.objects.filter(status="retired").exists() and Item.objects.filter(status="draft").exists()
    food = Item.objects.get(name="食品经营许可")
    assert food.materials.filter(deferrable=True).exists()
