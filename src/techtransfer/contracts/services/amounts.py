"""The amount split of a contract — 技术交易额.

《技术合同认定登记管理办法》 (国科发政字〔2000〕63号) and 《技术合同认定规则》 (国科发政字〔2001〕253号) ch. 7
"核定技术性收入": the technology transaction amount is the contract amount less the non-technical parts —
equipment, instruments, parts, raw and other materials and other non-technical costs — but the direct cost of a
reasonable quantity of technology carriers (技术载体: documents, software media, new varieties and strains as far
as needed to test and master the technology; complete technical equipment or test installations generally one or
two sets) is not a non-technical cost and stays in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from techtransfer.contracts.models import ZERO, AmountKind, AmountLine
from techtransfer.core.errors import DomainError
from techtransfer.core.fields import in_field, parse_money, parse_text


@dataclass
class Split:
    """A validated amount split: the lines, the technology transaction amount (technology part plus carriers) and
    the non-technical amount deducted from it."""

    lines: list[AmountLine]
    tech_amount: Decimal
    non_tech_amount: Decimal

    @property
    def carriers_amount(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.kind == AmountKind.CARRIERS), ZERO)


def split_amount(contract_amount: Decimal, lines: list[dict]) -> Split:
    """技术交易额 = contract amount − the non-technical lines (equipment, instruments, parts, materials, other);
    carrier lines (a reasonable quantity of technology carriers, e.g. one or two prototype sets) are not deducted
    — 《技术合同认定规则》 ch. 7 (核定技术性收入).

    Each line is ``{"kind", "amount", "description"}`` with a non-negative amount; all lines together may not
    exceed the contract amount. A carrier line needs its description: the reviewer's note of what the carriers
    are and why the quantity is reasonable. Given only non-technical and carrier lines, whatever they leave is the
    technology line; when technology lines state an amount too, all lines must add up to the contract amount
    exactly. The stored lines always add up to the contract amount.
    """
    non_tech: list[AmountLine] = []
    carriers: list[AmountLine] = []
    tech_notes: list[str] = []
    total = ZERO
    tech_stated = False
    if not isinstance(lines, list | tuple):
        raise DomainError(_("The amount lines must be a list."), field="amount_lines")
    for i, line in enumerate(lines or []):
        if not isinstance(line, dict):
            raise DomainError(_("Each amount line is an object with kind and amount."), field=f"amount_lines.{i}")
        kind = line.get("kind")
        if kind not in AmountKind.values:
            raise DomainError(_("Unknown amount kind: %s") % kind, field=f"amount_lines.{i}.kind")
        amount = in_field(parse_money, line.get("amount"), f"amount_lines.{i}.amount")
        total += amount
        description = in_field(parse_text, line.get("description"), f"amount_lines.{i}.description", max_length=200)
        if kind == AmountKind.TECHNOLOGY:
            tech_stated = tech_stated or amount > 0
            if description:
                tech_notes.append(description)
        elif kind == AmountKind.CARRIERS:
            if amount > 0 and not description:
                raise DomainError(
                    _(
                        "Say what the technology carriers are and why their quantity is reasonable (e.g. one or two "
                        "prototype sets embodying the technology)."
                    ),
                    code="carrier_note_required",
                    field=f"amount_lines.{i}.description",
                )
            if amount > 0:
                carriers.append(AmountLine(kind=kind, amount=amount, description=description))
        elif amount > 0:
            non_tech.append(AmountLine(kind=kind, amount=amount, description=description))
    if total > contract_amount:
        raise DomainError(
            _("The amount lines (%(total)s) exceed the contract amount (%(amount)s).")
            % {"total": total, "amount": contract_amount},
            field="amount_lines",
        )
    if tech_stated and total != contract_amount:
        raise DomainError(
            _("The amount lines (%(total)s) do not add up to the contract amount (%(amount)s).")
            % {"total": total, "amount": contract_amount},
            field="amount_lines",
        )
    non_tech_amount = sum((line.amount for line in non_tech), ZERO)
    carriers_amount = sum((line.amount for line in carriers), ZERO)
    tech_amount = contract_amount - non_tech_amount
    tech_line = AmountLine(
        kind=AmountKind.TECHNOLOGY, amount=tech_amount - carriers_amount, description="; ".join(tech_notes)[:200]
    )
    return Split(lines=[tech_line, *carriers, *non_tech], tech_amount=tech_amount, non_tech_amount=non_tech_amount)
