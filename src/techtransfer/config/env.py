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
