"""The command line on a fresh data folder, run as a user would run it (a subprocess)."""

import os
import subprocess
import sys

import pytest


def run(args, data_dir, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TECHTRANSFER_")}
    full_env.pop("DJANGO_SETTINGS_MODULE", None)
    full_env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the test run (Playwright), never by an operator
    full_env.update({"TECHTRANSFER_DATA_DIR": str(data_dir), **env})
    return subprocess.run(
        [sys.executable, "-m", "techtransfer", *args], capture_output=True, text=True, env=full_env, timeout=300
    )


def test_help_lists_every_command(tmp_path):
    out = run(["--help"], tmp_path)
    assert out.returncode == 0
    for command in ("demo", "serve", "migrate", "createsuperuser", "check", "loaddemo", "worker"):
        assert command in out.stdout


def test_check_migrate_check_on_a_fresh_sqlite_folder(tmp_path):
    first = run(["check"], tmp_path)
    assert first.returncode == 1
    assert "migrations are not applied" in first.stderr
    assert run(["migrate"], tmp_path).returncode == 0
    assert (tmp_path / "techtransfer.sqlite3").exists()
    secret = tmp_path / "secret_key"
    assert secret.exists() and oct(secret.stat().st_mode & 0o777) == "0o600"
    second = run(["check"], tmp_path)
    assert second.returncode == 0, second.stderr
    assert "ok" in second.stdout


def test_check_reports_an_unreachable_database(tmp_path):
    out = run(["check"], tmp_path, TECHTRANSFER_DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    assert out.returncode == 1
    assert "cannot connect to the database" in out.stderr


def test_check_reports_an_unreachable_redis(tmp_path):
    assert run(["migrate"], tmp_path).returncode == 0
    out = run(["check"], tmp_path, TECHTRANSFER_REDIS_URL="redis://127.0.0.1:1/0")
    assert out.returncode == 1
    assert "Redis" in out.stderr


@pytest.mark.parametrize("bad", ["53", "530100", "abcdef"])
def test_bad_province_setting_is_a_clear_error(tmp_path, bad):
    out = run(["check"], tmp_path, TECHTRANSFER_PROVINCE=bad)
    assert out.returncode == 2
    assert "TECHTRANSFER_PROVINCE" in out.stderr
    assert "Traceback" not in out.stderr


def test_check_deploy_is_ok_under_the_documented_production_settings(tmp_path):
    # docs/operations.md: HTTPS behind a proxy, allowed hosts and trusted origins set; `check --deploy` prints "ok".
    production = {
        "TECHTRANSFER_ALLOWED_HOSTS": "tech.example.gov.cn",
        "TECHTRANSFER_CSRF_TRUSTED_ORIGINS": "https://tech.example.gov.cn",
        "TECHTRANSFER_HTTPS": "1",
        "TECHTRANSFER_PROVINCE": "530000",
    }
    assert run(["migrate"], tmp_path, **production).returncode == 0
    out = run(["check", "--deploy"], tmp_path, **production)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok"), out.stdout
    # Without HTTPS the production checks still fail: the silenced warnings are only the proxy's part.
    plain = run(["check", "--deploy"], tmp_path, **{**production, "TECHTRANSFER_HTTPS": ""})
    assert plain.returncode == 1 and "security.W004" in plain.stderr and "security.W012" in plain.stderr
