from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status as Reply

from techtransfer.accounts import permissions, tokens
from techtransfer.accounts.models import ApiToken
from techtransfer.core.apidoc import public
from techtransfer.core.errors import Forbidden
from techtransfer.core.schemas import InputSchema

router = Router(tags=["accounts"])


class GrantOut(Schema):
    role: str
    region: str | None
    organization: int | None


class MeOut(Schema):
    authenticated: bool
    username: str | None
    display_name: str | None
    platform_admin: bool
    grants: list[GrantOut]


class TokenIn(InputSchema):
    name: str = Field(min_length=1, max_length=64)
    days: int | None = Field(365, ge=1, le=3650, description="lifetime in days; null for no expiry")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    active: bool


class TokenCreated(TokenOut):
    key: str = Field(description="shown once; store it now")


@router.get("/me", response=MeOut, summary="Who am I and what roles do I hold")
@public
def me(request):
    user = request.auth
    p = permissions.principal(user)
    return {
        "authenticated": p.authenticated,
        "username": user.username if p.authenticated else None,
        "display_name": str(user) if p.authenticated else None,
        "platform_admin": p.is_platform_admin,
        "grants": [{"role": g.role, "region": g.region, "organization": g.org_id} for g in p.grants],
    }


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def list_tokens(request):
    permissions.require_signed_in(request.auth)
    return list(request.auth.api_tokens.order_by("-created_at"))


@router.post("/tokens", response={201: TokenCreated}, summary="Create an API token (key shown once)")
def create_token(request, payload: TokenIn):
    permissions.require_signed_in(request.auth)
    user = request.auth
    if getattr(request, "auth_method", "") == "token":
        raise Forbidden(_("Tokens can only be created from a signed-in browser session."))
    token, key = tokens.issue(user, payload.name, payload.days)
    return Reply(201, {**TokenOut.from_orm(token).dict(), "key": key})


@router.delete("/tokens/{int:token_id}", response={204: None}, summary="Revoke one of my API tokens")
def revoke_token(request, token_id: int):
    permissions.require_signed_in(request.auth)
    user = request.auth
    tokens.revoke(get_object_or_404(ApiToken, pk=token_id, user=user))
    return Reply(204, None)
