"""Tax-relief hints for registered technology contracts — 税收优惠提示. Hints with the rule they come from, not tax
advice: the tax office decides.

- VAT (增值税): income from technology transfer (including licences of use rights), technology development and
  the consulting and service directly related to them is exempt — 财税〔2016〕36号 annex 3, art. 1 item 26; the
  contract must be registered (认定登记), and related consulting or service income only when it is invoiced on the
  same invoice as the transfer or development price. Stand-alone consulting or service contracts do not qualify.
- Enterprise income tax (企业所得税): a resident enterprise's qualifying technology-transfer income in a tax year
  is exempt up to ¥5 m (``CONTRACTS_EIT_EXEMPT_AMOUNT``) and halved above — 企业所得税法实施条例 art. 90.
  Scope (财税〔2010〕111号 art. 1–2): the ownership of granted patents (invention, utility model, design that is not
  a simple change of a product's pattern or shape), software copyright, IC layout designs, plant varieties and
  biomedical new varieties — not technical secrets nor patent-application rights — or a global exclusive licence
  of them for five years or more; 财税〔2015〕116号 art. 2 (国家税务总局公告2015年第82号) adds non-exclusive
  licences for five years or more of technology the licensor owns. A transfer abroad needs the commerce
  department's technology-export registration (111号 art. 2: 跨境的技术转让须经省级以上商务部门认定登记).
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _

from techtransfer.contracts import conf
from techtransfer.contracts.models import LicenceScope, PartyType, Status, TechContract

VAT_RULE = "财税〔2016〕36号 附件3 第一条第（二十六）项"
EIT_RULE = "中华人民共和国企业所得税法实施条例 第九十条"
EIT_SCOPE_RULE = "财税〔2010〕111号"
EIT_LICENCE_RULE = "财税〔2015〕116号; 国家税务总局公告2015年第82号"

LIKELY = "likely"
CONDITIONAL = "conditional"

# IP types (contracts.IPType codes) whose transfer or long licence qualifies for the EIT relief (财税〔2010〕111号
# art. 1). Technical secrets ("secret") and "none" do not.
EIT_IP_TYPES = ("patent", "software", "ic_layout", "plant_variety", "biomed_variety")
# Subcategories never in scope whatever the IP type: patent-application rights and technical secrets.
EIT_EXCLUDED_SUBCATEGORIES = ("tr_patent_app", "tr_secret", "lic_secret")
# Subcategories that are about a granted patent by definition.
EIT_PATENT_SUBCATEGORIES = ("tr_patent", "lic_patent")
EIT_MIN_LICENCE_YEARS = 5


@dataclass(frozen=True)
class TaxHint:
    code: str  # "vat" or "eit"
    title: str
    rule: str  # where the relief comes from
    status: str  # "likely" (the contract fits the rule) or "conditional" (only if a condition it cannot show holds)
    reason: str
    conditions: tuple[str, ...] = ()  # what the rule further requires and the platform cannot check

    def as_dict(self) -> dict:
        d = asdict(self)
        d["conditions"] = list(self.conditions)
        return d


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` later; 29 February becomes 1 March when the later year has no 29 February
    (the period then still covers every day up to the end of February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, month=3, day=1)


def licence_years_at_least(start: datetime.date | None, end: datetime.date | None, years: int) -> bool:
    """Whether the term from ``start`` to ``end``, both days included, lasts at least ``years`` calendar years —
    财税〔2015〕116号 / 财税〔2010〕111号 "5年以上（含5年）": 1 Jan 2024 – 31 Dec 2028 is five years,
    2 Jan 2024 – 31 Dec 2028 is not."""
    if not start or not end or end < start:
        return False
    return end + datetime.timedelta(days=1) >= add_years(start, years)


def _vat_hint(contract: TechContract, category: str) -> TaxHint | None:
    """财税〔2016〕36号 annex 3 art. 1 item 26: transfer, licence and development income; related consulting and
    service only when invoiced together with them."""
    title = _("VAT exemption for technology transfer, development and related consulting and service")
    same_invoice = _(
        "Consulting and service income directly related to the transfer or development is exempt only when it is "
        "on the same invoice as the transfer or development price."
    )
    registered = _("The contract is registered (认定登记) at a technology contract registration point.")
    if category in ("transfer", "licence", "development"):
        return TaxHint(
            "vat",
            title,
            VAT_RULE,
            LIKELY,
            _("Registered contract (%(kind)s): its technology income may be exempt from VAT.")
            % {"kind": str(contract.category)},
            (registered, same_invoice),
        )
    if category in ("consulting", "service"):
        return TaxHint(
            "vat",
            title,
            VAT_RULE,
            CONDITIONAL,
            _(
                "Consulting and service income is exempt only when directly related to a technology transfer or "
                "development of the seller and invoiced together with it; stand-alone contracts do not qualify."
            ),
            (registered, same_invoice),
        )
    return None


def _eit_hint(contract: TechContract, category: str) -> TaxHint | None:
    """企业所得税法实施条例 art. 90 within the scope of 财税〔2010〕111号 and 财税〔2015〕116号."""
    seller = contract.seller
    if category not in ("transfer", "licence") or seller is None or seller.party_type != PartyType.ENTERPRISE:
        return None
    title = _("Enterprise income tax relief")
    limit = conf.eit_exempt_amount()
    base = _(
        "Qualifying technology-transfer income of a resident enterprise in a tax year: the first ¥%(limit)s is "
        "exempt from enterprise income tax, the part above is taxed at half."
    ) % {"limit": f"{limit:,.0f}"}
    rule = f"{EIT_RULE}; {EIT_SCOPE_RULE}" + (f"; {EIT_LICENCE_RULE}" if category == "licence" else "")
    subcategory = contract.subcategory.code if contract.subcategory_id else ""
    ip_type = contract.ip_type.code if contract.ip_type_id else ""
    if subcategory in EIT_EXCLUDED_SUBCATEGORIES or ip_type in ("secret", "none"):
        return None  # technical secrets and patent-application rights are outside 财税〔2010〕111号 art. 1
    conditions: list[str] = []
    in_scope = subcategory in EIT_PATENT_SUBCATEGORIES or ip_type in EIT_IP_TYPES
    if not in_scope:
        conditions.append(
            _(
                "The subject is a granted patent, software copyright, IC layout design, plant variety or biomedical "
                "new variety (the contract does not say which)."
            )
        )
    if subcategory in EIT_PATENT_SUBCATEGORIES or ip_type == "patent":
        conditions.append(
            _(
                "The patent is granted: an invention, a utility model, or a design that is not a simple change of a "
                "product's pattern or shape."
            )
        )
    status = LIKELY if in_scope else CONDITIONAL
    if category == "licence":
        if not licence_years_at_least(contract.term_start, contract.term_end, EIT_MIN_LICENCE_YEARS):
            return None  # licences qualify only for five years or more (财税〔2015〕116号 art. 2)
        if contract.licence_scope == LicenceScope.EXCLUSIVE:
            conditions.append(_("An exclusive licence qualifies as a global exclusive licence (全球独占许可)."))
        else:
            conditions.append(_("A non-exclusive licence qualifies only for technology the licensor owns."))
    buyer = contract.buyer
    if buyer is not None and buyer.foreign:
        status = CONDITIONAL
        conditions.append(
            _(
                "A transfer to a foreign party also needs the commerce department's technology-export registration "
                "(provincial level or above)."
            )
        )
    reason = base
    if category == "licence":
        reason += " " + _(
            "The licence is granted for five years or more (counted from the first to the last day of the term)."
        )
    return TaxHint("eit", title, rule, status, reason, tuple(conditions))


def tax_hints(contract: TechContract) -> list[TaxHint]:
    """The reliefs a registered contract may qualify for, with the rule and its conditions. Unregistered or
    cancelled contracts get none: both reliefs need the registration (财税〔2016〕36号 annex 3; 财税〔2010〕111号
    art. 2)."""
    if contract.status != Status.CERTIFIED or contract.category is None:
        return []
    category = contract.category.code
    hints = [_vat_hint(contract, category), _eit_hint(contract, category)]
    return [h for h in hints if h is not None]
