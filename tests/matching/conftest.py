"""Matching fixtures: a published demand and achievement of the 五华 organization, a broker user."""

import pytest

from techtransfer.accounts.models import Role
from techtransfer.catalog.models import Status


@pytest.fixture
def pair(world, make_user):
    from techtransfer.catalog import services
    from tests.catalog.factories import achievement_data, advance, demand_data

    demand = advance(world, services.create_demand(world.member, world.wuhua_org, demand_data()), Status.PUBLISHED)
    ach = advance(world, services.create_achievement(world.member, world.wuhua_org, achievement_data()),
                  Status.PUBLISHED)
    broker = make_user("broker1", Role.BROKER)
    other_broker = make_user("broker2", Role.BROKER)
    return demand, ach, broker, other_broker


@pytest.fixture(autouse=True)
def _own_index(isolated_index):
    """A search index folder per test (every matching test)."""
    return isolated_index
