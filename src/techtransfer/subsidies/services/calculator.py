"""The policy pages' calculator — "what would this contract get?": the public list of policies in force, a
policy's versions and description, and one case evaluated with the engine (the same reading as a line of
``subsidies evaluate``)."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from techtransfer.core.errors import DomainError
from techtransfer.subsidies import describe
from techtransfer.subsidies.models import Policy, PolicyVersion, VersionStatus
from techtransfer.subsidies.rules import parse_rules
from techtransfer.subsidies.services.policies import default_rates, evaluate_case, get_policy, version_on


def in_force(day: datetime.date | None = None) -> list[tuple[Policy, PolicyVersion]]:
    """Policies with a published version in force on ``day`` (today), with that version."""
    day = day or timezone.localdate()
    versions = (
        PolicyVersion.objects.filter(status=VersionStatus.PUBLISHED, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .select_related("policy", "policy__region").order_by("policy__code", "-number")
    )
    seen: dict[int, tuple[Policy, PolicyVersion]] = {}
    for v in versions:
        seen.setdefault(v.policy_id, (v.policy, v))
    return list(seen.values())


def published_versions(policy: Policy):
    return policy.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number")


def current_version(policy: Policy, day: datetime.date | None = None) -> PolicyVersion | None:
    """The version in force on ``day`` (today), else the newest published one."""
    return version_on(policy, day or timezone.localdate()) or published_versions(policy).first()


def description(policy: Policy, version: PolicyVersion | None) -> dict | None:
    if version is None:
        return None
    return describe.describe(parse_rules(version.rules), policy.region, budget_per_year=version.budget_per_year,
                             default_rates=default_rates(policy.code))


def calculate(code: str, case: dict) -> dict:
    """Evaluate ``case`` (a line of ``subsidies evaluate``) under policy ``code``; ``NotFound`` for an unknown
    policy, a ``DomainError`` with status 422 naming the field for a case that cannot be read."""
    policy = get_policy(code)
    result = evaluate_case(policy, case)
    if "error" in result:
        err = result["error"]
        raise DomainError(err["message"], code=err["code"], field=err.get("field"), status=422)
    return result
