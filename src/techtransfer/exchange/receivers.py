"""Keeping the change feed up to date (outbox handlers and model signals): see ``services.feed``.

- ``catalog.record_changed`` (achievements and demands through their workflow, imports): refresh them.
- ``contracts.changed`` (certification, amendment, cancellation): refresh the statistics records of the contract's
  seller region (and the regions above it) in the years of its events.
- Organizations, people and their profiles, IP items, listings, auctions and deals are followed through Django's
  model signals, which publish ``exchange.refresh`` (``{"kind", "ids"}``) in the writer's transaction, so that
  the refresh runs on the task queue at least once after the commit (the pattern of ``matching.receivers``).

Every handler re-reads the records: ``feed.refresh`` is idempotent and takes a number only for a real change.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from techtransfer.catalog import signals as catalog_signals
from techtransfer.catalog.models import Achievement, Demand, IPItem
from techtransfer.contracts.models import TechContract
from techtransfer.contracts.services.events import CHANGED as CONTRACTS_CHANGED
from techtransfer.orgs.models import Organization
from techtransfer.outbox import registry
from techtransfer.outbox import services as outbox
from techtransfer.people.models import BrokerProfile, ExpertProfile, Person
from techtransfer.trading.models import Auction, Deal, Listing

from .services import feed, serialize

REFRESH = "exchange.refresh"  # payload {"kind": one of format.KINDS, "ids": [local ids]}
CATALOG_KINDS = {"catalog.achievement": "achievement", "catalog.demand": "demand"}


@registry.handler(catalog_signals.TOPIC, name="exchange.catalog_changed")
def on_catalog_change(delivery: registry.Delivery) -> int:
    kind = CATALOG_KINDS.get(delivery.payload.get("model", ""))
    if kind is None:
        return 0
    ids = [int(p) for p in delivery.payload.get("pks", [])]
    return feed.refresh(kind, ids) + _trading_of(ids)


@registry.handler(CONTRACTS_CHANGED, name="exchange.contracts_changed")
def on_contract_change(delivery: registry.Delivery) -> int:
    contract = TechContract.objects.filter(pk=delivery.payload.get("contract")).first()
    if contract is None:
        return 0
    return feed.refresh("statistics", serialize.stats_ids_of_contract(contract))


@registry.handler(REFRESH, name="exchange.refresh")
def on_refresh(delivery: registry.Delivery) -> int:
    kind, ids = delivery.payload.get("kind"), delivery.payload.get("ids", [])
    if kind not in serialize.SOURCES:
        return 0
    changed = feed.refresh(kind, ids)
    if kind == "organization":
        changed += _owned_by([int(i) for i in ids])
    elif kind == "achievement":
        changed += _trading_of([int(i) for i in ids])
    return changed


def _owned_by(org_ids: list[int]) -> int:
    """Records that carry an organization's name (as owner, seller or a person's organization) change with it."""
    changed = 0
    for kind, model, field in (
        ("achievement", Achievement, "owner_id"),
        ("demand", Demand, "owner_id"),
        ("listing", Listing, "seller_id"),
        ("auction", Auction, "seller_id"),
        ("deal", Deal, "seller_id"),
    ):
        ids = model.objects.filter(**{f"{field}__in": org_ids}).values_list("pk", flat=True)
        changed += feed.refresh(kind, list(ids))
    people = list(Person.objects.filter(organization_id__in=org_ids).values_list("pk", flat=True))
    return changed + feed.refresh("expert", people) + feed.refresh("broker", people)


def _trading_of(achievement_ids: list[int]) -> int:
    """Market records carry their achievement's title and visibility: they change with it."""
    changed = 0
    for kind, model in (("listing", Listing), ("auction", Auction), ("deal", Deal)):
        changed += feed.refresh(
            kind, list(model.objects.filter(achievement_id__in=achievement_ids).values_list("pk", flat=True))
        )
    return changed


def _later(kind: str, ids) -> None:
    ids = sorted({int(i) for i in ids if i is not None})
    if ids:
        outbox.publish(REFRESH, {"kind": kind, "ids": ids})


def _follow(model, *targets) -> None:
    """Publish a refresh of ``(kind, ids_of(instance))`` for each target whenever ``model`` is saved or deleted."""

    def on_change(sender, instance, **kwargs) -> None:
        for kind, ids_of in targets:
            _later(kind, ids_of(instance))

    uid = f"exchange.feed.{model._meta.label}"
    post_save.connect(on_change, sender=model, weak=False, dispatch_uid=f"{uid}.save")
    post_delete.connect(on_change, sender=model, weak=False, dispatch_uid=f"{uid}.delete")


def _people(person_id) -> list[tuple[str, object]]:
    return [("expert", lambda i: [person_id(i)]), ("broker", lambda i: [person_id(i)])]


def connect() -> None:
    _follow(Organization, ("organization", lambda o: [o.pk]))
    _follow(Person, *_people(lambda p: p.pk))
    _follow(ExpertProfile, ("expert", lambda e: [e.person_id]))
    _follow(BrokerProfile, ("broker", lambda b: [b.person_id]))
    _follow(Achievement, ("achievement", lambda a: [a.pk]))
    _follow(Demand, ("demand", lambda d: [d.pk]))
    _follow(IPItem, ("achievement", lambda i: [i.achievement_id]))
    for model, kind in ((Listing, "listing"), (Auction, "auction"), (Deal, "deal")):
        _follow(model, (kind, lambda x: [x.pk]))

    def on_fields(sender, instance, action=None, **kwargs) -> None:
        if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Person):
            _later("expert", [instance.pk])
            _later("broker", [instance.pk])

    m2m_changed.connect(on_fields, sender=Person.fields.through, weak=False, dispatch_uid="exchange.feed.person_fields")


connect()
