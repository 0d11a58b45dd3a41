"""The one permission layer: role + region scope + organization ownership.

Pages, API routes, exports and the back office all ask these functions; none decides on its own.

A scoped model declares where its region and owning organization are found::

    class Organization(models.Model):
        scope_region_field = "region_id"      # a GB/T 2260 code
        scope_org_field = "id"                # the owning organization's id, or None

        @classmethod
        def public_q(cls) -> Q: ...           # rows anyone may see (their public fields)

        @classmethod
        def extra_visible_q(cls, principal) -> Q: ...  # optional: more rows this principal may see (their
                                                       # public fields), e.g. dual-use records through a grant

Rules:
- a platform administrator manages everything;
- a region administrator manages records whose region lies inside one of its scope regions
  (a province administrator everything below the province, a county administrator only that county);
- an organization administrator manages its organization's records; a member reads them;
- everybody reads public rows (their public fields only: see ``can_see_restricted``).

Domain rules beyond these ("who may certify this contract", "who may bid") are **named predicates**: each app
writes them in its own ``<app>/permissions.py`` with the ``@rule("app.verb_noun")`` decorator below, so that
"who may do X" is answered in one place per app, ``allowed``/``require`` ask by name from anywhere, and
``RULES`` lists every rule of the platform (docs and tests read it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from techtransfer.accounts.models import Role, RoleAssignment, User
from techtransfer.core.errors import DomainError, Forbidden
from techtransfer.regions.services import is_within, scope_q

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Grant:
    role: str
    region: str | None
    org_id: int | None


@dataclass
class Principal:
    """What a user may do, computed once per request from its role assignments."""

    user_id: int | None
    grants: list[Grant] = field(default_factory=list)
    superuser: bool = False

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_platform_admin(self) -> bool:
        return self.superuser or any(g.role == Role.PLATFORM_ADMIN for g in self.grants)

    def has_role(self, *roles: str) -> bool:
        return self.is_platform_admin or any(g.role in roles for g in self.grants)

    def regions(self, *roles: str) -> list[str]:
        """Scope regions held through the given roles (default: region administrator)."""
        roles = roles or (Role.REGION_ADMIN,)
        return [g.region for g in self.grants if g.role in roles and g.region]

    def org_ids(self, *roles: str) -> set[int]:
        roles = roles or (Role.ORG_MEMBER, Role.ORG_ADMIN)
        return {g.org_id for g in self.grants if g.role in roles and g.org_id}

    @property
    def is_region_admin(self) -> bool:
        return self.is_platform_admin or bool(self.regions())

    def in_region_scope(self, code: str | None, *roles: str) -> bool:
        if self.is_platform_admin:
            return True
        return bool(code) and any(is_within(code, r) for r in self.regions(*roles))


def principal(user) -> Principal:
    """The principal of a user (anonymous users get an empty one); cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Principal(user_id=None)
    cached = getattr(user, "_tt_principal", None)
    if cached is not None:
        return cached
    grants = [
        Grant(role=r, region=reg, org_id=org)
        for r, reg, org in user.role_assignments.values_list("role", "region_id", "organization_id")
    ]
    p = Principal(user_id=user.pk, grants=grants, superuser=bool(user.is_superuser and user.is_active))
    user._tt_principal = p
    return p


def forget(user) -> None:
    """Drop the cached principal after role assignments change."""
    if user is not None and hasattr(user, "_tt_principal"):
        del user._tt_principal


def _path(model, attr: str) -> str | None:
    return getattr(model, attr, None)


def region_scope_q(p: Principal, model, *roles: str) -> Q:
    """Rows of ``model`` whose region lies inside a scope region the principal holds through ``roles``."""
    region_field = _path(model, "scope_region_field")
    if not region_field:
        return NOTHING
    q = NOTHING
    for code in p.regions(*roles):
        q |= scope_q(region_field, code)
    return q


def org_q(p: Principal, model, *roles: str) -> Q:
    org_field = _path(model, "scope_org_field")
    ids = p.org_ids(*roles)
    if not org_field or not ids:
        return NOTHING
    return Q(**{f"{org_field}__in": sorted(ids)})


def manage_q(user, model) -> Q:
    """Rows the user may change and read in full."""
    p = principal(user)
    if p.is_platform_admin:
        return Q()
    return region_scope_q(p, model) | org_q(p, model, Role.ORG_ADMIN)


def member_q(user, model) -> Q:
    """Rows of the user's own organizations (read in full, including restricted fields)."""
    p = principal(user)
    return org_q(p, model, Role.ORG_MEMBER, Role.ORG_ADMIN)


