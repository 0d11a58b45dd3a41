"""Registration certificates — 技术合同登记证明 — as PDF, and the public check of their verification code.

The verification code is an HMAC of the registration number under the site's secret key: it cannot be guessed
from the number, needs no extra column, and anyone holding the certificate can check it on the public page,
which shows only non-confidential facts (number, date, category, status, registration point).
"""

from __future__ import annotations

import hashlib
import hmac
import io

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from techtransfer.contracts.models import Status, TechContract
from techtransfer.core.errors import Conflict, NotFound

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are typed from paper


def verification_code(registration_number: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"contract-certificate:{registration_number}".encode(), hashlib.sha256
    ).digest()
    chars = "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:12])
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def _normalize(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def verify(registration_number: str, code: str) -> dict:
    """The public facts of the contract registered as ``registration_number`` if ``code`` is its verification
    code; otherwise NotFound (the same answer for a wrong number and a wrong code, so numbers cannot be probed)."""
    number = (registration_number or "").strip()
    if not number or _normalize(code) != _normalize(verification_code(number)):
        raise NotFound(_("No certificate matches this number and verification code."), field="code")
    contract = (
        TechContract.objects.select_related("category", "registration_point").filter(registration_number=number).first()
    )
    if contract is None:
        raise NotFound(_("No certificate matches this number and verification code."), field="code")
    return {
        "registration_number": number,
        "registered_on": contract.registered_on,
        "category": contract.category.name if contract.category else "",
        "status": contract.status,
        "status_label": str(contract.get_status_display()),
        "valid": contract.status == Status.CERTIFIED,
        "registration_point": contract.registration_point.name if contract.registration_point else "",
    }


def certificate_pdf(contract: TechContract) -> bytes:
    """A one-page certificate written with reportlab, Chinese text in the embedded Adobe CID font STSong-Light."""
    if contract.status not in (Status.CERTIFIED, Status.CANCELLED) or not contract.registration_number:
        raise Conflict(_("Only a registered contract has a certificate."), field="status")
    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    pdf.setTitle(f"技术合同登记证明 {contract.registration_number}")
    pdf.setSubject(f"{contract.registration_number} {verification_code(contract.registration_number)}")
    width, height = A4
    pdf.setFont(font, 20)
    pdf.drawCentredString(width / 2, height - 90, "技术合同认定登记证明")
    seller, buyer = contract.seller, contract.buyer
    rows = [
        ("登记编号", contract.registration_number),
        ("合同名称", contract.name),
        (
            "合同类别",
            f"{contract.category.name if contract.category else ''} / "
            f"{contract.subcategory.name if contract.subcategory else ''}",
        ),
        ("卖方", seller.name if seller else ""),
        ("买方", buyer.name if buyer else ""),
        ("合同金额（元）", f"{contract.contract_amount:,.2f}"),
        ("技术交易额（元）", f"{contract.tech_amount:,.2f}"),
        ("登记日期", contract.registered_on.isoformat() if contract.registered_on else ""),
        ("登记机构", contract.registration_point.name if contract.registration_point else ""),
        ("状态", "已注销" if contract.status == Status.CANCELLED else "有效"),
    ]
    if contract.conditions:
        # Export control: the technology-export contract registration or the export licence (技术出口管制).
        rows.append(("附带条件", contract.conditions.split(" Free technology export")[0]))
    y = height - 150
    pdf.setFont(font, 12)
    for label, value in rows:
        pdf.drawString(70, y, f"{label}：")
        pdf.drawString(190, y, str(value)[:48])
        y -= 26
    pdf.setFont(font, 11)
    pdf.drawString(70, y - 20, f"验证码 Verification code：{verification_code(contract.registration_number)}")
    pdf.drawString(70, y - 40, "可在平台公开验证页面输入登记编号和验证码核验本证明。")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
