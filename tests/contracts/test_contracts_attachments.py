"""Attachments: PDF/PNG/JPEG only, checked by content, size-limited, stored under generated names, downloadable
only by those who may see the contract; a refused upload stores nothing."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from techtransfer.contracts.models import Attachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, "PNG")
    return buf.getvalue()


def _files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _upload(client, contract, name, content, content_type="application/pdf"):
    return client.post(
        f"/api/v1/contracts/{contract.pk}/attachments", {"file": SimpleUploadedFile(name, content, content_type)}
    )


def test_pdf_and_png_are_stored_under_generated_names_and_downloaded_by_those_who_may_see(cw, client_for, settings):
    contract = cw.filed()
    seller = client_for(cw.w.member)
    r = _upload(seller, contract, "../../etc/合同扫描件.pdf", PDF)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["file_type"] == "pdf" and body["size"] == len(PDF)
    r2 = _upload(seller, contract, "page2.PNG", _png(), "image/png")
    assert r2.status_code == 201, r2.content
    stored = _files(settings)
    assert len(stored) == 2
    assert all(p.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve()) for p in stored)
    assert not any("合同" in p.name or "etc" in str(p) for p in stored)

    got = seller.get(body["url"])
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert got["Content-Type"] == "application/pdf" and "attachment" in got["Content-Disposition"]
    # Region administrators see contracts only once submitted; strangers never.
    for outsider in (cw.w.visitor, cw.qujing_reviewer, cw.w.panlong_admin):
        assert client_for(outsider).get(body["url"]).status_code == 404
    assert client_for().get(body["url"]).status_code == 404
    # Page download for the seller; not for others.
    a = Attachment.objects.get(pk=body["id"])
    assert seller.get(f"/contracts/{contract.pk}/attachments/{a.pk}/").status_code == 200
    assert client_for(cw.w.visitor).get(f"/contracts/{contract.pk}/attachments/{a.pk}/").status_code == 404


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("scan.pdf", b"MZ\x90\x00 not a pdf at all", "unsupported_type"),
        ("scan.exe", PDF, "unsupported_type"),
        ("scan.png", PDF, "unsupported_type"),
        ("fake.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "bad_file"),
        ("empty.pdf", b"", None),
        ("page.html", b"<html><script>alert(1)</script>", "unsupported_type"),
    ],
)
def test_bad_types_are_refused_and_nothing_is_stored(cw, client_for, settings, name, content, code):
    contract = cw.filed()
    r = _upload(client_for(cw.w.member), contract, name, content)
    assert 400 <= r.status_code < 500, r.content
    body = r.json()
    assert set(body) >= {"code", "message", "field"}
    if code:
        assert body["code"] == code and body["field"] == "file"
    assert not Attachment.objects.exists() and _files(settings) == []


def test_too_large_is_refused(cw, client_for, settings):
    settings.CONTRACTS_ATTACHMENT_MAX_BYTES = 1024
    contract = cw.filed()
    r = _upload(client_for(cw.w.member), contract, "big.pdf", PDF + b"0" * 2048)
    assert r.status_code == 413 and r.json()["code"] == "too_large"
    assert not Attachment.objects.exists() and _files(settings) == []


def test_only_the_seller_attaches_and_only_before_the_decision(cw, client_for, settings):
    contract = cw.submitted()
    assert _upload(client_for(cw.reviewer), contract, "x.pdf", PDF).status_code == 403
    assert _upload(client_for(cw.w.member), contract, "x.pdf", PDF).status_code == 201
    done = cw.certified(name="已登记")
    assert _upload(client_for(cw.w.member), done, "y.pdf", PDF).status_code == 409
    assert Attachment.objects.count() == 1


def test_page_upload_error_is_shown_and_delete_from_draft(cw, client_for, settings):
    contract = cw.filed()
    seller = client_for(cw.w.member)
    r = seller.post(f"/contracts/{contract.pk}/attachments/", {"file": SimpleUploadedFile("a.pdf", b"nope")})
    assert r.status_code == 415 and 'data-testid="form-error"' in r.content.decode()
    r = seller.post(f"/contracts/{contract.pk}/attachments/", {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert r.status_code == 302
    a = Attachment.objects.get()
    r = seller.post(f"/contracts/{contract.pk}/attachments/{a.pk}/delete/")
    assert r.status_code == 302 and not Attachment.objects.exists()
