"""Foreign organizations (境外机构) are first-class: created through the API with an ISO 3166 country, an English
name and an English description, shown with their country on their page, their records' pages and exports."""

import csv
import io

from techtransfer.catalog import services as catalog
from techtransfer.orgs.models import Organization
from tests.catalog.factories import achievement_data
from tests.conftest import WUHUA


def _foreign(client):
    return client.post(
        "/api/v1/organizations",
        {
            "name": "德国弗劳恩霍夫电池研究所",
            "name_en": "Fraunhofer Battery Institute",
            "kind": "institute",
            "region": WUHUA,
            "country": "de",
            "description": "电池研究",
            "description_en": "Battery research.",
        },
        content_type="application/json",
    )


def test_foreign_organization_created_through_the_api_with_country_and_english(client_for, world):
    r = _foreign(client_for(world.wuhua_admin))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["country"] == "DE" and body["credit_code"] is None
    assert body["name_en"] == "Fraunhofer Battery Institute" and body["description_en"] == "Battery research."
    org = Organization.objects.get(pk=body["id"])
    assert org.country_id == "DE"
    r = client_for(world.wuhua_admin).patch(
        f"/api/v1/organizations/{org.pk}", {"description_en": "Cells."}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["description_en"] == "Cells."


def test_unknown_country_is_a_4xx_naming_the_field(client_for, world):
    c = client_for(world.wuhua_admin)
    r = c.post(
        "/api/v1/organizations",
        {"name": "无名境外机构", "kind": "enterprise", "region": WUHUA, "country": "ZZ"},
        content_type="application/json",
    )
    assert r.status_code in (400, 422) and r.json()["field"] == "country"
    assert not Organization.objects.filter(name="无名境外机构").exists()
    r = c.post(
        "/api/v1/organizations",
        {"name": "无代码国内机构", "kind": "enterprise", "region": WUHUA},
        content_type="application/json",
    )
    assert r.status_code in (400, 422)  # a domestic organization still needs its credit code


def test_foreign_organization_page_record_page_and_export_show_the_country(client_for, world, make_org):
    org = make_org(
        "德国弗劳恩霍夫电池研究所",
        credit_code=None,
        country_id="DE",
        name_en="Fraunhofer Battery Institute",
        description_en="Battery research in Germany.",
    )
    Organization.objects.filter(pk=org.pk).update(credit_code=None)
    html = client_for(world.visitor).get(f"/organizations/{org.pk}/").content.decode()
    assert 'data-testid="country"' in html and "DE" in html
    assert "Fraunhofer Battery Institute" in html and "Battery research in Germany." in html
    ach = catalog.create_achievement(world.platform_admin, org, achievement_data(title="固态电池电解质"))
    html = client_for(world.platform_admin).get(f"/catalog/achievements/{ach.pk}/").content.decode()
    assert 'data-testid="owner-country"' in html
    r = client_for(world.platform_admin).get("/api/v1/organizations/export")
    rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    assert next(r for r in rows if r["id"] == str(org.pk))["country"] == "DE"


def test_back_office_offers_a_country_picker(client_for, world):
    world.platform_admin.is_staff = True
    world.platform_admin.save()
    html = client_for(world.platform_admin).get("/admin/orgs/organization/add/").content.decode()
    assert '<select name="country"' in html and 'name="description_en"' in html
