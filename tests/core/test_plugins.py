"""The plug-in reader: apps declared on their AppConfig, read in installed-apps order; core names no app."""

import ast
from importlib.util import find_spec
from pathlib import Path

from django.apps import apps as django_apps
from django.urls import reverse

from techtransfer.core import plugins, views

CORE = Path(views.__file__).resolve().parent


def test_the_readers_follow_the_installed_apps_order():
    order = [c.label for c in django_apps.get_app_configs()]
    loaders = [name for name, _load in plugins.demo_loaders()]
    assert loaders == ["catalog", "matching", "contracts", "trading", "subsidies", "reports", "evaluation", "exchange"]
    labels = [c.label for c in plugins.platform_apps()]
    assert labels == [label for label in order if label in labels]
    assert dict(plugins.api_routers())["/catalog"] is not None
    assert ("catalog/", "techtransfer.catalog.urls") in plugins.url_includes()
    assert plugins.search_url_name() == "matching:search"
    assert [f.__module__ for f in plugins.health_checks()] == ["techtransfer.regions.health"]
    assert [f.__module__ for f in plugins.status_checks()] == ["techtransfer.outbox.health",
                                                               "techtransfer.outbox.health",
                                                               "techtransfer.matching.health"]


def test_headline_figures_come_in_the_order_of_the_apps(db):
    from techtransfer.core.services import headline_figures

    keys = [f["key"] for f in headline_figures()]
    assert keys[:4] == ["organizations", "demonstration_institutions", "brokers", "experts"]
    assert keys.index("achievements") < keys.index("contracts_this_year")


def test_app_modules_reads_an_attribute_or_a_module_name():
    with_tasks = [c.label for c in plugins.platform_apps() if find_spec(f"{c.name}.tasks")]
    assert [c.label for c, _m in plugins.app_modules("tasks")] == with_tasks and "trading" in with_tasks
    assert [m.__name__ for _c, m in plugins.app_modules("search_documents")] == [
        f"{c.name}.{c.search_documents}" for c in plugins.platform_apps() if c.search_documents
    ]


def test_core_imports_no_app_above_it():
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                if name.startswith("techtransfer."):
                    assert name.startswith("techtransfer.core"), f"{path.name} imports {name}"


def test_site_search_redirects_to_the_declared_search_page(client):
    r = client.get("/search/", {"q": "正极材料"})
    assert r.status_code == 302
    assert r["Location"] == reverse("matching:search") + "?q=%E6%AD%A3%E6%9E%81%E6%9D%90%E6%96%99"


def test_site_search_without_a_search_app_shows_the_box_with_the_query(client, monkeypatch, db):
    monkeypatch.setattr(plugins, "search_url_name", lambda: "")
    r = client.get("/search/", {"q": "  正极材料 "})
    assert r.status_code == 200
    assert [t.name for t in r.templates][0] == "core/search.html" and r.context["q"] == "正极材料"
