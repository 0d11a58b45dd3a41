"""Tax-relief hints for registered technology contracts — 税收优惠提示. Hints with the rule they come from, not tax
advice: the tax office decides.

- VAT (增值税): income from technology transfer (including licences of use rights), technology development and
  the consulting and service directly related to them is exempt — 财税〔2016〕36号 annex 3, item 26; the contract
  must be registered (认定登记). Stand-alone consulting or service contracts do not qualify.
- Enterprise income tax (企业所得税): a resident enterprise's qualifying technology-transfer income in a tax year
  is exempt up to ¥5 m (``CONTRACTS_EIT_EXEMPT_AMOUNT``) and halved above — 企业所得税法实施条例 art. 90.
  Licences count when granted for at least five years (财税〔2010〕111号, 财税〔2015〕116号).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _

from techtransfer.contracts import conf
from techtransfer.contracts.models import PartyType, Status, TechContract

VAT_RULE = "财税〔2016〕36号 附件3 第一条第（二十六）项"
EIT_RULE = "中华人民共和国企业所得税法实施条例 第九十条"
EIT_LICENCE_RULE = "财税〔2010〕111号; 财税〔2015〕116号"

LIKELY = "likely"
CONDITIONAL = "conditional"


@dataclass(frozen=True)
class TaxHint:
    code: str  # "vat" or "eit"
    title: str
    rule: str  # where the relief comes from
    status: str  # "likely" (the contract fits the rule) or "conditional" (only if the stated condition holds)
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


def _years(contract: TechContract) -> float:
    if not contract.term_start or not contract.term_end:
        return 0.0
    return (contract.term_end - contract.term_start).days / 365.25


def tax_hints(contract: TechContract) -> list[TaxHint]:
    """The reliefs a registered contract may qualify for and why. Unregistered or cancelled contracts get none:
    both reliefs need the registration."""
    if contract.status != Status.CERTIFIED or contract.category is None:
        return []
    category = contract.category.code
    hints: list[TaxHint] = []
    vat_title = _("VAT exemption for technology transfer, development and related consulting and service")
    if category in ("transfer", "licence", "development"):
        hints.append(
            TaxHint(
                "vat",
                vat_title,
                VAT_RULE,
                LIKELY,
                _("Registered contract (%(kind)s): its technology income may be exempt from VAT.")
                % {"kind": str(contract.category)},
            )
        )
    elif category in ("consulting", "service"):
        hints.append(
            TaxHint(
                "vat",
                vat_title,
                VAT_RULE,
                CONDITIONAL,
                _(
                    "Consulting and service income is exempt only when directly related to a technology transfer or "
                    "development of the seller and invoiced together with it; stand-alone contracts do not qualify."
                ),
            )
        )
    seller = contract.seller
    if category in ("transfer", "licence") and seller is not None and seller.party_type == PartyType.ENTERPRISE:
        limit = conf.eit_exempt_amount()
        base = _(
            "Qualifying technology-transfer income of a resident enterprise in a tax year: the first ¥%(limit)s is "
            "exempt from enterprise income tax, the part above is taxed at half."
        ) % {"limit": f"{limit:,.0f}"}
        if category == "transfer":
            hints.append(TaxHint("eit", _("Enterprise income tax relief"), EIT_RULE, LIKELY, base))
        else:
            long_enough = _years(contract) >= 5
            hints.append(
                TaxHint(
                    "eit",
                    _("Enterprise income tax relief"),
                    f"{EIT_RULE}; {EIT_LICENCE_RULE}",
                    LIKELY if long_enough else CONDITIONAL,
                    base
                    + " "
                    + (
                        _("The licence is granted for five years or more.")
                        if long_enough
                        else _("Licences qualify only when granted for at least five years.")
                    ),
                )
            )
    return hints