def public_q(model) -> Q:
    fn = getattr(model, "public_q", None)
    return fn() if fn else NOTHING


def extra_visible_q(user, model) -> Q:
    """Rows beyond the public ones that the model lets this user see (its public fields only): the model's
    optional ``extra_visible_q(principal)`` hook (catalog: restricted and controlled dual-use records)."""
    fn = getattr(model, "extra_visible_q", None)
    return fn(principal(user)) if fn else NOTHING


def visible(user, qs):
    """Rows the user may see at all (public rows, rows the model's ``extra_visible_q`` opens to the user, plus the
    rows it manages or belongs to)."""
    p = principal(user)
    if p.is_platform_admin:
        return qs
    return qs.filter(
        public_q(qs.model) | extra_visible_q(user, qs.model) | manage_q(user, qs.model) | member_q(user, qs.model)
    )


def manageable(user, qs):
    """Rows the user may change."""
    p = principal(user)
    if p.is_platform_admin:
        return qs
    return qs.filter(manage_q(user, qs.model))


def restricted_visible(user, qs):
    """Rows whose restricted fields (contacts, credit records, unpublished details) the user may read."""
    p = principal(user)
    if p.is_platform_admin:
        return qs
    return qs.filter(manage_q(user, qs.model) | member_q(user, qs.model))


def _matches(user, obj, q: Q) -> bool:
    if q == Q():
        return True
    return type(obj)._default_manager.filter(q, pk=obj.pk).exists()


def _follow(obj, attr: str):
    """The value at the model's declared scope path (``scope_region_field``/``scope_org_field``), or None."""
    path = getattr(type(obj), attr, None)
    if not path:
        return None
    value = obj
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _object_region(obj) -> str | None:
    return _follow(obj, "scope_region_field")


def _object_org(obj) -> int | None:
    return _follow(obj, "scope_org_field")


def can_change(user, obj) -> bool:
    p = principal(user)
    if p.is_platform_admin:
        return True
    region = _object_region(obj)
    if region and p.in_region_scope(region):
        return True
    org = _object_org(obj)
    return org is not None and org in p.org_ids(Role.ORG_ADMIN)


def can_see_restricted(user, obj) -> bool:
    if can_change(user, obj):
        return True
    org = _object_org(obj)
    return org is not None and org in principal(user).org_ids()


def can_view(user, obj) -> bool:
    if can_see_restricted(user, obj):
        return True
    q = public_q(type(obj))
    extra = extra_visible_q(user, type(obj))
    if extra != NOTHING:
        q = extra if q == NOTHING else q | extra
    return q != NOTHING and _matches(user, obj, q)


# --- named predicates --------------------------------------------------------------------------------------------

RULES: dict[str, Callable[..., bool]] = {}


def rule(name: str):
    """Register a predicate ``(user, obj=None, ...) -> bool`` under ``name`` ("app.verb_noun")."""

    def register(predicate: Callable[..., bool]) -> Callable[..., bool]:
        if RULES.get(name, predicate) is not predicate:
            raise ValueError(f"permission rule {name!r} is registered twice")
        RULES[name] = predicate
        return predicate

    return register


def allowed(name: str, user, *args, **kwargs) -> bool:
    """Whether the rule ``name`` lets ``user`` act (on the given object)."""
    return bool(RULES[name](user, *args, **kwargs))


def require(name: str, user, *args, message: str | None = None, **kwargs) -> None:
    """Raise ``Forbidden`` (HTTP 403) unless the rule ``name`` allows it; anonymous users must sign in first."""
    require_user(user)
    if not allowed(name, user, *args, **kwargs):
        raise Forbidden(message or _("You do not have permission to do this."))


def require_user(user) -> None:
    """Raise ``Forbidden`` ("Sign in first.") for anonymous users."""
    if not principal(user).authenticated:
        raise Forbidden(_("Sign in first."))


def require_signed_in(user) -> None:
    """Like ``require_user`` but with HTTP 401, for API routes that only need a signed-in caller."""
    if not principal(user).authenticated:
        raise DomainError(_("Sign in first."), code="unauthenticated", status=401)


def org_administrators(*org_ids) -> list:
    """The active administrators of the organizations ``org_ids`` (None skipped), oldest account first: the people a
    notice about an organization's record goes to."""
    ids = [i for i in org_ids if i]
    if not ids:
        return []
    users = RoleAssignment.objects.filter(organization_id__in=ids, role=Role.ORG_ADMIN).values("user_id")
    return list(User.objects.filter(pk__in=users, is_active=True).order_by("pk"))
