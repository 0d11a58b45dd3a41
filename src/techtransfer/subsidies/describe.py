"""A policy version's rules in plain language — 政策解读: sentences generated from the rules document (never written
by hand, so that they cannot drift from what the engine applies), in the reader's language (gettext)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from techtransfer.contracts.models import ContractCategory, ContractSubcategory, IPType
from techtransfer.orgs.models import OrgKind, Ownership
from techtransfer.regions.models import Region
from techtransfer.subsidies.rules import PartyConditions, Rules


def _beneficiary(code: str) -> str:
    return {"buyer": _("the buyer"), "seller": _("the seller"), "broker": _("the technology brokers"),
            "institution": _("the technology transfer institution")}.get(code, code)


def _base(code: str) -> str:
    return {
        "tech_amount": _("the technology transaction amount (技术交易额)"),
        "contract_amount": _("the contract amount"),
        "equity_amount": _("the technology equity amount (技术入股出资额)"),
        "equity_or_contract": _("the technology equity amount, or the contract amount when there is none"),
        "last_year_total": _("the unit's contract amount of the previous year"),
    }.get(code, code)


def _flow(code: str) -> str:
    return {"in_province": _("inside the province"), "cross_province": _("across provinces"),
            "international": _("international")}.get(code, code)


def _join(items) -> str:
    items = [str(i) for i in items]
    return _(", ").join(items) if items else _("none")


def _names(model, codes) -> str:
    found = {o.pk: str(o) for o in model.objects.filter(pk__in=list(codes))}
    return _join(found.get(c, c) for c in codes)


def _region(code: str, policy_region) -> str:
    if code == "policy":
        return str(policy_region)
    region = Region.objects.filter(pk=code).first()
    return str(region) if region else code


def money(value: Decimal | None) -> str:
    return "—" if value is None else f"¥{value:,.2f}"


def percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f} %"


def _party(label: str, cond: PartyConditions, policy_region) -> list[str]:
    out = []
    if cond.region_inside:
        out.append(_("%(party)s is located in %(region)s") % {
            "party": label, "region": _region(cond.region_inside, policy_region)})
    if cond.region_outside:
        out.append(_("%(party)s is located outside %(region)s (a foreign party is)") % {
            "party": label, "region": _region(cond.region_outside, policy_region)})
    if cond.kinds is not None:
        out.append(_("%(party)s is one of: %(kinds)s") % {
            "party": label, "kinds": _join(OrgKind(k).label if k in OrgKind.values else k for k in cond.kinds)})
    if cond.ownership is not None:
        out.append(_("%(party)s has one of these ownerships: %(codes)s") % {
            "party": label, "codes": _names(Ownership, cond.ownership)})
    if cond.state_owned is not None:
        out.append((_("%(party)s is state-owned") if cond.state_owned else _("%(party)s is not state-owned"))
                   % {"party": label})
    if cond.foreign is not None:
        out.append((_("%(party)s is foreign") if cond.foreign else _("%(party)s is domestic")) % {"party": label})
    return out


def conditions(rules: Rules, policy_region) -> list[str]:
    """Each condition of the rules as a sentence."""
    c = rules.conditions
    out = [_("Who benefits: %(who)s.") % {"who": _join(_beneficiary(b) for b in rules.beneficiaries)}]
    if c.beneficiary_kinds is not None:
        out.append(_("The beneficiary is one of: %(kinds)s.") % {
            "kinds": _join(OrgKind(k).label if k in OrgKind.values else k for k in c.beneficiary_kinds)})
    if c.categories is not None:
        out.append(_("Contract categories: %(names)s.") % {"names": _names(ContractCategory, c.categories)})
    if c.subcategories is not None:
        out.append(_("Contract subcategories: %(names)s.") % {"names": _names(ContractSubcategory, c.subcategories)})
    if c.ip_types is not None:
        out.append(_("Intellectual property involved: %(names)s.") % {"names": _names(IPType, c.ip_types)})
    if c.certified_from or c.certified_to:
        out.append(_("Registered (certified) between %(start)s and %(end)s.") % {
            "start": c.certified_from or "…", "end": c.certified_to or "…"})
    for sentence in _party(_("the seller"), c.seller, policy_region) + _party(_("the buyer"), c.buyer, policy_region):
        out.append(sentence[:1].upper() + sentence[1:] + ".")
    if c.flows is not None:
        out.append(_("The trade is %(flows)s.") % {"flows": _join(_flow(f) for f in c.flows)})
    if c.min_amount is not None:
        out.append(_("The base is at least %(amount)s.") % {"amount": money(c.min_amount)})
    return out


def formula(rules: Rules, default_rates: dict | None = None) -> str:
    """What the policy pays, in one sentence."""
    f = rules.formula
    base = _base(rules.base)
    if f.kind == "fixed":
        text = _("A fixed %(amount)s per contract.") % {"amount": money(f.amount)}
    elif f.kind == "tiered":
        parts, lower = [], Decimal(0)
        for tier in f.tiers:
            if tier.up_to is None:
                parts.append(_("%(rate)s above %(lower)s") % {"rate": percent(tier.rate), "lower": money(lower)})
            else:
                parts.append(_("%(rate)s from %(lower)s to %(upper)s") % {
                    "rate": percent(tier.rate), "lower": money(lower), "upper": money(tier.up_to)})
                lower = tier.up_to
        text = _("Marginal rates on %(base)s: %(tiers)s.") % {"base": base, "tiers": _join(parts)}
    elif f.rate is not None or f.rates_by_region:
        rates = [percent(f.rate)] if f.rate is not None else []
        rates += [_("%(rate)s in %(region)s") % {"rate": percent(r), "region": _region(code, None)}
                  for code, r in f.rates_by_region.items()]
        text = _("%(rates)s of %(base)s.") % {"rates": _join(rates), "base": base}
    elif default_rates:
        rates = [_("%(rate)s in %(region)s") % {"rate": percent(r), "region": _region(code, None)} if code
                 else percent(r) for code, r in default_rates.items()]
        text = _("%(rates)s of %(base)s (rate set by the operator).") % {"rates": _join(rates), "base": base}
    else:
        text = _("A share of %(base)s; the rate is not set yet, so nothing is paid until it is.") % {"base": base}
    caps = []
    if rules.caps.per_case is not None:
        caps.append(_("at most %(amount)s per contract") % {"amount": money(rules.caps.per_case)})
    if rules.caps.per_beneficiary_year is not None:
        caps.append(_("at most %(amount)s per beneficiary per year")
                    % {"amount": money(rules.caps.per_beneficiary_year)})
    if caps:
        text = text[:-1] + _("; ") + _join(caps) + "."
    if f.split_among_brokers:
        text += " " + _("The amount is shared among the brokers by their recorded contribution.")
    return text


def describe(rules: Rules, policy_region, *, budget_per_year: Decimal | None = None,
             default_rates: dict | None = None) -> dict:
    """``{"pays": one sentence, "conditions": [sentences], "budget": sentence or ""}``."""
    budget = (_("Budget per year: %(amount)s; when it is used up, nothing more is granted that year.")
              % {"amount": money(budget_per_year)}) if budget_per_year is not None else ""
    return {"pays": formula(rules, default_rates), "conditions": conditions(rules, policy_region), "budget": budget}
