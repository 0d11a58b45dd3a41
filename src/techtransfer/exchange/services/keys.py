"""The instance's identity in the network: its instance id and its active Ed25519 signing key.

The instance id is ``TECHTRANSFER_INSTANCE_ID`` when set (a short stable name such as ``yn-province``); otherwise
one is made on first use (``tt-`` and 10 hex digits) and kept with the key. The private key is
``TECHTRANSFER_EXCHANGE_KEY`` (base64 of the raw 32 bytes) when set, so that it can live outside the database;
otherwise a key pair is made on first use and kept in ``InstanceKey`` (every host of one instance shares it).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from techtransfer.exchange import signing
from techtransfer.exchange.models import InstanceKey


@dataclass(frozen=True)
class Identity:
    instance_id: str
    public_key: str
    private_key: str

    @property
    def key_id(self) -> str:
        return signing.key_id(self.public_key)


def _configured_id() -> str:
    return os.environ.get("TECHTRANSFER_INSTANCE_ID", "").strip()


def identity() -> Identity:
    """The instance id and active key pair, made and stored on first use."""
    env_private = os.environ.get("TECHTRANSFER_EXCHANGE_KEY", "").strip()
    row = InstanceKey.objects.filter(active=True).first()
    if env_private:
        public = signing.public_of(env_private)
        if row is None or row.public_key != public:
            row = _store(public, "", row)
        return Identity(_configured_id() or row.instance_id, public, env_private)
    if row is None or not row.private_key:
        private, public = signing.generate_keypair()
        row = _store(public, private, row)
    return Identity(_configured_id() or row.instance_id, row.public_key, row.private_key)


def _store(public: str, private: str, old: InstanceKey | None) -> InstanceKey:
    instance_id = _configured_id() or (old.instance_id if old else f"tt-{secrets.token_hex(5)}")
    try:
        with transaction.atomic():
            if old is not None:
                InstanceKey.objects.filter(pk=old.pk).update(active=False, retired_at=timezone.now())
            return InstanceKey.objects.create(instance_id=instance_id, public_key=public, private_key=private)
    except IntegrityError:  # another process made it first: use that one
        return InstanceKey.objects.get(active=True)
