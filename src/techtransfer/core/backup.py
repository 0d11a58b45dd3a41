"""Backup and restore of a whole installation: the database and the uploads in one archive
(``techtransfer backup`` / ``techtransfer restore``; docs/operations.md, "Backup and restore").

The archive is a gzip'd tar:

- ``manifest.json`` (first): format, platform version, creation time, database vendor, the applied migrations, the
  row count of every table and the uploads (count, bytes);
- ``database/techtransfer.sqlite3``: SQLite, copied with SQLite's online backup API (a consistent copy while the
  platform keeps serving), or ``database/techtransfer.pgdump``: PostgreSQL, ``pg_dump --format=custom`` in the
  snapshot whose row counts the manifest records (so they agree even while users write);
- ``uploads/<name>``: every file of the default storage (the shared uploads folder or the object store).

A restore checks the manifest (format, vendor, no migration unknown to this version), refuses a target that holds
data unless forced, replaces the database and the uploads, and compares the restored row counts with the manifest.
Search indexes are derived data and not in the archive: `techtransfer index rebuild` after a restore.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader

import techtransfer

FORMAT = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads/"
DB_MEMBER = {"sqlite": "database/techtransfer.sqlite3", "postgresql": "database/techtransfer.pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (and what to do)."""


Progress = Callable[[str], None]


# -- what is in a database -----------------------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
    return [row[0] for row in cursor.fetchall()]


def _counts(cursor, vendor: str) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor, vendor):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - a table name of the database, quoted
        counts[table] = cursor.fetchone()[0]
    return counts


def table_counts(connection: BaseDatabaseWrapper) -> dict[str, int]:
    with connection.cursor() as cursor:
        return _counts(cursor, connection.vendor)


def _migrations(cursor) -> dict[str, list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    found: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        found.setdefault(app, []).append(name)
    return found


def holds_data(connection: BaseDatabaseWrapper) -> list[str]:
    """Why the target is not empty: a user account or an uploaded file. A database that only `techtransfer
    migrate` has filled (reference tables: regions, categories, ...) has neither, and the restore replaces it."""
    reasons = []
    user_table = get_user_model()._meta.db_table
    if user_table in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(user_table)}")  # noqa: S608 - the user model's table
            users = cursor.fetchone()[0]
        if users:
            reasons.append(f"{users} user account(s) in the database")
    files = sum(1 for _ in upload_names())
    if files:
        reasons.append(f"{files} uploaded file(s)")
    return reasons


# -- uploads -------------------------------------------------------------------------------------------------------


def upload_names(folder: str = "") -> Iterator[str]:
    """Every file of the default storage (a shared folder or an object store), by its storage name."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:  # the uploads folder does not exist yet
        return
    for name in sorted(files):
        yield f"{folder}{name}"
    for sub in sorted(folders):
        yield from upload_names(f"{folder}{sub}/")


# -- backup ----------------------------------------------------------------------------------------------------------


def _sqlite_copy(connection: BaseDatabaseWrapper, target: Path) -> tuple[dict, dict]:
    """The online backup API into ``target``; counts and migrations read from the copy (one consistent state)."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)  # one step: a read snapshot (WAL lets writers go on meanwhile)
        cursor = copy.cursor()
        return _counts(cursor, "sqlite"), _migrations(cursor)
    finally:
        copy.close()


def _libpq(connection: BaseDatabaseWrapper) -> tuple[dict, dict]:
    """Connection parameters for psycopg and the environment for pg_dump/pg_restore (the password in the
    environment, not on the command line)."""
    params = {k: v for k, v in connection.get_connection_params().items() if isinstance(v, str | int)}
    params.pop("client_encoding", None)
    env = {**os.environ}
    names = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD", "host": "PGHOST", "port": "PGPORT",
             "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
             "options": "PGOPTIONS", "service": "PGSERVICE", "passfile": "PGPASSFILE"}
    for key, value in params.items():
        if key in names and value != "":
            env[names[key]] = str(value)
    return params, env


