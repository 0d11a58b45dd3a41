"""Demo part of the matching engine: index the demo catalogue (lexical only, no encoding), so that search and
recommendations work as soon as the demo starts."""

from __future__ import annotations


def load(progress) -> int:
    from . import indexing

    result = indexing.rebuild(progress=progress, semantic=False)
    return result["documents"]
