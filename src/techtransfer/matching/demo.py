"""Demo part of the matching engine: index the demo catalogue (lexical only, no encoding), so that search and
recommendations work as soon as the demo starts."""

from __future__ import annotations

from . import indexing


def load(progress) -> int:
    result = indexing.rebuild(progress=progress, semantic=False)
    return result["documents"]