def _run(argv: list[str], env: dict) -> None:
    if shutil.which(argv[0]) is None:
        raise BackupError(f"{argv[0]} is not installed (the PostgreSQL client programs of the server's version)")
    done = subprocess.run(argv, env=env, capture_output=True, text=True)  # noqa: S603 - fixed programs, no shell
    if done.returncode:
        raise BackupError(f"{argv[0]} failed: {done.stderr.strip()[-2000:]}")


def _postgres_dump(connection: BaseDatabaseWrapper, target: Path) -> tuple[dict, dict]:
    """``pg_dump --format=custom`` in a snapshot exported by a repeatable-read transaction, which also counts."""
    import psycopg  # here: only PostgreSQL installations load the driver

    params, env = _libpq(connection)
    with psycopg.connect(**params) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with conn.transaction(), conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts, migrations = _counts(cursor, "postgresql"), _migrations(cursor)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  f"--file={target}"], env)
    return counts, migrations


def create(path: Path, connection: BaseDatabaseWrapper, progress: Progress = print) -> dict:
    """Write the archive to ``path`` (through ``path.partial``, renamed when complete); returns the manifest."""
    vendor = connection.vendor
    if vendor not in DB_MEMBER:
        raise BackupError(f"cannot back up a {vendor} database")
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="techtransfer-backup-") as tmp:
        dump = Path(tmp) / Path(DB_MEMBER[vendor]).name
        progress(f"database ({vendor}): copying …")
        if vendor == "sqlite":
            counts, migrations = _sqlite_copy(connection, dump)
        else:
            counts, migrations = _postgres_dump(connection, dump)
        progress(f"database: {len(counts)} tables, {sum(counts.values())} rows, {dump.stat().st_size} bytes")
        uploads = [(name, default_storage.size(name)) for name in upload_names()]
        manifest = {
            "format": FORMAT,
            "application": "techtransfer",
            "version": techtransfer.__version__,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": {"vendor": vendor, "member": DB_MEMBER[vendor]},
            "migrations": migrations,
            "tables": counts,
            "uploads": {"files": len(uploads), "bytes": sum(size for _name, size in uploads)},
        }
        with tarfile.open(partial, "w:gz", compresslevel=1) as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(datetime.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=DB_MEMBER[vendor])
            for done, (name, size) in enumerate(uploads, 1):
                info = tarfile.TarInfo(UPLOADS + name)
                info.size = size
                with default_storage.open(name, "rb") as fh:
                    tar.addfile(info, fh)
                if done % 500 == 0 or done == len(uploads):
                    progress(f"uploads: {done}/{len(uploads)}")
    partial.replace(path)
    progress(f"backup written: {path} ({path.stat().st_size} bytes)")
    return manifest


# -- restore ---------------------------------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict:
    try:
        with tarfile.open(path, "r:*") as tar:
            member = tar.next()
            if member is None or member.name != MANIFEST:
                raise BackupError(f"{path} is not a TechTransfer backup (no {MANIFEST} at its start)")
            manifest = json.load(tar.extractfile(member))
    except (tarfile.TarError, OSError, ValueError) as exc:
        raise BackupError(f"cannot read {path}: {exc}")
    if manifest.get("application") != "techtransfer" or manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown backup format {manifest.get('format')!r} (this version reads {FORMAT})")
    return manifest


def check_manifest(manifest: dict, connection: BaseDatabaseWrapper) -> None:
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(f"the backup is of a {vendor} database; the configured database is {connection.vendor} "
                          "(TECHTRANSFER_DATABASE_URL)")
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(f"{app}.{name}" for app, names in manifest["migrations"].items() for name in names
                     if (app, name) not in known)
    if unknown:
        raise BackupError(f"the backup was made by a newer version (version {manifest['version']}): migrations "
                          f"unknown here: {', '.join(unknown[:5])}{' …' if len(unknown) > 5 else ''}")


