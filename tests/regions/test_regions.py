import pytest

from techtransfer.regions import services
from techtransfer.regions.models import Region


@pytest.mark.django_db
def test_full_table_is_loaded_by_migrations():
    assert Region.objects.filter(tier="province").count() == 34
    assert Region.objects.filter(tier="city").count() >= 330
    assert Region.objects.filter(tier="county").count() >= 2800
    yunnan = Region.objects.get(code="530000")
    assert yunnan.name == "云南省"
    assert Region.objects.get(code="530102").parent_id == "530100"
    # Municipal districts and province-administered county-level cities hang directly under the province.
    assert Region.objects.get(code="110101").parent_id == "110000"
    assert Region.objects.get(code="429004").parent.parent_id == "420000"


@pytest.mark.parametrize(
    ("inner", "outer", "expected"),
    [
        ("530102", "530000", True),
        ("530102", "530100", True),
        ("530102", "530102", True),
        ("530102", "530103", False),
        ("530302", "530100", False),
        ("530100", "530000", True),
        ("530000", "530100", False),
        ("429004", "420000", True),
        ("429004", "420100", False),
        ("429004", "429000", True),
        ("110101", "110000", True),
        ("520102", "530000", False),
    ],
)
def test_is_within(inner, outer, expected):
    assert services.is_within(inner, outer) is expected


def test_tier_path():
    assert services.tier_path("530102") == ["530000", "530100", "530102"]
    assert services.tier_path("530100") == ["530000", "530100"]
    assert services.tier_path("110101") == ["110000", "110101"]
    assert services.tier_of("530000") == "province"


@pytest.mark.parametrize("bad", ["53010", "5301020", "53a102", "", None])
def test_bad_codes_are_refused_with_a_message(bad):
    with pytest.raises(services.RegionError, match="six digits"):
        services.scope_prefix(bad)


@pytest.mark.django_db
def test_region_api(client):
    r = client.get("/api/v1/regions", {"parent": "530000"})
    assert r.status_code == 200
    codes = [x["code"] for x in r.json()]
    assert "530100" in codes and "530300" in codes and all(c.startswith("53") for c in codes)
    r = client.get("/api/v1/regions/530102/path")
    assert [x["code"] for x in r.json()] == ["530000", "530100", "530102"]
    r = client.get("/api/v1/regions", {"within": "53x"})
    assert r.status_code == 400
    assert r.json()["field"] == "within"
    assert client.get("/api/v1/regions/999999").status_code == 404
