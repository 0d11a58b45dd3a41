"""Settings for several web hosts: the shared uploads storage, sessions with Redis, axes' shared lockouts."""

from __future__ import annotations

from importlib.util import find_spec

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.core.settings_probe import probe


def test_uploads_default_to_the_data_folder_and_follow_the_media_dir(tmp_path):
    assert probe(tmp_path, {}, "str(MEDIA_ROOT)") == str(tmp_path / "probe-data" / "uploads")
    assert probe(tmp_path, {}, "STORAGES['default']['BACKEND']") == "django.core.files.storage.FileSystemStorage"
    shared = tmp_path / "nfs" / "uploads"
    assert probe(tmp_path, {"TECHTRANSFER_MEDIA_DIR": str(shared)}, "str(MEDIA_ROOT)") == str(shared)


def test_object_storage_is_chosen_by_the_switch(tmp_path):
    environment = {"TECHTRANSFER_STORAGE": "s3", "TECHTRANSFER_S3_BUCKET": "tt-uploads",
                   "TECHTRANSFER_S3_ENDPOINT_URL": "http://minio.internal:9000", "TECHTRANSFER_S3_PREFIX": "/media/"}
    if find_spec("storages") is None or find_spec("boto3") is None:
        with pytest.raises(RuntimeError, match=r"pip install 'techtransfer\[s3\]'"):
            probe(tmp_path, environment, "STORAGES['default']")
    else:
        default = probe(tmp_path, environment, "STORAGES['default']")
        assert default["BACKEND"] == "storages.backends.s3.S3Storage"
        assert default["OPTIONS"]["bucket_name"] == "tt-uploads"
        assert default["OPTIONS"]["location"] == "media"
        assert default["OPTIONS"]["default_acl"] == "private"
    with pytest.raises(RuntimeError, match="TECHTRANSFER_STORAGE must be"):
        probe(tmp_path, {"TECHTRANSFER_STORAGE": "ftp"}, "STORAGES")


def test_sessions_use_the_redis_cache_written_through_to_the_database(tmp_path):
    redis = {"TECHTRANSFER_REDIS_URL": "redis://10.0.0.5:6379/0"}
    assert probe(tmp_path, redis, "SESSION_ENGINE") == "django.contrib.sessions.backends.cached_db"
    assert probe(tmp_path, redis, "CACHES['default']['BACKEND']") == "django.core.cache.backends.redis.RedisCache"
    assert probe(tmp_path, {}, "globals().get('SESSION_ENGINE', 'django.contrib.sessions.backends.db')") == (
        "django.contrib.sessions.backends.db")
    # Login lockouts live in the shared database on every host, whatever the cache.
    assert probe(tmp_path, redis, "AXES_HANDLER") == "axes.handlers.database.AxesDatabaseHandler"


def test_files_are_written_through_the_default_storage_into_the_media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "shared"
    name = default_storage.save("contracts/probe.txt", ContentFile(b"scan"))
    assert (tmp_path / "shared" / name).read_bytes() == b"scan"


def test_the_running_settings_keep_lockouts_in_the_database():
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
