"""Catalog fixtures."""

import pytest

from techtransfer.catalog import services
from techtransfer.catalog.models import Status
from tests.catalog.factories import achievement_data, advance, demand_data


@pytest.fixture
def make_achievement(world):
    def _make(status=Status.DRAFT, owner=None, **extra):
        ach = services.create_achievement(world.member, owner or world.wuhua_org, achievement_data(**extra))
        return advance(world, ach, status)

    return _make


@pytest.fixture
def make_demand(world):
    def _make(status=Status.DRAFT, **extra):
        demand = services.create_demand(world.member, world.wuhua_org, demand_data(**extra))
        return advance(world, demand, status)

    return _make
