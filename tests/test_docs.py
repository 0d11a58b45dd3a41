"""The docs say what the code does: README's command and environment tables, and the plug-in table of
docs/architecture.md, against the command line, the settings reader and the apps (after Datasette's test_docs)."""

from __future__ import annotations

import ast
import re
from importlib.util import find_spec
from pathlib import Path

from django.apps import apps as django_apps
from django.core.management import find_commands, load_command_class
from django.urls import reverse

from techtransfer import cli
from techtransfer.core import plugins
from techtransfer.core.apps import PlatformAppConfig
from techtransfer.core.management.base import PlatformCommand
from tests.cli.test_cli import run

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "techtransfer"
README = (ROOT / "README.md").read_text(encoding="utf-8")
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
ENV_NAME = re.compile(r"^TECHTRANSFER_[A-Z0-9_]+$")


def section(text: str, title: str) -> str:
    """The text of a Markdown section, up to the next heading of the same or a higher level."""
    match = re.search(rf"^(#+) {re.escape(title)}\n", text, re.M)
    assert match, f"no section {title!r}"
    level = len(match.group(1))
    end = re.search(rf"^#{{1,{level}}} ", text[match.end():], re.M)
    return text[match.end(): match.end() + end.start() if end else None]


def first_cells(text: str) -> list[str]:
    """The first cell of every table row (header and separator rows excluded)."""
    rows = [line for line in text.splitlines() if line.startswith("|")]
    return [row.split("|")[1].strip() for row in rows[2:]]


# -- (a) README's command table against `techtransfer --help` ------------------------------------------------------


def readme_commands() -> set[str]:
    cells = first_cells(section(README, "Command line"))
    return {re.match(r"`techtransfer ([a-z-]+)", cell).group(1) for cell in cells}


def help_commands(help_text: str) -> set[str]:
    listing = help_text.split("COMMAND\n", 1)[1]
    return set(re.findall(r"^ {4}([a-z][a-z-]*)", listing, re.M))


def test_readme_command_table_equals_the_help(tmp_path):
    out = run(["--help"], tmp_path / "data")
    assert out.returncode == 0
    parser_commands = set(cli.build_parser()._subparsers._group_actions[0].choices)
    assert help_commands(out.stdout) == parser_commands
    assert readme_commands() == parser_commands, "README's command table and `techtransfer --help` disagree"
    assert not (tmp_path / "data").exists(), "`techtransfer --help` must not create the data folder"


# -- (b) README's environment table against the settings reader ---------------------------------------------------


def environment_reads() -> set[str]:
    """Every ``TECHTRANSFER_*`` name the source reads (a string constant of exactly that name). A name read with
    ``getattr(settings, ...)`` is a Django setting, not an environment variable, and is left out."""
    names: set[str] = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        settings_names = {
            id(node.args[1]) for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
            and len(node.args) > 1
        }
        names |= {
            node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and ENV_NAME.match(node.value)
            and id(node) not in settings_names
        }
    return names


def test_readme_environment_table_equals_the_variables_read():
    documented = {re.match(r"`(TECHTRANSFER_[A-Z0-9_]+)`", cell).group(1)
                  for cell in first_cells(section(README, "Configuration"))}
    read = environment_reads()
    assert "TECHTRANSFER_DATA_DIR" in read and "TECHTRANSFER_EMBEDDING_MODEL" in read  # the reader finds both kinds
    assert read - documented == set(), "read but not in README's environment table"
    assert documented - read == set(), "in README's environment table but never read"


# -- (c) docs/architecture.md's plug-in table against PlatformAppConfig and the apps -------------------------------


def test_architecture_plugin_table_lists_exactly_the_plugin_points():
    cells = first_cells(section(ARCHITECTURE, "How an app plugs in"))
    documented = [m.group(1) for cell in cells if (m := re.match(r"`([a-z_]+)( = [^`]*)?`$", cell))]
    assert documented == list(PlatformAppConfig.plugin_points)
    assert all(hasattr(PlatformAppConfig, name) for name in PlatformAppConfig.plugin_points)


def test_every_app_plugs_in_through_platform_app_config_and_its_declarations_exist():
    apps = plugins.platform_apps()
    ours = [c for c in django_apps.get_app_configs() if c.name.startswith("techtransfer.")]
    assert ours == apps, "every techtransfer app's AppConfig derives from PlatformAppConfig"
    for config in apps:
        where = config.name
        if config.api_prefix:
            assert find_spec(f"{where}.api"), where
            assert dict(plugins.api_routers())[config.api_prefix] is not None
        if config.url_prefix:
            assert find_spec(f"{where}.urls"), where
        for path in (config.headline_figures, config.demo_loader, *config.health_checks, *config.status_checks,
                     *config.well_known.values()):
            if path:
                assert callable(plugins.resolve(config, path)), f"{where}: {path}"
        if config.search_documents:
            assert find_spec(f"{where}.{config.search_documents}"), where
        if config.search_url_name:
            assert reverse(config.search_url_name)
        # A module of a plug-in kind without its declaration would be silently ignored.
        if find_spec(f"{where}.demo") and where != "techtransfer.demo":
            assert config.demo_loader, f"{where} has demo.py but declares no demo_loader"
        if find_spec(f"{where}.figures"):
            assert config.headline_figures, f"{where} has figures.py but declares no headline_figures"
        if find_spec(f"{where}.search") and where != "techtransfer.core":  # core.search: the document types
            assert config.search_documents, f"{where} has search.py but declares no search_documents"
        commands_dir = Path(find_spec(where).submodule_search_locations[0]) / "management"
        commands = set(find_commands(str(commands_dir))) if commands_dir.is_dir() else set()
        declared = {name.replace("-", "_") for name in config.cli_commands}
        assert commands == declared, f"{where}: management commands and cli_commands disagree"
        for name in declared:
            assert isinstance(load_command_class(where, name), PlatformCommand)


def test_cli_reads_the_same_commands_without_django():
    declared = {(name, text, c.name) for c in plugins.platform_apps() for name, text in c.cli_commands.items()}
    assert {(c.name, c.help, c.app) for c in plugins.cli_commands()} == declared
