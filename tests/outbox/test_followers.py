"""Followers of the change log (issue 15's per-host indexers build on this): every event once per follower, in id
order, with the stored position kept below a gap that may still fill."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from techtransfer.outbox.models import Cursor, Event
from techtransfer.outbox.services import GAP_SECONDS, Follower, Unregistered


def _event(topic="catalog.record_changed", age: float = 0.0, **kw) -> Event:
    event = Event.objects.create(topic=topic, payload={}, **kw)
    if age:
        Event.objects.filter(pk=event.pk).update(created_at=timezone.now() - datetime.timedelta(seconds=age))
    return event


def _registered(name: str, **kw) -> Follower:
    """A follower registered after an old event (the ids after it are then consecutive, on any database)."""
    anchor = _event(age=GAP_SECONDS + 10)
    follower = Follower(name, **kw)
    assert follower.register() == anchor.pk
    return follower


def test_a_new_follower_starts_at_the_end_of_the_log_less_what_may_still_commit(db):
    old = _event(age=GAP_SECONDS + 10)
    recent = _event()
    follower = Follower("host-a")
    assert follower.register() == old.pk
    applied = []
    follower.poll(applied.extend)
    assert [e.pk for e in applied] == [recent.pk]
    assert Cursor.objects.get(name="host-a").position == recent.pk
    assert follower.poll(applied.extend) == 0 and len(applied) == 1


def test_a_gap_holds_the_position_until_it_fills_or_ages(db):
    follower = _registered("host-a")
    first, missing, third = _event(), _event(), _event()
    late_id = missing.pk
    missing.delete()  # as if its transaction had not committed yet
    applied = []
    assert follower.poll(applied.extend) == 2
    assert [e.pk for e in applied] == [first.pk, third.pk]
    assert Cursor.objects.get(name="host-a").position == first.pk  # not past the gap
    assert follower.poll(applied.extend) == 0  # the third is not applied twice

    _event(id=late_id)  # the transaction commits after all
    assert follower.poll(applied.extend) == 1 and applied[-1].pk == late_id
    assert Cursor.objects.get(name="host-a").position == third.pk


def test_an_old_gap_is_a_rolled_back_transaction(db):
    follower = _registered("host-a")
    first, missing, third = _event(), _event(), _event()
    missing.delete()
    follower.poll(lambda events: None)
    assert Cursor.objects.get(name="host-a").position == first.pk
    later = timezone.now() + datetime.timedelta(seconds=GAP_SECONDS + 1)
    follower.poll(lambda events: None, now=later)
    assert Cursor.objects.get(name="host-a").position == third.pk


def test_a_follower_applies_its_topics_and_moves_past_the_others(db):
    follower = _registered("host-a", topics=["catalog.record_changed"])
    mine, other = _event(), _event(topic="tests.other")
    applied = []
    follower.poll(applied.extend)
    assert [e.pk for e in applied] == [mine.pk]
    assert Cursor.objects.get(name="host-a").position == other.pk


def test_each_follower_sees_every_event(db):
    a, b = Follower("host-a"), Follower("host-b")
    a.register()
    b.register()
    event = _event()
    seen_a, seen_b = [], []
    a.poll(seen_a.extend)
    b.poll(seen_b.extend)
    assert [e.pk for e in seen_a] == [e.pk for e in seen_b] == [event.pk]


def test_a_follower_that_must_rebuild_is_told_when_its_cursor_is_gone(db):
    follower = _registered("host-a", register_if_missing=False)
    _event()
    follower.poll(lambda events: None)
    Cursor.objects.filter(name="host-a").delete()  # an operator removed the host
    with pytest.raises(Unregistered):
        follower.poll(lambda events: None)
    assert not Cursor.objects.exists()


def test_a_follower_registers_from_a_given_time(db):
    before = _event(age=GAP_SECONDS + 300)
    after = _event(age=GAP_SECONDS + 100)
    follower = Follower("host-a")
    assert follower.register(since=timezone.now() - datetime.timedelta(seconds=200)) == before.pk
    applied = []
    follower.poll(applied.extend)
    assert [e.pk for e in applied] == [after.pk]
