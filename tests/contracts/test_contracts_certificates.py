"""Certificates: PDF with the verification code, public verification without login, confidential facts hidden."""

import pytest

from techtransfer.contracts import certificates, services

pytestmark = pytest.mark.django_db


def test_certificate_pdf_and_public_verification(cw, client_for):
    contract = cw.certified()
    r = client_for(cw.w.member).get(f"/api/v1/contracts/{contract.pk}/certificate")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    code = certificates.verification_code(contract.registration_number)
    assert b"STSong-Light" in r.content  # the CJK font is embedded by reference (Adobe CID font)
    assert f"{contract.registration_number} {code}".encode() in r.content  # document subject
    anonymous = client_for()
    r = anonymous.get(f"/api/v1/contracts/verify?number={contract.registration_number}&code={code.lower()}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["valid"] is True and body["category"] == "技术开发"
    assert "contract_amount" not in body and "seller" not in body and "name" not in body
    r = anonymous.get(f"/api/v1/contracts/verify?number={contract.registration_number}&code=AAAA-BBBB-CCCC")
    assert r.status_code == 404
    services.cancel(cw.reviewer, contract, "解除")
    r = anonymous.get(f"/api/v1/contracts/verify?number={contract.registration_number}&code={code}")
    assert r.json()["valid"] is False and r.json()["status"] == "cancelled"


def test_no_certificate_before_registration_or_for_strangers(cw, client_for):
    draft = cw.filed()
    assert client_for(cw.w.member).get(f"/api/v1/contracts/{draft.pk}/certificate").status_code == 409
    contract = cw.certified()
    assert client_for(cw.w.panlong_admin).get(f"/api/v1/contracts/{contract.pk}/certificate").status_code in (
        403,
        404,
    )
