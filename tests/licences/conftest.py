"""A world with a licence type on its item (食品经营许可证, five years), media in a temporary folder and the
portal's public address set, and a helper that takes a case through to approval."""

import pytest

from approvals.models import Case
from licences.models import LicenceType

from ..approvals.conftest import World, at

BASE = "https://zwfw.example.gov.cn"


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.PORTAL_BASE_URL = BASE
    w = World()
    w.licence_type = LicenceType.objects.create(
        code="SPJY",
        title="食品经营许可证",
        validity_years=5,
        fields=[{"label": "经营场所", "source": "form.address"}, {"label": "申报号", "source": "reference"}],
        scope_template="预包装食品销售",
    )
    w.item.licence_type = w.licence_type
    w.item.save()
    return w


def approve(world, case, day=(2026, 9, 25)):
    with at(*day):
        assert world.fire(world.clerk, case, "accept").status_code == 200
        assert world.fire(world.reviewer, case, "start_review").status_code == 200
        assert world.fire(world.reviewer, case, "send_to_decision", opinion="符合条件").status_code == 200
        r = world.fire(world.decider, case, "approve", opinion="准予许可")
        assert r.status_code == 200, r.json()
    return Case.objects.get(pk=case.pk)
