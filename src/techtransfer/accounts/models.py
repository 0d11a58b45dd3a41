"""Accounts, roles with their region and organization scope, and API tokens."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VISITOR = "visitor", _("Visitor")
    ORG_MEMBER = "org_member", _("Organization member")
    ORG_ADMIN = "org_admin", _("Organization administrator")
    BROKER = "broker", _("Technology broker")
    EXPERT = "expert", _("Expert")
    REVIEWER = "reviewer", _("Registration-point reviewer")
    REGION_ADMIN = "region_admin", _("Region administrator")
    # Decides access to controlled dual-use records and their declassification — 保密审查: scoped to an
    # organization (its own records) or to a region (the records inside it).
    SECRECY_OFFICER = "secrecy_officer", _("Secrecy officer")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")


class User(AbstractUser):
    """A login. What it may do comes from its role assignments, not from Django's staff flags alone."""

    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_demo = models.BooleanField(_("demo account"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleAssignment(models.Model):
    """One role a user holds, with its scope — 角色与权限范围.

    ``region`` scopes region administrators (province, city or county) and reviewers (the jurisdiction of their
    registration point); ``organization`` scopes organization members and administrators, and names the
    registration point of a reviewer.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region scope"), null=True, blank=True, on_delete=models.PROTECT
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region", "organization"],
                name="unique_role_assignment",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        scope = self.region_id or (self.organization_id and f"org {self.organization_id}") or "-"
        return f"{self.user} · {self.get_role_display()} · {scope}"


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for machine clients and partner platforms. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=64)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
