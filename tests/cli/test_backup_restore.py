"""`techtransfer backup` / `techtransfer restore` (core/backup.py): a round trip gives back the same row counts,
records and uploaded files, and a target with data is refused unless forced (the checks of the manifest and of an
empty target: test_backup_manifest.py)."""

from __future__ import annotations

import io
import tarfile
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from techtransfer.core import backup

SCAN = b"%PDF-1.4 contract scan \x00\x01\x02" * 100


def command(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*argv, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def a_world(make_user, make_org) -> dict:
    users = [make_user(f"backup-{i}", email=f"b{i}@example.cn") for i in range(3)]
    org = make_org(name="昆明备份测试科技有限公司")
    name = default_storage.save("contracts/2026/scan.pdf", ContentFile(SCAN))
    return {"users": {u.username for u in users}, "org": org, "file": name}


def assert_same_world(world: dict, counts: dict, target=connection):
    assert backup.table_counts(target) == counts
    with target.cursor() as cur:
        cur.execute("SELECT username, email FROM accounts_user ORDER BY username")
        rows = cur.fetchall()
        cur.execute("SELECT name, credit_code FROM orgs_organization WHERE id = %s", [world["org"].pk])
        assert cur.fetchone() == (world["org"].name, world["org"].credit_code)
        cur.execute("SELECT COUNT(*) FROM regions_region")
        assert cur.fetchone()[0] == counts["regions_region"] > 3000
    assert {u for u, _e in rows} == world["users"]
    assert dict(rows)["backup-1"] == "b1@example.cn"
    with default_storage.open(world["file"], "rb") as fh:
        assert fh.read() == SCAN


@pytest.mark.django_db(transaction=True)
def test_sqlite_round_trip_with_counts_contents_and_uploads(make_user, make_org, tmp_path, settings):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backup")
    world = a_world(make_user, make_org)
    counts = backup.table_counts(connection)
    archive = tmp_path / "tt.tar.gz"

    code, out, _err = command("backup", str(archive))
    assert code == 0 and "backup written" in out
    manifest = backup.read_manifest(archive)
    assert manifest["tables"] == counts and manifest["database"]["vendor"] == "sqlite"
    assert "0001_initial" in manifest["migrations"]["accounts"] and manifest["version"]
    assert manifest["uploads"] == {"files": 1, "bytes": len(SCAN)} and manifest["created_at"].startswith("20")
    with tarfile.open(archive) as tar:
        assert tar.getnames()[:2] == ["manifest.json", "database/techtransfer.sqlite3"]
        assert f"uploads/{world['file']}" in tar.getnames()
    assert command("backup", str(archive))[0] == 2  # an existing file is not overwritten unasked

    # The installation holds data: refused, nothing changed.
    code, out, err = command("restore", str(archive))
    assert code == 1 and "not empty" in err and "--force" in err
    assert backup.table_counts(connection) == counts

    # Things change after the backup; a forced restore brings back the state of the archive.
    get_user_model().objects.filter(username="backup-0").delete()
    make_user("after-the-backup")
    world["org"].__class__.objects.filter(pk=world["org"].pk).update(name="改过的名称")
    default_storage.delete(world["file"])
    default_storage.save("contracts/2026/other.pdf", ContentFile(b"later"))
    code, out, err = command("restore", str(archive), "--force")
    assert code == 0, err
    assert "database: restored" in out and "uploads: 1/1" in out and "verified:" in out
    assert_same_world(world, counts)
    assert not default_storage.exists("contracts/2026/other.pdf")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_round_trip_into_a_throw_away_database(make_user, make_org, tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (TECHTRANSFER_DATABASE_URL)")
    import psycopg
    from django.db.backends.postgresql.base import DatabaseWrapper

    world = a_world(make_user, make_org)
    counts = backup.table_counts(connection)
    archive = tmp_path / "tt-pg.tar.gz"
    manifest = backup.create(archive, connection, progress=lambda line: None)
    assert manifest["tables"] == counts and manifest["database"]["member"] == "database/techtransfer.pgdump"

    name = f"tt_restore_{uuid.uuid4().hex[:10]}"
    params = {k: v for k, v in connection.get_connection_params().items() if isinstance(v, str | int)}
    admin = psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    target = DatabaseWrapper({**connection.settings_dict, "NAME": name}, alias="restore_target")
    settings.MEDIA_ROOT = tmp_path / "host-b-uploads"  # another installation: its own (empty) uploads folder
    try:
        # The target holds an account (and a table the archive does not have): refused unless forced; forced, its
        # tables are replaced by the archive's (one pg_restore keeps the test short).
        with target.cursor() as cur:
            cur.execute("CREATE TABLE accounts_user (id integer, username text, email text)")
            cur.execute("INSERT INTO accounts_user VALUES (1, 'someone-else', 'x@example.cn')")
            cur.execute("CREATE TABLE stray_leftover (id integer)")
        lines: list[str] = []
        with pytest.raises(backup.BackupError, match="not empty .1 user account"):
            backup.restore(archive, target, progress=lines.append)
        backup.restore(archive, target, force=True, progress=lines.append)
        assert any(line.startswith("verified:") for line in lines)
        assert_same_world(world, counts, target)
        assert "stray_leftover" not in target.introspection.table_names()
    finally:
        target.close()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
