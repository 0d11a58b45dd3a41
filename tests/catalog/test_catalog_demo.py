"""The catalog's demo part: thousands of valid, demo-marked records, deterministic, no protected text in public
views."""

import pytest

from techtransfer.catalog import demo, services
from techtransfer.catalog.models import (
    PUBLIC_STATUSES,
    Achievement,
    AchievementPackage,
    Demand,
    IPItem,
    NdaRequest,
)
from techtransfer.demo import foundation

pytestmark = pytest.mark.django_db


def test_demo_part_loads_valid_records():
    foundation.load(lambda _m: None)
    count = demo.load(lambda _m: None)
    assert Achievement.objects.count() == demo.N_ACHIEVEMENTS and Demand.objects.count() == demo.N_DEMANDS
    assert count > demo.N_ACHIEVEMENTS + demo.N_DEMANDS
    assert not Achievement.objects.filter(is_demo=False).exists() and not Demand.objects.filter(is_demo=False).exists()
    public = Achievement.objects.filter(status__in=PUBLIC_STATUSES).count()
    assert public / demo.N_ACHIEVEMENTS > 0.85
    assert Achievement.objects.exclude(protected_details="").exists()
    assert NdaRequest.objects.exists() and AchievementPackage.objects.filter(status="published").count() == 3
    for ach in Achievement.objects.order_by("?")[:150]:
        ach.full_clean()
        assert 1 <= ach.trl <= 9 and ach.tech_field_id and ach.owner.region_id == ach.region_id
    for item in IPItem.objects.order_by("?")[:150]:
        item.full_clean()  # patent numbers with valid check digits
    for demand in Demand.objects.order_by("?")[:100]:
        demand.full_clean()
    secret = Achievement.objects.exclude(protected_details="").first()
    assert "protected_details" not in services.public_view(secret)
