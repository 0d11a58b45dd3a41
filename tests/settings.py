"""Settings for the test run: the production settings, with a throw-away data folder."""

import os
import tempfile

os.environ.setdefault("TECHTRANSFER_DATA_DIR", tempfile.mkdtemp(prefix="techtransfer-test-"))

from techtransfer.config.settings import *  # noqa: E402,F403

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]
HUEY = {**HUEY, "immediate": True}  # noqa: F405  (tasks run inline in tests)
