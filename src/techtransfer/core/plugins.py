"""The reader of the plug-in points that apps declare on their ``AppConfig`` (see ``core/apps.py``).

Every consumer asks here, never the apps directly, so that core stays at the bottom of the layer order: it names
no app, it imports an app's module only when that app declared it. Installed apps are read in ``INSTALLED_APPS``
order, which is also the order of the home-page figures, the demo parts and the health checks.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.apps import apps as django_apps

import techtransfer
from techtransfer.core.apps import PlatformAppConfig


def platform_apps() -> list[PlatformAppConfig]:
    """The installed platform apps, in ``INSTALLED_APPS`` order."""
    return [c for c in django_apps.get_app_configs() if isinstance(c, PlatformAppConfig)]


def resolve(config: PlatformAppConfig, dotted: str):
    """The object a plug-in path names: ``"figures.headline_figures"`` on ``techtransfer.catalog`` is
    ``techtransfer.catalog.figures.headline_figures``."""
    module, _sep, name = dotted.rpartition(".")
    return getattr(import_module(f"{config.name}.{module}"), name)


def app_modules(attr_or_name: str) -> Iterator[tuple[PlatformAppConfig, ModuleType]]:
    """``(config, module)`` for every installed platform app that provides a module.

    With a plug-in attribute (e.g. ``"search_documents"``) the module is the one the app names there; with any
    other name (e.g. ``"tasks"``) it is ``<app>.<name>`` when the app has one.
    """
    by_attribute = attr_or_name in PlatformAppConfig.plugin_points
    for config in platform_apps():
        name = getattr(config, attr_or_name) if by_attribute else attr_or_name
        if not name:
            continue
        if by_attribute or find_spec(f"{config.name}.{name}") is not None:
            yield config, import_module(f"{config.name}.{name}")


def api_routers() -> list[tuple[str, object]]:
    """``(prefix, router)`` of every app with an ``api_prefix``."""
    return [(c.api_prefix, import_module(f"{c.name}.api").router) for c in platform_apps() if c.api_prefix]


def url_includes() -> list[tuple[str, str]]:
    """``(url prefix, urls module)`` of every app with a ``url_prefix``."""
    return [(c.url_prefix, f"{c.name}.urls") for c in platform_apps() if c.url_prefix]


def well_known() -> list[tuple[str, Callable]]:
    """``(name, view)`` of every document an app serves at ``/.well-known/<name>``; a name declared twice is an
    error (two apps cannot answer one address)."""
    found: dict[str, Callable] = {}
    for c in platform_apps():
        for name, path in c.well_known.items():
            if name in found:
                raise ValueError(f"/.well-known/{name} is declared by two apps")
            found[name] = resolve(c, path)
    return list(found.items())


def headline_figure_providers() -> list[Callable[[], list[dict]]]:
    return [resolve(c, c.headline_figures) for c in platform_apps() if c.headline_figures]


def demo_loaders() -> list[tuple[str, Callable]]:
    """``(part name, load)``: the app label names the part recorded in ``demo.DemoPart``."""
    return [(c.label, resolve(c, c.demo_loader)) for c in platform_apps() if c.demo_loader]


def health_checks() -> list[Callable[[], list[str]]]:
    return [resolve(c, path) for c in platform_apps() for path in c.health_checks]


def status_checks() -> list[Callable[[], list]]:
    return [resolve(c, path) for c in platform_apps() for path in c.status_checks]


def search_url_name() -> str:
    """The URL name of the site search (the first app that declares one), or ``""`` when no app does."""
    return next((c.search_url_name for c in platform_apps() if c.search_url_name), "")


def text_search_provider() -> Callable | None:
    """The text search of the catalogue lists (the first app that declares ``text_search``), or None."""
    return next((resolve(c, c.text_search) for c in platform_apps() if c.text_search), None)


@dataclass(frozen=True)
class CliCommand:
    name: str  # as typed after ``techtransfer``
    help: str  # the line in ``techtransfer --help``
    app: str  # the app package that owns the management command

    @property
    def management_command(self) -> str:
        return self.name.replace("-", "_")


def cli_commands() -> list[CliCommand]:
    """The apps' commands, read from their ``AppConfig`` classes without configuring Django.

    ``techtransfer --help`` must stay fast and must not create the data folder (which reading the settings
    does), so the ``apps`` module of every package under ``techtransfer`` is imported (an ``apps.py`` imports
    nothing but Django's ``AppConfig`` and lazy translations); packages in name order.
    """
    found: list[CliCommand] = []
    for info in sorted(pkgutil.iter_modules(techtransfer.__path__), key=lambda i: i.name):
        if not info.ispkg or find_spec(f"techtransfer.{info.name}.apps") is None:
            continue
        module = import_module(f"techtransfer.{info.name}.apps")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, PlatformAppConfig) and value.__module__ == module.__name__:
                found += [CliCommand(name, text, value.name) for name, text in value.cli_commands.items()]
    return found
