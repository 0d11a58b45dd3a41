"""Subsidy policies' rules: publishing a version, deriving a new draft from one, choosing the version in force, and
evaluating a case with the engine. Sources of the shipped policies: docs/subsidies.md."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.audit import services as audit
from techtransfer.core.errors import Conflict, DomainError, Forbidden, NotFound
from techtransfer.orgs.data import OWNERSHIPS
from techtransfer.orgs.models import Ownership
from techtransfer.subsidies import data, engine
from techtransfer.subsidies.facts import BENEFICIARIES, facts_from_contract, facts_from_dict, read_amount
from techtransfer.subsidies.models import Policy, PolicyVersion, VersionStatus
from techtransfer.subsidies.rules import parse_rules


def _require_manager(actor, policy: Policy) -> None:
    if actor is not None and not permissions.allowed("subsidies.manage_policy", actor, policy):
        raise Forbidden(_("Only administrators of the issuing region manage this policy."))


def validate_version(version: PolicyVersion) -> None:
    """A version's rules parse and its period is a period; ``RulesError``/``DomainError`` otherwise."""
    parse_rules(version.rules)
    if version.effective_to and version.effective_to < version.effective_from:
        raise DomainError(_("The version ends before it starts."), field="effective_to")


def publish(actor, version: PolicyVersion) -> PolicyVersion:
    """Publish a draft version: its rules are validated and from then on never change."""
    _require_manager(actor, version.policy)
    with transaction.atomic():
        version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if version.published:
            raise Conflict(_("This version is already published."))
        validate_version(version)
        with audit.tracking(actor, version, "subsidies.publish_version"):
            version.status = VersionStatus.PUBLISHED
            version.published_at = timezone.now()
            version.published_by = actor if getattr(actor, "is_authenticated", False) else None
    return version


def new_draft(actor, version: PolicyVersion) -> PolicyVersion:
    """A new draft version of the policy, copied from ``version`` (a published version never changes; a change
    is a new version)."""
    _require_manager(actor, version.policy)
    with transaction.atomic():
        Policy.objects.select_for_update().get(pk=version.policy_id)
        number = (PolicyVersion.objects.filter(policy_id=version.policy_id).aggregate(n=Max("number"))["n"] or 0) + 1
        draft = PolicyVersion(
            policy_id=version.policy_id, number=number, effective_from=version.effective_from,
            effective_to=version.effective_to, budget_per_year=version.budget_per_year, rules=version.rules,
            note=_("from version %(n)s") % {"n": version.number},
        )
        with audit.tracking(actor, draft, "subsidies.new_draft"):
            pass
    return draft


