"""The one way an app plugs into the platform: class attributes on its ``AppConfig``.

Every platform app's ``AppConfig`` derives from :class:`PlatformAppConfig` and sets the attributes of what it
provides; ``techtransfer.core.plugins`` reads them (in ``INSTALLED_APPS`` order) for the API root, the URL map,
the home page, the demo loader, ``techtransfer check``, the site search and the command line. Nothing central
lists the apps. docs/architecture.md ("How an app plugs in") documents the same table; tests/test_docs.py keeps
the two equal.

Dotted paths are relative to the app's package: ``"figures.headline_figures"`` on ``techtransfer.catalog`` is
``techtransfer.catalog.figures.headline_figures``.
"""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class PlatformAppConfig(AppConfig):
    """Base of every platform app's configuration; each plug-in point below is optional."""

    #: ``"/things"``: the ``router`` of ``<app>.api`` is mounted at ``/api/v1/things`` (``config/api.py``).
    api_prefix: str = ""
    #: ``"things/"``: the URL patterns of ``<app>.urls`` are mounted at ``/things/`` (``config/urls.py``).
    url_prefix: str = ""
    #: ``"figures.headline_figures"``: a function returning ``[{"key", "label", "value"}, ...]`` shown on the home
    #: page and at ``GET /api/v1/figures`` (``core/services.py``).
    headline_figures: str = ""
    #: ``"demo.load"``: ``load(progress) -> int`` adds the app's part of the demo world, once, after the foundation
    #: part (``demo/services.py``).
    demo_loader: str = ""
    #: ``"search"``: the module that registers the app's search documents; the search index reads every such module
    #: through ``core.plugins.app_modules("search_documents")``.
    search_documents: str = ""
    #: ``"matching:search"``: the URL name the site search box (``/search/``) redirects to (``core/views.py``).
    search_url_name: str = ""
    #: ``("health.region_table",)``: functions ``() -> list[str]`` (problems, empty when healthy) run by
    #: ``techtransfer check`` and ``techtransfer serve`` once the database is reachable and migrated
    #: (``core/health.py``).
    health_checks: tuple[str, ...] = ()
    #: ``("health.backlog",)``: functions ``() -> list[core.health.Check]`` reporting how the running service
    #: does (``ok``/``degraded``: a backlog, a lag), shown by ``GET /api/v1/health`` and ``techtransfer check``
    #: (``core/health.py``).
    status_checks: tuple[str, ...] = ()
    #: ``{"import": "one-line help", ...}``: management commands of the app (``<app>/management/commands/``, a
    #: hyphen in the name is an underscore in the module) that ``techtransfer`` lists in ``--help`` with that line
    #: and runs with the rest of the command line (``cli.py``). The help line is declared here so that
    #: ``techtransfer --help`` needs no configured Django.
    cli_commands: dict[str, str] = {}
    #: ``{"example.json": "views.well_known"}``: views served at the site root under ``/.well-known/<name>``
    #: (RFC 8615), for documents other systems look up by a fixed address (``config/urls.py``).
    well_known: dict[str, str] = {}
    #: ``"services.lists.text_search"``: the text search provider of the catalogue lists (``core.search.TextSearch``):
    #: ``text_search(kind, q, filters, limit=, offset=, facets=) -> core.search.TextHits`` over the public records of
    #: a kind; the first app that declares one answers (``core.search.text_search``).
    text_search: str = ""

    #: The plug-in points above, in the order of the table in docs/architecture.md. Background tasks need no
    #: attribute: Huey's ``run_huey`` (``techtransfer worker``) imports every installed app's ``tasks`` module.
    plugin_points = (
        "api_prefix",
        "url_prefix",
        "headline_figures",
        "demo_loader",
        "search_documents",
        "search_url_name",
        "health_checks",
        "status_checks",
        "cli_commands",
        "well_known",
        "text_search",
    )

    # Django takes the one AppConfig subclass found in an app's apps.py (``default`` not False); this base, imported
    # there, must not count as a second one, or Django falls back to a plain AppConfig and the plug-ins vanish.
    default = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.default = cls.__dict__.get("default", True)


class CoreConfig(PlatformAppConfig):
    name = "techtransfer.core"
    verbose_name = _("Platform")
    cli_commands = {
        "backup": "write the database and the uploads into one archive (FILE), online",
        "restore": "restore an archive of `techtransfer backup` into an empty installation (--force: replace)",
    }

    def ready(self):
        # Every app's named permission rules (``<app>/permissions.py``, ``@permissions.rule``) are registered once
        # all models are loaded, before the first request asks for one by name.
        autodiscover_modules("permissions")
        # Log lines carry the id of the request being served (TECHTRANSFER_LOG_FORMAT=json); imported here because
        # this module is read without a configured Django (`techtransfer --help`).
        from techtransfer.core import logs

        logs.connect()
