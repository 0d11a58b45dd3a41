"""Registering, changing and disabling peer platforms (platform administrators only; every change audited)."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.audit import services as audit
from techtransfer.core.errors import DomainError, NotFound
from techtransfer.exchange import format as fmt
from techtransfer.exchange import signing
from techtransfer.exchange.models import Peer
from techtransfer.exchange.services import pull
from techtransfer.regions import services as regions

EDITABLE = ("name", "base_url", "instance_id", "public_key", "kinds", "region", "enabled")


def visible_peers(user):
    permissions.require("exchange.manage_peers", user)
    return Peer.objects.select_related("region").order_by("name", "id")


def get_peer(user, ref) -> Peer:
    """A peer by id or instance id (platform administrators only)."""
    qs = visible_peers(user)
    ref = str(ref).strip()
    peer = qs.filter(pk=int(ref)).first() if ref.isascii() and ref.isdigit() and len(ref) <= 18 else None
    peer = peer or qs.filter(instance_id=ref).first()
    if peer is None:
        raise NotFound(_("No such peer platform."))
    return peer


def _clean(values: dict, peer: Peer | None) -> dict:
    out = {}
    for key, value in values.items():
        if key not in EDITABLE or value is None:
            continue
        if key == "name":
            value = str(value).strip()[:200]
            if not value:
                raise DomainError(_("Give the peer platform a name."), field="name")
        elif key == "base_url":
            value = str(value).strip().rstrip("/")
            if not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", value) or len(value) > 200:
                raise DomainError(
                    _("The address must be an http:// or https:// address without query."), field="base_url"
                )
        elif key == "instance_id":
            value = str(value).strip()
            if not re.match(fmt.INSTANCE_ID_PATTERN, value):
                raise DomainError(
                    _("An instance id is 2 to 63 lower-case letters, digits and hyphens."), field="instance_id"
                )
            clash = Peer.objects.filter(instance_id=value).exclude(pk=peer.pk if peer else None)
            if clash.exists():
                raise DomainError(_("Another peer has this instance id."), field="instance_id", status=409)
        elif key == "public_key":
            try:
                value = signing.check_public_key(str(value))
            except (signing.SignatureError, ValueError) as exc:
                raise DomainError(_("Not an Ed25519 public key: %(why)s") % {"why": exc}, field="public_key") from None
        elif key == "kinds":
            if isinstance(value, str):
                value = [k.strip() for k in value.replace(",", " ").split() if k.strip()]
            value = list(dict.fromkeys(str(k) for k in value))
            unknown = [k for k in value if k not in fmt.KINDS]
            if unknown:
                raise DomainError(_("Unknown record kind: %(kinds)s") % {"kinds": ", ".join(unknown)}, field="kinds")
        elif key == "region":
            code = str(value or "").strip()
            if code and not regions.exists(code):
                raise DomainError(_("Unknown region code: %(code)s") % {"code": code}, field="region")
            key, value = "region_id", code or None
        elif key == "enabled":
            value = bool(value)
        out[key] = value
    return out


def register(user, **values) -> Peer:
    permissions.require("exchange.manage_peers", user)
    for required in ("name", "base_url", "instance_id", "public_key"):
        if not values.get(required):
            raise DomainError(_("This field is required."), field=required)
    cleaned = _clean(values, None)
    with transaction.atomic():
        peer = Peer.objects.create(created_by=user, **cleaned)
        audit.created(user, peer, "exchange.peer_register")
    return peer


def change(user, peer: Peer, **values) -> Peer:
    permissions.require("exchange.manage_peers", user)
    cleaned = _clean(values, peer)
    with audit.tracking(user, peer, "exchange.peer_change"):
        if "instance_id" in cleaned and cleaned["instance_id"] != peer.instance_id:
            peer.cursor = ""  # another feed: start from its beginning
        for key, value in cleaned.items():
            setattr(peer, key, value)
    return peer


def set_enabled(user, peer: Peer, enabled: bool) -> Peer:
    permissions.require("exchange.manage_peers", user)
    with audit.tracking(user, peer, "exchange.peer_enable" if enabled else "exchange.peer_disable"):
        peer.enabled = enabled
    return peer


def pull_now(user, peer: Peer, **options):
    """Pull one peer at an administrator's request (audited)."""
    permissions.require("exchange.manage_peers", user)
    run = pull.pull(peer, **options)
    audit.record(user, "exchange.peer_pull", peer, after={"run": run.pk, "ok": run.ok, "message": run.message})
    return run
