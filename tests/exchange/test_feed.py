"""The change feed: what it publishes (a visitor's view only), tombstones, idempotent refreshes, keeping current
through the outbox and model signals, and the rebuild."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from techtransfer.catalog import workflow
from techtransfer.catalog.models import Achievement, Classification, Demand, Status
from techtransfer.exchange.models import FeedEntry
from techtransfer.exchange.services import feed
from techtransfer.exchange.services.keys import identity
from techtransfer.orgs.models import Organization, Verification
from tests.catalog.conftest import make_achievement, make_demand  # noqa: F401  (fixtures)
from tests.catalog.factories import CONTACT_PHONE, SECRET
from tests.contracts.conftest import cw  # noqa: F401  (fixture)
from tests.exchange.feedkit import every_kind, latest, read_all
from tests.trading.conftest import tw  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def gid(kind, pk) -> str:
    return f"{identity().instance_id}/{kind}/{pk}"


def entry(kind, pk) -> FeedEntry | None:
    return FeedEntry.objects.filter(kind=kind, local_id=str(pk)).first()


def test_every_kind_is_published_valid_and_only_its_public_parts(tw, cw, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        made = every_kind(tw, cw)
    items, _cursor = read_all()  # every page validated against the schema and its signature checked
    kinds = {i["kind"] for i in items if not i["deleted"]}
    assert kinds == {"achievement", "organization", "expert", "broker", "listing", "auction", "deal", "statistics"}
    by_id = latest(items)
    ach = by_id[gid("achievement", made["achievement"].pk)]["record"]
    assert ach["title"] == {"zh-Hans": made["achievement"].title, "en": "High-safety cathode material"}
    assert ach["patent_numbers"] == ["ZL202110123456.7"]
    assert ach["owner"]["credit_code"] == tw.seller.credit_code
    assert ach["owner"]["id"] == gid("organization", tw.seller.pk)
    assert by_id[gid("expert", made["expert"].pk)]["record"]["title"]["zh-Hans"] == "张专家"
    statistics = [i["record"] for i in items if i["kind"] == "statistics" and not i["deleted"]]
    assert {r["region"]["code"] for r in statistics} == {"530102", "530100", "530000"}
    county = next(r for r in statistics if r["region"]["code"] == "530102")
    assert county["totals"]["count"] == 1 and county["totals"]["contract_amount"] == "1000000.00"
    assert county["by_category"][0]["category"] == {"list": "techtransfer-contract-category", "code": "development"}
    # Nothing a visitor may not read: protected details, contacts of organizations and people, deposits' payers.
    text = json.dumps(items, ensure_ascii=False)
    for secret in (
        SECRET,
        "contact@example.cn",
        "0871-12345678",
        "联系人",
        "zhang@example.cn",
        "13800000000",
        "li@example.cn",
    ):
        assert secret not in text
    auction = by_id[gid("auction", made["auction"].pk)]["record"]
    assert not {"leader_org", "leader_user", "reserve_price", "bids", "intents"} & set(auction)
    listing = by_id[gid("listing", made["listing"].pk)]["record"]
    assert not {"intents", "buyers", "deposit_status"} & set(listing)


def test_demand_contacts_never_leave(make_demand, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        demand = make_demand(Status.PUBLISHED)
        demand.title_en, demand.problem_en = "Fresh-keeping", "Losses in transport"
        demand.save()
    record = entry("demand", demand.pk).data
    assert record["problem"]["en"] == "Losses in transport"
    text = json.dumps(read_all()[0], ensure_ascii=False)
    assert CONTACT_PHONE not in text and "李经理" not in text


def test_unpublished_records_are_not_in_the_feed_and_leave_no_tombstone(
    make_achievement, world, django_capture_on_commit_callbacks  # noqa: F811
):
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_achievement(Status.SUBMITTED)
    assert entry("achievement", draft.pk) is None
    assert feed.refresh("achievement", [draft.pk]) == 0
    assert entry("organization", world.wuhua_pending.pk) is None  # not verified: not public
    assert feed.refresh("organization", [world.wuhua_pending.pk]) == 0


def test_withdrawal_and_deletion_become_tombstones(make_achievement, world, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        ach = make_achievement(Status.PUBLISHED)
    published = entry("achievement", ach.pk)
    assert not published.deleted
    _items, cursor = read_all()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw(world.org_admin, Achievement.objects.get(pk=ach.pk), "不再转让")
    withdrawn = entry("achievement", ach.pk)
    assert withdrawn.deleted and withdrawn.data is None and withdrawn.seq > published.seq
    items, cursor = read_all(cursor)
    assert [(i["id"], i["deleted"], i["record"]) for i in items if i["kind"] == "achievement"] == [
        (gid("achievement", ach.pk), True, None)
    ]
    # Deleting an organization that was in the feed leaves its tombstone too.
    org = world.panlong_org
    assert not entry("organization", org.pk).deleted if entry("organization", org.pk) else True
    feed.refresh("organization", [org.pk])
    with django_capture_on_commit_callbacks(execute=True):
        Organization.objects.filter(pk=org.pk).delete()
    assert entry("organization", org.pk).deleted
    items, _ = read_all(cursor)
    assert (gid("organization", org.pk), True) in [(i["id"], i["deleted"]) for i in items]


def test_refresh_is_idempotent(make_achievement, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        ach = make_achievement(Status.PUBLISHED)
    before = entry("achievement", ach.pk)
    assert feed.refresh("achievement", [ach.pk, ach.pk]) == 0
    assert feed.rebuild() == 0  # everything already current: nothing changes, no number is taken
    after = entry("achievement", ach.pk)
    assert (after.seq, after.digest) == (before.seq, before.digest)
    Achievement.objects.filter(pk=ach.pk).update(abstract="新的摘要")
    assert feed.refresh("achievement", [ach.pk]) == 1
    assert entry("achievement", ach.pk).seq > before.seq
    assert entry("achievement", ach.pk).data["abstract"]["zh-Hans"] == "新的摘要"
    assert feed.refresh("achievement", [ach.pk]) == 0


@pytest.mark.parametrize("model_name", ["achievement", "demand"])
@pytest.mark.parametrize("marking", [Classification.CONTROLLED, Classification.RESTRICTED])
def test_restricted_and_controlled_records_are_tombstones(
    model_name, marking, make_achievement, make_demand, django_capture_on_commit_callbacks  # noqa: F811
):
    make = make_achievement if model_name == "achievement" else make_demand
    model = Achievement if model_name == "achievement" else Demand
    with django_capture_on_commit_callbacks(execute=True):
        record = make(Status.PUBLISHED)
    assert not entry(model_name, record.pk).deleted
    title = record.title
    _items, cursor = read_all()
    with django_capture_on_commit_callbacks(execute=True):
        obj = model.objects.get(pk=record.pk)
        obj.classification = marking
        obj.save()
    assert entry(model_name, record.pk).deleted
    items, _ = read_all(cursor)
    assert [i["deleted"] for i in items if i["id"] == gid(model_name, record.pk)] == [True]
    assert title not in json.dumps([i for i in read_all()[0] if i["kind"] == model_name], ensure_ascii=False)


def test_market_records_of_a_controlled_achievement_are_withdrawn(tw, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        listing = tw.listing()
    assert not entry("listing", listing.pk).deleted
    with django_capture_on_commit_callbacks(execute=True):
        ach = Achievement.objects.get(pk=listing.achievement_id)
        ach.classification = Classification.CONTROLLED
        ach.save()
    assert entry("listing", listing.pk).deleted
    assert entry("achievement", ach.pk).deleted


def test_organization_changes_follow_through_signals(world, django_capture_on_commit_callbacks):
    org = world.wuhua_pending
    with django_capture_on_commit_callbacks(execute=True):
        Organization.objects.filter(pk=org.pk)  # nothing yet
        org.verification = Verification.VERIFIED
        org.name_en = "Wuhua Pending Ltd"
        org.save()
    record = entry("organization", org.pk).data
    assert record["title"] == {"zh-Hans": org.name, "en": "Wuhua Pending Ltd"}
    assert "contact_phone" not in record and "0871-12345678" not in json.dumps(record)


def test_rebuild_publishes_what_the_signals_missed_with_progress(make_achievement, capsys):  # noqa: F811
    ach = make_achievement(Status.PUBLISHED)  # on-commit callbacks not run: the feed has not heard of it
    assert entry("achievement", ach.pk) is None
    call_command("exchange", "rebuild-feed")
    out = capsys.readouterr().out
    assert "achievement: 1/1 read, 1 changed" in out and "feed rebuilt" in out
    assert not entry("achievement", ach.pk).deleted
    call_command("exchange", "rebuild-feed")
    assert "feed rebuilt: 0 entries changed" in capsys.readouterr().out


def test_statistics_follow_registered_contracts(cw, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        first = cw.certified()
    year = first.events.first().effective_on.year
    county = entry("statistics", f"530102-{year}")
    assert county.data["totals"]["count"] == 1 and county.data["totals"]["contract_amount"] == "1000000.00"
    assert entry("statistics", f"530000-{year}").data["totals"] == county.data["totals"]
    assert entry("statistics", f"530300-{year}") is None  # no seller in 曲靖市
    with django_capture_on_commit_callbacks(execute=True):
        cw.certified(name="第二份合同", contract_amount="500000.00",
                     payments=[{"due_on": first.term_end, "amount": "500000.00", "note": "验收后"}])
    after = entry("statistics", f"530102-{year}")
    assert after.seq > county.seq
    assert after.data["totals"]["count"] == 2 and after.data["totals"]["contract_amount"] == "1500000.00"
    assert feed.refresh("statistics", [f"530102-{year}", f"530100-{year}", f"530000-{year}"]) == 0
