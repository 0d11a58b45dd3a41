"""Configuration read from the environment, with safe defaults.

Every setting the operator may change is a ``TECHTRANSFER_*`` variable; nothing else is read.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
from pathlib import Path

import platformdirs


def data_dir() -> Path:
    """Where the embedded database, uploads, indexes and the generated secret live."""
    raw = os.environ.get("TECHTRANSFER_DATA_DIR")
    path = (
        Path(raw).expanduser() if raw else Path(platformdirs.user_data_dir("techtransfer", appauthor=False))
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(folder: Path) -> str:
    """The secret key: from the environment, else generated once and kept (mode 600) in the data folder."""
    key = os.environ.get("TECHTRANSFER_SECRET_KEY")
    if key:
        return key
    path = folder / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def province_code() -> str:
    code = os.environ.get("TECHTRANSFER_PROVINCE", "530000").strip()
    if len(code) != 6 or not code.isdigit() or not code.endswith("0000"):
        raise ValueError(
            f"TECHTRANSFER_PROVINCE must be a six-digit GB/T 2260 province code such as 530000, got {code!r}"
        )
    return code


def default_host_id(folder: Path) -> str:
    """This host's default name among several sharing one database (``TECHTRANSFER_HOST_ID`` overrides it): the
    machine's name and 8 hex digits of the data folder's path, so two data folders on one machine differ."""
    digest = hashlib.sha256(str(Path(folder).resolve()).encode()).hexdigest()[:8]
    return f"{socket.gethostname()[:120]}-{digest}"


def s3_storage() -> dict:
    """The ``STORAGES["default"]`` entry for ``TECHTRANSFER_STORAGE=s3``: an S3-compatible object store through
    django-storages (the ``[s3]`` extra), imported by Django only when a file is stored or read. Private objects
    (signed URLs); a name already taken gets a new one, as in the shared folder."""
    from importlib.util import find_spec  # here: only this storage needs it

    if find_spec("storages") is None or find_spec("boto3") is None:
        raise ValueError("TECHTRANSFER_STORAGE=s3 needs django-storages and boto3: pip install 'techtransfer[s3]'")
    bucket = os.environ.get("TECHTRANSFER_S3_BUCKET", "").strip()
    if not bucket:
        raise ValueError("TECHTRANSFER_STORAGE=s3 needs TECHTRANSFER_S3_BUCKET")
    options = {
        "bucket_name": bucket,
        "endpoint_url": os.environ.get("TECHTRANSFER_S3_ENDPOINT_URL", "").strip() or None,
        "region_name": os.environ.get("TECHTRANSFER_S3_REGION", "").strip() or None,
        "access_key": os.environ.get("TECHTRANSFER_S3_ACCESS_KEY", "").strip() or None,
        "secret_key": os.environ.get("TECHTRANSFER_S3_SECRET_KEY", "").strip() or None,
        "location": os.environ.get("TECHTRANSFER_S3_PREFIX", "").strip().strip("/"),
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
