"""What `techtransfer restore` checks before it changes anything (core/backup.py): the manifest, and whether the
target holds data."""

from __future__ import annotations

import io
import json
import tarfile
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from techtransfer.core import backup


def a_world(make_user, make_org) -> None:
    for i in range(3):
        make_user(f"backup-{i}")
    make_org(name="昆明备份测试科技有限公司")
    default_storage.save("contracts/2026/scan.pdf", ContentFile(b"%PDF-1.4 scan"))


@pytest.mark.django_db
def test_an_empty_installation_takes_the_archive_without_force(make_user, make_org, tmp_path, settings):
    """A new host (migrated, no accounts, empty uploads folder) is not refused."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backup")
    a_world(make_user, make_org)
    assert backup.holds_data(connection) == ["3 user account(s) in the database", "1 uploaded file(s)"]
    get_user_model().objects.all().delete()
    settings.MEDIA_ROOT = tmp_path / "new-host-uploads"
    assert backup.holds_data(connection) == []


def test_the_manifest_is_checked(tmp_path):
    good = {"format": 1, "application": "techtransfer", "version": "9.9", "created_at": "2026-12-03T00:00:00+00:00",
            "database": {"vendor": "oracle", "member": "database/x"}, "migrations": {}, "tables": {},
            "uploads": {"files": 0, "bytes": 0}}

    def archive(manifest, first="manifest.json") -> str:
        path = tmp_path / f"{uuid.uuid4().hex}.tar.gz"
        data = json.dumps(manifest).encode()
        with tarfile.open(path, "w:gz") as tar:
            info = tarfile.TarInfo(first)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        return str(path)

    with pytest.raises(backup.BackupError, match="not a TechTransfer backup"):
        backup.read_manifest(archive(good, first="other.json"))
    with pytest.raises(backup.BackupError, match="unknown backup format"):
        backup.read_manifest(archive({**good, "format": 2}))
    (tmp_path / "junk").write_bytes(b"not a tar")
    with pytest.raises(backup.BackupError, match="cannot read"):
        backup.read_manifest(tmp_path / "junk")
    manifest = backup.read_manifest(archive(good))
    with pytest.raises(backup.BackupError, match="backup is of a oracle database"):
        backup.check_manifest(manifest, connection)
    newer = {**good, "database": {"vendor": connection.vendor}, "migrations": {"accounts": ["0001_initial",
                                                                                             "0999_future"]}}
    with pytest.raises(backup.BackupError, match=r"newer version .*accounts\.0999_future"):
        backup.check_manifest(newer, connection)


