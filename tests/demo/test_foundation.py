"""The foundation part of the demo: a realistic province, loaded once, every record marked as demo data.

The whole demo is loaded once for the module (``demo_loaded``) and rolled back after it."""

from collections import Counter

import pytest
from django.test import Client

from techtransfer.accounts.models import Role, RoleAssignment, User
from techtransfer.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_USERS
from techtransfer.demo.models import DemoPart
from techtransfer.demo.services import load_demo
from techtransfer.orgs import creditcode
from techtransfer.orgs.models import CreditRecord, DemoLevel, Organization, OrgKind
from techtransfer.people.models import BrokerLevel, BrokerProfile, ExpertProfile, Person
from techtransfer.regions.models import Region

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Organization, CreditRecord, Person, BrokerProfile, ExpertProfile, User, RoleAssignment, DemoPart)
    }


def test_loading_twice_changes_nothing(demo_loaded):
    assert demo_loaded is True  # the module's one load (tests/conftest.py) found an empty database
    first = counts()
    assert load_demo() is False
    assert counts() == first
    assert DemoPart.objects.filter(name="foundation").exists()


def test_province_spread_kinds_and_people(demo_loaded):
    orgs = Organization.objects.filter(is_demo=True).select_related("region")
    assert 250 <= orgs.count() <= 350
    kinds = Counter(o.kind for o in orgs)
    assert set(kinds) == set(OrgKind.values)
    assert kinds.most_common(1)[0][0] == OrgKind.ENTERPRISE

    def city_of(region: Region) -> str:
        return region.code if region.tier == "city" else region.parent_id

    by_city = Counter(city_of(o.region) for o in orgs if o.region.tier != "province")
    assert len(by_city) >= 6 and all(code.startswith("53") for code in by_city)
    counties = {o.region_id for o in orgs if o.region.tier == "county"}
    assert len(counties) >= 18
    points = [o for o in orgs if o.kind == OrgKind.REGISTRATION_POINT and o.region.tier != "province"]
    point_cities = {city_of(o.region) for o in points}
    assert point_cities == set(by_city)

    levels = set(orgs.exclude(demo_level="").values_list("demo_level", flat=True))
    assert levels == {DemoLevel.NATIONAL, DemoLevel.PROVINCIAL, DemoLevel.MUNICIPAL}
    assert not orgs.exclude(demo_level="").filter(demo_year__isnull=True).exists()
    assert CreditRecord.objects.filter(organization__is_demo=True).count() >= 5
    assert {o.verification for o in orgs} == {"verified", "pending", "rejected"}
    # Every demo organization has an ownership (issue 12 item 9); public bodies are state-owned.
    assert not orgs.filter(ownership__isnull=True).exists()
    assert {o.ownership_id for o in orgs if o.kind == OrgKind.UNIVERSITY} == {"state"}
    assert {o.ownership_id for o in orgs if o.kind == OrgKind.ENTERPRISE} >= {"state", "private", "mixed", "foreign"}

    people = Person.objects.filter(is_demo=True)
    assert 550 <= people.count() <= 650
    assert not people.filter(organization=None).exists()
    assert people.filter(fields__isnull=False).distinct().count() == people.count()
    brokers = BrokerProfile.objects.filter(person__is_demo=True)
    assert brokers.count() >= 100
    assert set(brokers.values_list("level", flat=True)) == set(BrokerLevel.values)
    assert not brokers.filter(certificate_no="").exists()
    assert ExpertProfile.objects.filter(person__is_demo=True).exclude(specialties="").count() >= 80


def test_every_record_is_demo_and_every_credit_code_valid(demo_loaded):
    assert not Organization.objects.filter(is_demo=False).exists()
    assert not Person.objects.filter(is_demo=False).exists()
    assert not User.objects.filter(is_demo=False).exists()
    for code in Organization.objects.values_list("credit_code", flat=True):
        assert creditcode.validate(code) == code
    for org in Organization.objects.all()[:40]:
        org.full_clean()
    phones = Organization.objects.values_list("contact_phone", flat=True)
    assert all(p[:3] in ("087", "069") and p[5] == "6" for p in phones)
    assert all(e.endswith("@example.cn") for e in Organization.objects.values_list("contact_email", flat=True))


def test_every_role_has_a_demo_account_that_signs_in(demo_loaded):
    roles = set(RoleAssignment.objects.filter(user__is_demo=True).values_list("role", flat=True))
    assert roles == set(Role.values)
    assert [a[0] for a in DEMO_ACCOUNTS] == [u["username"] for u in DEMO_USERS]
    for username, _label, _scope in DEMO_ACCOUNTS:
        client = Client()
        response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.session.get("_auth_user_id") == str(User.objects.get(username=username).pk)
    assert Client().post("/accounts/login/", {"username": "visitor", "password": "wrong"}).status_code == 200


def test_account_scopes(demo_loaded):
    grant = {a.user.username: a for a in RoleAssignment.objects.select_related("user", "organization")}
    assert grant["province"].region_id == "530000"
    assert grant["kunming"].region_id == "530100"
    assert grant["wuhua"].region_id == "530102"
    assert grant["reviewer"].organization.kind == OrgKind.REGISTRATION_POINT
    assert grant["reviewer"].organization.region.parent_id == "530100"
    assert grant["uni_admin"].organization.kind == OrgKind.UNIVERSITY
    assert grant["ent_member"].organization.kind == OrgKind.ENTERPRISE
    staff = set(User.objects.filter(is_staff=True).values_list("username", flat=True))
    assert staff == {"platform", "province", "kunming", "wuhua"}
    assert User.objects.get(username="broker").person.broker.level
    assert User.objects.get(username="expert").person.expert.titles
    assert User.objects.get(username="uni_member").person.organization == grant["uni_member"].organization
