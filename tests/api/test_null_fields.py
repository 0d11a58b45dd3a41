"""Hardening (issue 11): a request body never stores null where the model cannot hold it.

The issue's case was ``PATCH /api/v1/organizations/{id}`` with ``{"description": null}``: a 500 (NOT NULL). Bodies
that are stored in one model name it (``InputSchema.stores``) and refuse an explicit null for its NOT NULL columns
with a 422 naming the field. These tests check that systematically: every PATCH body declares its model, every
field of every body is compared with the model's columns, and every PATCH route gets a null for each field."""

from __future__ import annotations

import json

import pytest
from django.db import models
from pydantic import ValidationError

from techtransfer.core.schemas import InputSchema
from tests.catalog.factories import achievement_data, demand_data

pytestmark = pytest.mark.django_db


def _all_bodies() -> list[type[InputSchema]]:
    from techtransfer.config.api import api  # noqa: F401 - importing the API root imports every app's bodies

    seen, todo = [], [InputSchema]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.append(sub)
                todo.append(sub)
    return seen


def test_every_patch_body_names_the_model_it_is_stored_in():
    patches = [b for b in _all_bodies() if b.__name__.endswith("Patch")]
    assert patches, "no PATCH bodies found"
    assert [b.__name__ for b in patches if b.stores is None] == []


def _column(body, name):
    try:
        field = body.stores._meta.get_field(body.stored_as.get(name, name))
    except Exception:  # noqa: BLE001 - not a column of the model (a relation list, a computed input)
        return None
    return field if isinstance(field, models.Field) and field.concrete else None


@pytest.mark.parametrize("body", [b for b in _all_bodies() if b.stores is not None], ids=lambda b: b.__name__)
def test_null_is_refused_exactly_for_not_null_columns(body):
    for name in body.model_fields:
        column = _column(body, name)
        if column is None or column.many_to_many:
            continue
        try:
            body.model_validate({name: None})
        except ValidationError as exc:
            refused = any(e["loc"] == (name,) for e in exc.errors())
        else:
            refused = False
        assert refused == (not column.null), f"{body.__name__}.{name}: refused={refused}, null={column.null}"


def test_the_issues_case_patch_description_null_is_a_422(world, client_for):
    response = client_for(world.org_admin).patch(
        f"/api/v1/organizations/{world.wuhua_org.pk}", json.dumps({"description": None}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["field"] == "description"
    world.wuhua_org.refresh_from_db()
    assert world.wuhua_org.description == ""


def _patch_targets(world):
    from techtransfer.catalog import services
    from techtransfer.catalog.schemas import AchievementPatch, DemandPatch
    from techtransfer.orgs.api import OrgPatch
    from techtransfer.people.api import PersonPatch
    from techtransfer.people.models import Person

    achievement = services.create_achievement(world.member, world.wuhua_org, achievement_data())
    demand = services.create_demand(world.member, world.wuhua_org, demand_data())
    person = Person.objects.create(name="张三", region_id=world.wuhua_org.region_id, organization=world.wuhua_org)
    return [
        (OrgPatch, f"/api/v1/organizations/{world.wuhua_org.pk}", world.org_admin),
        (PersonPatch, f"/api/v1/people/{person.pk}", world.platform_admin),
        (AchievementPatch, f"/api/v1/catalog/achievements/{achievement.pk}", world.member),
        (DemandPatch, f"/api/v1/catalog/demands/{demand.pk}", world.member),
    ]


def test_null_for_each_field_of_each_patch_route_is_never_a_500(world, client_for):
    for body, url, user in _patch_targets(world):
        client = client_for(user)
        for name in body.model_fields:
            response = client.patch(url, json.dumps({name: None}), content_type="application/json")
            assert response.status_code < 500, (url, name, response.content[:200])
            if name in body.not_null_fields():
                assert response.status_code == 422 and response.json()["field"] == name, (url, name)
            else:
                assert response.status_code in (200, 400, 409, 422), (url, name, response.content[:200])
