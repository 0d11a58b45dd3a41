"""Signing and verifying exchange documents (feed pages, export bundles) with Ed25519 (``cryptography``).

A signed document is a JSON object with a ``signature`` member::

    {..., "signature": {"alg": "Ed25519", "key_id": "<16 hex>", "value": "<base64>"}}

``value`` signs the **canonical form** of the document without its ``signature`` member: UTF-8 JSON with keys
sorted, no insignificant white space, non-ASCII characters as themselves (``canonical``). ``key_id`` is the first
16 hex digits of the SHA-256 of the raw 32-byte public key. Keys travel as base64 of their raw 32 bytes.
docs/exchange.md repeats this so that another platform can implement it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALG = "Ed25519"


class SignatureError(ValueError):
    """The document is unsigned, signed with another key, or altered after signing."""


def canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str, size: int, what: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise SignatureError(f"{what} is not base64") from exc
    if len(raw) != size:
        raise SignatureError(f"{what} must be {size} bytes, got {len(raw)}")
    return raw


def generate_keypair() -> tuple[str, str]:
    """A new key pair as (private, public), each base64 of the raw 32 bytes."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    return _b64(private), public_of(_b64(private))


def public_of(private_b64: str) -> str:
    key = Ed25519PrivateKey.from_private_bytes(_unb64(private_b64, 32, "private key"))
    return _b64(key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def check_public_key(public_b64: str) -> str:
    """``public_b64`` if it is a well-formed Ed25519 public key, else ``SignatureError``."""
    Ed25519PublicKey.from_public_bytes(_unb64((public_b64 or "").strip(), 32, "public key"))
    return public_b64.strip()


def key_id(public_b64: str) -> str:
    return hashlib.sha256(_unb64(public_b64, 32, "public key")).hexdigest()[:16]


def sign_document(doc: dict, private_b64: str) -> dict:
    """A copy of ``doc`` with its ``signature`` (any old one replaced)."""
    body = {k: v for k, v in doc.items() if k != "signature"}
    key = Ed25519PrivateKey.from_private_bytes(_unb64(private_b64, 32, "private key"))
    body["signature"] = {"alg": ALG, "key_id": key_id(public_of(private_b64)), "value": _b64(key.sign(canonical(body)))}
    return body


def verify_document(doc, public_b64: str) -> None:
    """Raise ``SignatureError`` unless ``doc`` carries a valid signature by the key ``public_b64``."""
    if not isinstance(doc, dict):
        raise SignatureError("the document is not a JSON object")
    sig = doc.get("signature")
    if not isinstance(sig, dict) or sig.get("alg") != ALG or not isinstance(sig.get("value"), str):
        raise SignatureError("the document is not signed with Ed25519")
    if sig.get("key_id") != key_id(public_b64):
        raise SignatureError(f"signed with key {sig.get('key_id')!r}, not with the peer's key {key_id(public_b64)}")
    public = Ed25519PublicKey.from_public_bytes(_unb64(public_b64, 32, "public key"))
    body = {k: v for k, v in doc.items() if k != "signature"}
    try:
        public.verify(_unb64(sig["value"], 64, "signature"), canonical(body))
    except InvalidSignature as exc:
        raise SignatureError("the signature does not match the document (altered or forged)") from exc