def version_on(policy: Policy, day: datetime.date) -> PolicyVersion | None:
    """The published version in force on ``day`` (the newest one when several overlap)."""
    return (
        policy.versions.filter(status=VersionStatus.PUBLISHED, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("-number").first()
    )


def get_policy(code: str) -> Policy:
    try:
        return Policy.objects.select_related("region").get(code=code)
    except Policy.DoesNotExist:
        raise NotFound(_("No subsidy policy %(code)s.") % {"code": code}, field="policy") from None


def state_owned_codes() -> frozenset[str]:
    return frozenset(Ownership.objects.filter(state_owned=True).values_list("code", flat=True))


@dataclass(frozen=True)
class ShippedVersion:
    """Version 1 of a shipped policy as ``data.POLICIES`` holds it, for a database without the subsidy tables."""

    rules: dict
    effective_from: datetime.date
    number: int = 1
    budget_per_year: Decimal | None = None

    @property
    def pk(self) -> str:
        return f"shipped:{self.rules.get('clause', '')}"


@dataclass(frozen=True)
class ShippedPolicy:
    code: str
    region_id: str
    version: ShippedVersion

    def version_on(self, day: datetime.date) -> ShippedVersion | None:
        return self.version if day >= self.version.effective_from else None


def shipped_policy(code: str) -> ShippedPolicy:
    """The shipped version of policy ``code`` (``data.POLICIES``): what ``subsidies evaluate`` applies when the
    database has not been migrated yet, so the engine can be checked on a fresh installation."""
    for row in data.POLICIES:
        if row["code"] == code:
            start = datetime.date.fromisoformat(data.EFFECTIVE_FROM)
            return ShippedPolicy(code, row["region"], ShippedVersion(row["rules"], start))
    raise NotFound(_("No subsidy policy %(code)s.") % {"code": code}, field="policy")


def default_rates(code: str) -> dict[str, Decimal]:
    """The rates the setting ``TECHTRANSFER_SUBSIDY_RATES`` gives policy ``code`` (``{region or "": rate}``), used
    where the policy's rules leave the rate unset (docs/subsidies.md, "Rates as settings")."""
    return dict(getattr(settings, "SUBSIDY_RATES", {}).get(code, {}))


SHIPPED_STATE_OWNED = frozenset(code for code, _name, _en, state in OWNERSHIPS if state)


def evaluate_case(policy: Policy, case, *, on: datetime.date | None = None,
                  state_owned: frozenset[str] | None = None, cache: dict | None = None,
                  rates: dict[str, Decimal] | None = None) -> dict:
    """One case line of ``subsidies evaluate``: ``{"id", "eligible", "amount", "unmet", "lines"}``, or
    ``{"id", "error": {"code", "message", "field"}}`` for a line that cannot be read. Never raises.
    ``rates`` replaces the setting's rates for the policy (``--rate``)."""
    case_id = case.get("id") if isinstance(case, dict) else None
    try:
        if not isinstance(case, dict):
            raise engine.FactsError("a JSON object is expected")
        unknown = set(case) - {"id", "beneficiary", "contract", "granted_this_year", "budget_used"}
        if unknown:
            raise engine.FactsError(f"unknown field {sorted(unknown)[0]}", field=sorted(unknown)[0])
        if case.get("beneficiary") not in BENEFICIARIES:
            raise engine.FactsError("beneficiary: one of " + ", ".join(BENEFICIARIES), field="beneficiary")
        facts = facts_from_dict(case.get("contract"))
        granted = _amount_or_zero(case.get("granted_this_year"), "granted_this_year")
        budget_used = _amount_or_zero(case.get("budget_used"), "budget_used")
        day = on or facts.certified_on
        if day is None:
            raise engine.FactsError("certified_on: needed to choose the policy version (or --on)",
                                    field="certified_on")
        cache = {} if cache is None else cache
        if day not in cache:
            cache[day] = policy.version_on(day) if isinstance(policy, ShippedPolicy) else version_on(policy, day)
        version = cache[day]
        if version is None:
            decision = engine.Decision(False, engine.ZERO, ["no_version_in_force"], [])
            return {"id": case_id, **decision.as_dict()}
        key = ("rules", version.pk)
        if key not in cache:
            cache[key] = parse_rules(version.rules)
        decision = engine.evaluate(
            cache[key], facts, beneficiary=case["beneficiary"], policy_region=policy.region_id,
            granted_this_year=granted, budget_per_year=version.budget_per_year, budget_used=budget_used,
            state_owned_codes=state_owned if state_owned is not None else state_owned_codes(),
            default_rates=rates if rates is not None else default_rates(policy.code),
        )
        return {"id": case_id, **decision.as_dict(), "version": version.number}
    except DomainError as exc:
        return {"id": case_id, "error": exc.as_dict()}


def evaluate_contract(policy: Policy, contract, beneficiary: str, *, granted_this_year: Decimal = engine.ZERO,
                      budget_used: Decimal = engine.ZERO, **facts_extra) -> engine.Decision:
    """The decision for a registered ``contracts.TechContract`` under the version of ``policy`` in force on its
    registration date (not eligible, ``not_certified``, before registration)."""
    facts = facts_from_contract(contract, **facts_extra)
    version = version_on(policy, facts.certified_on) if facts.certified_on else None
    if facts.certified_on is None:
        return engine.Decision(False, engine.ZERO, ["not_certified"], [])
    if version is None:
        return engine.Decision(False, engine.ZERO, ["no_version_in_force"], [])
    return engine.evaluate(
        parse_rules(version.rules), facts, beneficiary=beneficiary, policy_region=policy.region_id,
        granted_this_year=granted_this_year, budget_per_year=version.budget_per_year, budget_used=budget_used,
        state_owned_codes=state_owned_codes(), default_rates=default_rates(policy.code),
    )


def _amount_or_zero(value, field: str) -> Decimal:
    return read_amount(value, field) or engine.ZERO


def tables_ready() -> bool:
    """Whether the database holds the subsidy and ownership tables (it has been migrated)."""
    names = set(connection.introspection.table_names())
    return {Policy._meta.db_table, PolicyVersion._meta.db_table, Ownership._meta.db_table} <= names
