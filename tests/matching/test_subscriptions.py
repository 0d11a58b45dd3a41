"""Saved searches: validation, ownership, and a notification when a matching record is published."""

import pytest

from techtransfer.catalog import services as catalog
from techtransfer.catalog.models import Status
from techtransfer.core.errors import DomainError, Forbidden, NotFound
from techtransfer.matching import subscriptions as subs
from techtransfer.notifications.models import Notification
from tests.catalog.factories import achievement_data, advance


def test_publish_notifies_matching_subscription_once(world, django_capture_on_commit_callbacks):
    hit = subs.save_search(world.visitor, "batteries", query="正极材料", kinds=["achievement"])
    miss = subs.save_search(world.panlong_admin, "fruit", query="保鲜", kinds=["achievement"])
    ach = catalog.create_achievement(world.member, world.wuhua_org, achievement_data())
    with django_capture_on_commit_callbacks(execute=True):
        advance(world, ach, Status.PUBLISHED)
    notes = list(Notification.objects.all())
    assert [n.user_id for n in notes] == [world.visitor.pk]
    assert notes[0].url == f"/matching/achievement/{ach.pk}/"
    assert hit.name in notes[0].title and not notes[0].read
    assert subs.notify_for(ach) == 0  # no duplicate
    assert miss.user.notifications.count() == 0
    assert subs.mark_read(world.visitor) == 1
    assert subs.notifications_for(world.visitor, unread_only=True).count() == 0


def test_unpublished_record_does_not_notify(world):
    subs.save_search(world.visitor, "batteries", query="正极材料")
    ach = catalog.create_achievement(world.member, world.wuhua_org, achievement_data())
    assert subs.notify_for(ach) == 0
    assert Notification.objects.count() == 0


def test_filters_restrict_matches(world):
    subs.save_search(world.visitor, "field 09", query="正极材料", filters={"field": "09"})
    subs.save_search(world.member, "trl 7+", query="", filters={"trl_min": 7})
    ach = advance(world, catalog.create_achievement(world.member, world.wuhua_org, achievement_data()),
                  Status.PUBLISHED)
    Notification.objects.all().delete()
    assert subs.notify_for(ach) == 0


def test_validation_and_ownership(world):
    with pytest.raises(DomainError) as e:
        subs.save_search(world.visitor, "", query="x")
    assert e.value.field == "name"
    with pytest.raises(DomainError) as e:
        subs.save_search(world.visitor, "x", query="y", kinds=["spaceship"])
    assert e.value.field == "kinds"
    with pytest.raises(Forbidden):
        subs.save_search(None, "x", query="y")
    s = subs.save_search(world.visitor, "mine", query="y")
    with pytest.raises(NotFound):
        subs.update_search(world.member, s.pk, name="stolen")
    with pytest.raises(NotFound):
        subs.delete_search(world.member, s.pk)
    assert subs.update_search(world.visitor, s.pk, name="renamed").name == "renamed"
    subs.delete_search(world.visitor, s.pk)
    assert not world.visitor.saved_searches.exists()


def test_saved_search_filters_are_checked_by_the_engine(world):
    with pytest.raises(DomainError) as e:
        subs.save_search(world.visitor, "bad", query="电池", filters={"trl_min": 42})
    assert e.value.field == "trl_min"
    with pytest.raises(DomainError) as e:
        subs.save_search(world.visitor, "bad", query="电池", filters={"region": "000001"})
    assert e.value.field == "region"
    ok = subs.save_search(world.visitor, "ok", query="电池", filters={"region": "530100", "trl_min": 3, "field": ""})
    assert ok.filters == {"region": "530100", "trl_min": 3}
