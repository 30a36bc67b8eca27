import pytest


@pytest.fixture
def calendar(db):
    from portal.workcalendar import services
    from portal.workcalendar.seed import seed_years

    seed_years([2025, 2026])
    services.invalidate()
    yield
    services.invalidate()
