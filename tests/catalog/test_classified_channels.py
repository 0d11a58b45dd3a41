"""Controlled dual-use records (军民两用) are invisible — titles included — through every channel to anyone without
access; restricted records reach members of approved units; a grantee sees a controlled record while the grant is
valid, not after expiry or revocation; the owner always does."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.catalog import browse, dualuse, packages
from techtransfer.catalog import services as catalog
from techtransfer.catalog.classified import AccessGrant, ControlledView, GrantStatus
from techtransfer.catalog.figures import headline_figures
from techtransfer.catalog.models import Achievement, Demand, Status
from techtransfer.core.errors import Conflict
from techtransfer.matching import services as matching
from techtransfer.matching import subscriptions as subs
from techtransfer.notifications.models import Notification
from tests.catalog.factories import achievement_data, advance, demand_data
from tests.conftest import PANLONG, QILIN

CONTROLLED = "北斗抗干扰导航芯片"
RESTRICTED = "舰载导航雷达吸波材料"
PUBLIC = "民用导航定位模组"


@pytest.fixture
def du(world, make_user, make_org, isolated_index):
    """A public, a restricted and a controlled published achievement of 五华; an approved unit's member, an
    outsider of another organization, a secrecy officer of the owner and a grantee."""

    class D:
        pass

    d = D()

    def publish(title, level, field="05"):
        ach = catalog.create_achievement(world.member, world.wuhua_org, achievement_data(
            title=title, keywords=["导航", "芯片"], abstract=f"{title}：导航抗干扰技术。", tech_field_id=field,
            classification=level))
        return advance(world, ach, Status.PUBLISHED)

    d.public = publish(PUBLIC, "public")
    d.restricted = publish(RESTRICTED, "restricted", "07")
    d.controlled = publish(CONTROLLED, "controlled", "07")
    d.demand = advance(world, catalog.create_demand(world.member, world.wuhua_org, demand_data(
        title="受控导航需求", classification="controlled")), Status.PUBLISHED)
    approved = make_org("盘龙军民融合研究院", region=PANLONG, dual_use_approved=True)
    d.approved_member = make_user("approved_member", Role.ORG_MEMBER, org=approved)
    d.outsider = make_user("outsider", Role.ORG_MEMBER, org=world.panlong_org)
    d.officer = make_user("officer", Role.SECRECY_OFFICER, org=world.wuhua_org)
    d.grantee = make_user("grantee", Role.ORG_MEMBER, org=make_org("麒麟用户单位", region=QILIN))
    today = timezone.localdate()
    d.grant = AccessGrant.objects.create(user=d.grantee, achievement=d.controlled, purpose="评估",
                                         status=GrantStatus.APPROVED, valid_from=today,
                                         valid_until=today + datetime.timedelta(days=30))
    return d


def readers(world, d):
    """(user, sees restricted, sees controlled) for every kind of reader."""
    return [
        (None, False, False),
        (world.visitor, False, False),
        (d.outsider, False, False),
        (d.approved_member, True, False),
        (d.grantee, False, True),
        (world.member, True, True),
        (d.officer, True, True),
        (world.wuhua_admin, True, True),
    ]


def test_public_q_and_is_public_exclude_marked_records(du):
    public = set(Achievement.objects.filter(Achievement.public_q()).values_list("pk", flat=True))
    assert du.public.pk in public and du.restricted.pk not in public and du.controlled.pk not in public
    assert du.public.is_public and not du.restricted.is_public and not du.controlled.is_public
    assert not Demand.objects.filter(Demand.public_q(), pk=du.demand.pk).exists()


def test_visible_and_can_view_per_reader(world, du):
    for user, restricted, controlled in readers(world, du):
        visible = set(permissions.visible(user, Achievement.objects.all()).values_list("pk", flat=True))
        assert (du.restricted.pk in visible) is restricted, user
        assert (du.controlled.pk in visible) is controlled, user
        assert du.public.pk in visible
        assert permissions.can_view(user, du.controlled) is controlled, user
        assert permissions.can_view(user, du.restricted) is restricted, user


def test_grant_expiry_and_revocation_end_access(world, du):
    assert permissions.can_view(du.grantee, du.controlled)
    du.grant.valid_until = timezone.localdate() - datetime.timedelta(days=1)
    du.grant.valid_from = du.grant.valid_until - datetime.timedelta(days=5)
    du.grant.save()
    permissions.forget(du.grantee)
    assert not permissions.can_view(du.grantee, du.controlled)
    du.grant.valid_until = timezone.localdate() + datetime.timedelta(days=3)
    du.grant.save()
    assert permissions.can_view(du.grantee, du.controlled)
    dualuse.revoke_grant(du.officer, du.grant, "项目结束")
    assert not permissions.can_view(du.grantee, du.controlled)


def test_category_grant_opens_the_field_in_the_region(world, du, make_user):
    user = make_user("category_user")
    today = timezone.localdate()
    AccessGrant.objects.create(user=user, tech_field_id="07", region_id="530100", purpose="x",
                               status=GrantStatus.APPROVED, valid_until=today)
    assert permissions.can_view(user, du.controlled)
    assert not permissions.can_view(user, du.restricted)  # a grant opens controlled records only
    other = make_user("category_elsewhere")
    AccessGrant.objects.create(user=other, tech_field_id="07", region_id="530300", purpose="x",
                               status=GrantStatus.APPROVED, valid_until=today)
    assert not permissions.can_view(other, du.controlled)


def test_pages_lists_detail_org_page_and_home(world, du, client_for):
    for user, restricted, controlled in readers(world, du):
        c = client_for(user)
        listing = c.get("/catalog/achievements/").content.decode()
        assert (CONTROLLED in listing) is controlled, user
        assert (RESTRICTED in listing) is restricted, user
        assert PUBLIC in listing
        detail = c.get(f"/catalog/achievements/{du.controlled.pk}/")
        assert detail.status_code == (200 if controlled else 404), user
        if not controlled:
            assert CONTROLLED not in detail.content.decode()
        assert c.get(f"/catalog/demands/{du.demand.pk}/").status_code == (200 if controlled and user != du.grantee
                                                                          else 404), user
        org_page = c.get(f"/orgs/{world.wuhua_org.pk}/").content.decode()
        if not controlled:
            assert CONTROLLED not in org_page
    figures = {f["key"]: f["value"] for f in headline_figures()}
    assert figures["achievements"] == 1 and figures["demands"] == 0
    home = client_for(None).get("/").content.decode()
    assert CONTROLLED not in home


def test_packages_take_public_achievements_only(world, du):
    pkg = packages.create_package(world.wuhua_admin, "530102", "07", "导航包")
    with pytest.raises(Conflict):
        packages.add_to_package(world.wuhua_admin, pkg, du.controlled)
    with pytest.raises(Conflict):
        packages.add_to_package(world.wuhua_admin, pkg, du.restricted)
    # Raised after it joined a package: the package no longer shows it.
    pkg2 = packages.create_package(world.wuhua_admin, "530102", "05", "民用包")
    packages.add_to_package(world.wuhua_admin, pkg2, du.public)
    dualuse.raise_level(world.member, du.public, "controlled", "转为受控")
    assert packages.package_contents(pkg2) == []


def test_api_list_detail_and_facets(world, du, client_for):
    for user, restricted, controlled in readers(world, du):
        c = client_for(user)
        body = c.get("/api/v1/catalog/achievements?facets=true").json()
        titles = {i["title"] for i in body["items"]}
        assert (CONTROLLED in titles) is controlled, user
        assert (RESTRICTED in titles) is restricted, user
        expected_07 = int(restricted) + int(controlled)
        assert body["facets"]["tech_field"].get("07", 0) == expected_07, user
        r = c.get(f"/api/v1/catalog/achievements/{du.controlled.pk}")
        assert r.status_code == (200 if controlled else 404), user
        if not controlled:
            assert CONTROLLED not in r.content.decode()


def test_search_and_its_facets(world, du, client_for):
    for user in (None, world.visitor, du.outsider):
        res = matching.search(user, "导航", kinds=["achievement"], mode="lexical")
        titles = {h.title for h in res.hits}
        assert PUBLIC in titles and CONTROLLED not in titles and RESTRICTED not in titles
        assert res.total == 1
        assert "07" not in str(res.facets.get("field", {}))
        api = client_for(user).get("/api/v1/matching/search", {"q": "导航", "kinds": "achievement",
                                                                "mode": "lexical"})
        assert CONTROLLED not in api.content.decode() and api.json()["total"] == 1
    owner = matching.search(world.member, "导航", kinds=["achievement"], mode="lexical")
    assert CONTROLLED in {h.title for h in owner.hits}


def test_recommendations_do_not_show_controlled_records(world, du):
    demand = advance(world, catalog.create_demand(world.member, world.wuhua_org, demand_data(
        title="导航芯片抗干扰需求", problem="需要导航芯片抗干扰方案", keywords=["导航", "芯片"], tech_field_id="07")),
        Status.PUBLISHED)
    for user in (None, du.outsider, du.approved_member):
        titles = {h.title for h in matching.recommend_for_demand(user, demand)["achievements"]}
        assert CONTROLLED not in titles, user
    owner_titles = {h.title for h in matching.recommend_for_demand(world.member, demand)["achievements"]}
    assert CONTROLLED in owner_titles  # the same query finds it for those who may see it
    similar = matching.similar(du.outsider, "achievement", du.public.pk)
    assert CONTROLLED not in {h.title for h in similar}


def test_exports_command_and_api(world, du, client_for, tmp_path):
    out = tmp_path / "a.csv"
    call_command("export", "achievements", str(out), stdout=io.StringIO(), stderr=io.StringIO())
    text = out.read_text(encoding="utf-8-sig")
    assert PUBLIC in text and CONTROLLED not in text and RESTRICTED not in text
    out2 = tmp_path / "b.csv"
    call_command("export", "achievements", str(out2), "--user", "grantee", stdout=io.StringIO(),
                 stderr=io.StringIO())
    assert CONTROLLED in out2.read_text(encoding="utf-8-sig")
    assert ControlledView.objects.filter(user=du.grantee, channel="export", achievement=du.controlled).count() == 1
    for user, _restricted, controlled in readers(world, du):
        body = b"".join(client_for(user).get("/api/v1/catalog/achievements/export?format=csv").streaming_content)
        assert (CONTROLLED in body.decode("utf-8-sig")) is controlled, user


def test_saved_search_notifications_skip_marked_records(world, du, django_capture_on_commit_callbacks):
    subs.save_search(world.visitor, "nav", query="导航", kinds=["achievement"])
    subs.save_search(du.outsider, "nav", query="导航", kinds=["achievement"])
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        advance(world, catalog.create_achievement(world.member, world.wuhua_org, achievement_data(
            title="新受控导航组件", keywords=["导航"], classification="controlled")), Status.PUBLISHED)
    assert subs.notify_for(du.controlled) == 0
    assert not Notification.objects.filter(title__contains="受控").exists()


def test_trading_refuses_and_hides_marked_achievements(world, du):
    from techtransfer.trading.models import Listing
    from techtransfer.trading.services.lots import check_offerable

    with pytest.raises(Conflict):
        check_offerable(world.org_admin, du.controlled)
    now = timezone.now()
    listing = Listing.objects.create(achievement=du.controlled, seller=world.wuhua_org, region_id="530102",
                                     price="100.00", transfer_mode="transfer", starts_at=now,
                                     ends_at=now + datetime.timedelta(days=30), created_by=world.org_admin)
    assert not permissions.visible(world.visitor, Listing.objects.all()).filter(pk=listing.pk).exists()
    assert permissions.visible(world.org_admin, Listing.objects.all()).filter(pk=listing.pk).exists()


def test_nda_request_on_a_controlled_record_needs_sight_of_it(world, du):
    from techtransfer.core.errors import NotFound

    with pytest.raises(NotFound):
        catalog.request_nda(du.outsider, du.controlled, "看看")
    assert catalog.request_nda(du.grantee, du.controlled, "评估").pk


def test_text_query_of_lists_api_and_exports_through_the_engine(world, du, client_for):
    """The lists' ``q`` goes through the search engine (public records) plus the reader's own extra-visible set
    from the database: each reader finds by text exactly the marked records it may see."""
    for user, restricted, controlled in readers(world, du):
        assert browse.find(user, Achievement, browse.Filters(q="导航")).engine, user
        c = client_for(user)
        page = c.get("/catalog/achievements/", {"q": "导航"})
        titles = {r.title for r in page.context["records"]}
        api = c.get("/api/v1/catalog/achievements", {"q": "导航", "facets": "true"}).json()
        response = c.get("/catalog/achievements/export/", {"q": "导航", "format": "csv"})
        export = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
        for seen in (titles, {i["title"] for i in api["items"]}):
            assert PUBLIC in seen, user
            assert (RESTRICTED in seen) is restricted, user
            assert (CONTROLLED in seen) is controlled, user
        assert (RESTRICTED in export) is restricted and (CONTROLLED in export) is controlled, user
        assert api["count"] == 1 + int(restricted) + int(controlled), user
        assert api["facets"]["tech_field"].get("07", 0) == int(restricted) + int(controlled), user
        assert CONTROLLED not in page.content.decode() or controlled, user
