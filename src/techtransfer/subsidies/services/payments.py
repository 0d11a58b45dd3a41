"""The export of approved payments — 奖补资金拨付清单 — in the layout a finance bureau expects (docs/subsidies.md,
"Payments export"). Who: platform administrators (every claim) and region administrators (the claims of
beneficiaries in their regions). Bank details are restricted: a row carries them only when the exporting user
reviews that claim (a platform administrator, or a region administrator whose region contains the claim's region
and lies inside the policy's issuing region); other rows say "restricted"."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.core.errors import Forbidden
from techtransfer.regions.services import is_within, name_of, scope_q
from techtransfer.subsidies.models import Claim, ClaimEntry, ClaimStatus, EntryKind

ZERO = Decimal("0.00")


def may_export(user) -> bool:
    p = permissions.principal(user)
    return p.is_platform_admin or bool(p.regions())


def exportable_claims(user):
    """Approved and paid claims the user may export; ``Forbidden`` for anyone but administrators."""
    p = permissions.principal(user)
    if not may_export(user):
        raise Forbidden(_("Only platform and region administrators export subsidy payments."))
    qs = Claim.objects.filter(status__in=(ClaimStatus.APPROVED, ClaimStatus.PAID))
    if not p.is_platform_admin:
        scope = Q(pk__in=[])
        for region in p.regions():
            scope |= scope_q("region_id", region)
        qs = qs.filter(scope)
    return qs.select_related("policy", "version", "contract", "organization", "person", "region").order_by(
        "policy__code", "year", "id")


def sees_bank(user, claim: Claim) -> bool:
    """Whether ``user`` reviews ``claim`` and so sees its bank details in the export."""
    p = permissions.principal(user)
    if p.is_platform_admin:
        return True
    return any(is_within(claim.region_id, r) and is_within(r, claim.policy.region_id) for r in p.regions())


def formula_text(claim: Claim) -> str:
    """The rate or formula the engine applied, from the claim's explanation lines."""
    parts = []
    for line in (claim.decision or {}).get("lines", []):
        if line.get("step") == "percentage":
            parts.append(f"{line['rate']} × {line['base']}")
        elif line.get("step") == "tier":
            parts.append(f"{line['rate']} × {line['portion']}")
        elif line.get("step") == "fixed":
            parts.append(_("fixed %(amount)s") % {"amount": line["amount"]})
        elif line.get("step") == "cap" and line.get("before") != line.get("after"):
            parts.append(_("cap %(cap)s %(limit)s") % {"cap": line["cap"], "limit": line["limit"]})
    return "; ".join(parts)


HEADER = [
    "beneficiary", "credit_code", "region", "contract_number", "registered_on", "base", "rate_formula",
    "amount_approved", "amount_paid", "payment_reference", "payment_date", "policy_code", "policy_name",
    "legal_clause", "bank_name", "bank_account", "account_name",
]


def header() -> list[str]:
    return [
        _("Beneficiary"), _("Unified social credit code"), _("Region"), _("Contract registration number"),
        _("Registration date"), _("Base: technology transaction amount (yuan)"), _("Rate / formula"),
        _("Amount approved (yuan)"), _("Amount paid (yuan)"), _("Payment reference"), _("Payment date"),
        _("Policy code"), _("Policy name"), _("Legal basis (clause)"), _("Bank"), _("Bank account number"),
        _("Account name"),
    ]


def rows(user):
    """The rows of the export, in ``HEADER`` order (amounts as Decimal, dates as dates)."""
    claims = list(exportable_claims(user))
    payments = defaultdict(list)
    for entry in ClaimEntry.objects.filter(claim__in=claims, kind=EntryKind.PAID).order_by("at", "id"):
        payments[entry.claim_id].append(entry)
    restricted = _("restricted")
    for c in claims:
        paid = payments.get(c.pk, [])
        beneficiary = c.organization or c.person
        bank = (c.bank_name, c.bank_account, c.account_name) if sees_bank(user, c) else (restricted,) * 3
        clause = (c.version.rules or {}).get("clause") or c.policy.legal_clause
        yield [
            str(beneficiary) if beneficiary else c.beneficiary_key,
            getattr(c.organization, "credit_code", "") if c.organization else "",
            name_of(c.region_id),
            c.contract.registration_number or "",
            c.contract.registered_on,
            c.base if c.base is not None else c.contract.tech_amount,
            formula_text(c),
            c.amount,
            sum((e.amount for e in paid), ZERO),
            "; ".join(e.reference for e in paid if e.reference),
            "; ".join(e.at.date().isoformat() for e in paid),
            c.policy.code,
            c.policy.name,
            f"{c.policy.legal_document} {clause}".strip(),
            *bank,
        ]
