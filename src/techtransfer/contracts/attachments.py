"""Scans attached to a contract filing — 合同附件: PDF, PNG or JPEG, checked by their content, size-limited, stored
under MEDIA_ROOT with generated names and served only to those who may see the contract.

The type is decided by the file's first bytes (its "magic number"), never by the name or the browser's claimed
content type; the name's extension must agree with it. Images must also open with Pillow, so a file that only
starts like a PNG is refused. ``CONTRACTS_ATTACHMENT_MAX_BYTES`` (10 MB) and ``CONTRACTS_ATTACHMENT_MAX_COUNT``
(20 per contract) are configurable.
"""

from __future__ import annotations

import hashlib
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from techtransfer.audit import services as audit
from techtransfer.contracts.models import Attachment, TechContract
from techtransfer.contracts.permissions import is_seller_side, may_attach, may_remove_file
from techtransfer.core.errors import Conflict, DomainError, Forbidden, NotFound

SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
)
EXTENSIONS = {"pdf": ("pdf",), "png": ("png",), "jpg": ("jpg", "jpeg")}
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


def max_bytes() -> int:
    return int(getattr(settings, "CONTRACTS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def max_count() -> int:
    return int(getattr(settings, "CONTRACTS_ATTACHMENT_MAX_COUNT", 20))


def sniff(head: bytes) -> str | None:
    """The file type named by the first bytes, or None."""
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


def _check_image(data: bytes) -> None:
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DomainError(_("The image file is damaged or not really an image."), code="bad_file", field="file")


def add(user, contract: TechContract, upload) -> Attachment:
    """Check and store one uploaded scan for the seller (rule ``contracts.attach_file``). Nothing is written when a
    check fails."""
    if not may_attach(user, contract):
        if not is_seller_side(user, contract):
            raise Forbidden(_("Only members of the seller organization may attach files to this contract."))
        raise Conflict(_("Files can be attached only before the decision."), field="status")
    if upload is None:
        raise DomainError(_("Choose a file."), field="file")
    name = (getattr(upload, "name", "") or "").strip()[-200:] or "scan"
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise DomainError(_("The file is empty."), code="bad_file", field="file")
    if size > max_bytes():
        raise DomainError(
            _("The file is too large (at most %(mb)d MB).") % {"mb": max_bytes() // (1024 * 1024)},
            code="too_large",
            field="file",
            status=413,
        )
    upload.seek(0)
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise DomainError(_("The file is too large."), code="too_large", field="file", status=413)
    kind = sniff(data[:16])
    if kind is None:
        raise DomainError(
            _("Only PDF, PNG or JPEG scans are accepted."), code="unsupported_type", field="file", status=415
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS[kind]:
        raise DomainError(
            _("The file name does not match its content (a %(kind)s file).") % {"kind": kind.upper()},
            code="unsupported_type",
            field="file",
            status=415,
        )
    if kind != "pdf":
        _check_image(data)
    if contract.attachments.count() >= max_count():
        raise Conflict(_("At most %(n)d files per contract.") % {"n": max_count()}, field="file")
    attachment = Attachment(
        contract=contract,
        file_type=kind,
        original_name=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    attachment.file.save("scan", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            attachment.save()
            audit.created(user, attachment, "contracts.attach")
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def remove(user, contract: TechContract, attachment_id: int) -> None:
    """Delete a scan of a draft (the seller's own mistake; rule ``contracts.remove_file``); files of submitted
    contracts stay on record."""
    attachment = get(contract, attachment_id)
    if not may_remove_file(user, contract):
        if not is_seller_side(user, contract):
            raise Forbidden(_("Only members of the seller organization may remove files of this contract."))
        raise Conflict(_("Files can be removed only from drafts."), field="status")
    with transaction.atomic():
        audit.deleted(user, attachment, "contracts.detach")
        attachment.delete()
        transaction.on_commit(lambda: attachment.file.delete(save=False))


def get(contract: TechContract, attachment_id: int) -> Attachment:
    """An attachment of a contract the caller already may see (``services.get_visible``)."""
    attachment = contract.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound(_("No such file."))
    return attachment


def response(attachment: Attachment):
    """The file as a download with its checked content type (never rendered inline by the browser)."""
    handle = attachment.file.open("rb")
    resp = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=CONTENT_TYPES.get(attachment.file_type, "application/octet-stream"),
    )
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, no-store"
    return resp
