"""The apps' commands: Django management commands that `techtransfer` lists and runs with the rest of the line."""

import pytest
from django.core.management import call_command

from techtransfer.cli import main
from tests.cli.test_cli import run


def test_an_app_command_shows_its_own_help(tmp_path):
    out = run(["import", "--help"], tmp_path)
    assert out.returncode == 0
    assert out.stdout.startswith("usage: techtransfer import [-h]")
    assert "--owner OWNER" in out.stdout and "Every row is validated" in out.stdout
    assert "--settings" not in out.stdout  # Django's common options stay out of the help


def test_usage_errors_exit_2_with_the_usage(tmp_path):
    out = run(["import", "nothing"], tmp_path)
    assert out.returncode == 2 and "usage: techtransfer import" in out.stderr and "invalid choice" in out.stderr
    out = run(["migrate", "--bogus"], tmp_path)
    assert out.returncode == 2 and "unrecognized arguments: --bogus" in out.stderr


@pytest.mark.django_db
def test_the_same_command_runs_as_a_management_command(capsys):
    with pytest.raises(SystemExit) as exc:
        call_command("import", "achievements", "/no/such/file.csv")
    assert exc.value.code == 2
    assert main(["import", "achievements", "/no/such/file.csv"]) == 2
    assert capsys.readouterr().err.count("error: no such file: /no/such/file.csv") == 2
    assert main(["index"]) == 0 and "usage: techtransfer index" in capsys.readouterr().out
