"""API tokens: issue, authenticate, revoke. Keys are shown once; only their SHA-256 digest is kept."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.utils import timezone

from techtransfer.accounts.models import ApiToken, User, hash_token

PREFIX = "tt_"


def issue(user: User, name: str, days: int | None = 365) -> tuple[ApiToken, str]:
    name = (name or "").strip()
    if not name:
        raise ValueError("token name is required")
    key = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:64],
        prefix=key[:10],
        digest=hash_token(key),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    return token, key


def authenticate(key: str) -> User | None:
    if not key or not key.startswith(PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=hash_token(key)).first()
    if token is None or not token.active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
