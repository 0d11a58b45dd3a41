"""Cross-area read services for the home page."""

from __future__ import annotations

from techtransfer.core import plugins


def headline_figures() -> list[dict]:
    """Public headline figures for the home page and ``GET /api/v1/figures``: those of every installed app that
    declares a provider as ``headline_figures = "module.function"`` on its AppConfig, in installed-apps order
    (organizations and people first, as the foundation of the platform). Each figure is ``{"key", "label",
    "value"}``; ``value`` is a number or a preformatted string."""
    return [figure for provider in plugins.headline_figure_providers() for figure in provider()]