@contextmanager
def _extracted(path: Path, member: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="techtransfer-restore-") as tmp, tarfile.open(path, "r:*") as tar:
        target = Path(tmp) / Path(member).name
        source = tar.extractfile(member)
        if source is None:
            raise BackupError(f"{path}: {member} is missing")
        with target.open("wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
        yield target


def _restore_sqlite(dump: Path, connection: BaseDatabaseWrapper) -> None:
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError("cannot restore inside a transaction")
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)  # page by page into the live database: its content becomes the copy's
    finally:
        source.close()


def _restore_postgres(dump: Path, connection: BaseDatabaseWrapper) -> None:
    _params, env = _libpq(connection)
    with connection.cursor() as cursor:  # a forced restore: the target's tables go first (pg_restore recreates)
        tables = _tables(cursor, "postgresql")
        if tables:  # one statement: one pass over the catalogue instead of one per table
            cursor.execute(f"DROP TABLE IF EXISTS {', '.join(map(_quote, tables))} CASCADE")
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={env.get('PGDATABASE', '')}", str(dump)], env)


def _restore_uploads(path: Path, progress: Progress) -> int:
    for name in list(upload_names()):
        default_storage.delete(name)
    restored = 0
    with tarfile.open(path, "r:*") as tar:
        members = [m for m in tar.getmembers() if m.isfile() and m.name.startswith(UPLOADS)]
        for member in members:
            name = member.name[len(UPLOADS):]
            if not name or name.startswith("/") or ".." in Path(name).parts:
                raise BackupError(f"{path}: unsafe file name {member.name!r}")
            saved = default_storage.save(name, File(tar.extractfile(member), name=name))
            if saved != name:
                raise BackupError(f"uploads: {name} was stored as {saved}")
            restored += 1
            if restored % 500 == 0 or restored == len(members):
                progress(f"uploads: {restored}/{len(members)}")
    return restored


def restore(path: Path, connection: BaseDatabaseWrapper, *, force: bool = False, progress: Progress = print) -> dict:
    """Replace the database and the uploads with the archive's; returns the manifest. Raises :class:`BackupError`
    before changing anything when the archive does not fit or the target holds data and ``force`` is false."""
    path = Path(path)
    manifest = read_manifest(path)
    progress(f"backup of {manifest['created_at']} (TechTransfer {manifest['version']}, "
             f"{manifest['database']['vendor']}): {len(manifest['tables'])} tables, "
             f"{sum(manifest['tables'].values())} rows, {manifest['uploads']['files']} uploaded files")
    check_manifest(manifest, connection)
    reasons = holds_data(connection)
    if reasons and not force:
        raise BackupError(f"the target is not empty ({'; '.join(reasons)}); restoring replaces all of it: "
                          "use --force to do so")
    progress("database: restoring …")
    with _extracted(path, manifest["database"]["member"]) as dump:
        if connection.vendor == "sqlite":
            _restore_sqlite(dump, connection)
        else:
            _restore_postgres(dump, connection)
    connection.close()  # the next query sees the restored database with a fresh connection
    progress("database: restored")
    _restore_uploads(path, progress)
    restored = table_counts(connection)
    differ = sorted(t for t in set(restored) | set(manifest["tables"])
                    if restored.get(t) != manifest["tables"].get(t))
    if differ:
        raise BackupError(f"restored row counts differ from the manifest in {len(differ)} table(s): "
                          + ", ".join(f"{t} {restored.get(t)} ≠ {manifest['tables'].get(t)}" for t in differ[:5]))
    progress(f"verified: {len(restored)} tables, {sum(restored.values())} rows as in the manifest; "
             f"uploads in {settings.STORAGE_KIND} storage. Rebuild the search index: techtransfer index rebuild")
    return manifest

