"""Cross-area read services for the home page."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from techtransfer.core import plugins

# How long the home page's figures are reused (seconds; 0: computed on every request). They count whole tables
# (the year's contracts, the public catalogue), which at a million records costs more than the rest of the page.
HEADLINE_FIGURES_SECONDS = 60


def headline_figures() -> list[dict]:
    """Public headline figures for the home page and ``GET /api/v1/figures``: those of every installed app that
    declares a provider as ``headline_figures = "module.function"`` on its AppConfig, in installed-apps order
    (organizations and people first, as the foundation of the platform). Each figure is ``{"key", "label",
    "value"}``; ``value`` is a number or a preformatted string. The same for every user (public records only), so
    reused from the cache for ``HEADLINE_FIGURES_SECONDS`` (per language, for the labels)."""
    seconds = getattr(settings, "HEADLINE_FIGURES_SECONDS", HEADLINE_FIGURES_SECONDS)
    key = f"core:headline-figures:{get_language() or ''}"
    if seconds:
        cached = cache.get(key)
        if cached is not None:
            return cached
    figures = [{**figure, "label": str(figure["label"])}
               for provider in plugins.headline_figure_providers() for figure in provider()]
    if seconds:
        cache.set(key, figures, seconds)
    return figures
