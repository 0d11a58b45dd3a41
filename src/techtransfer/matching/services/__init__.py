"""The matching engine as the platform uses it — 供需智配: one search over achievements, demands, experts, brokers
and organizations; similar records; recommendations for a demand; candidate demands and enterprises for an
achievement. Every hit explains itself.

Rules:
- **Permission-aware.** The engine query itself is limited to what the user may read (public records, records of
  the user's organizations, records inside the user's administered regions), and every hit is checked again
  against the database with ``accounts.permissions.visible`` before it is shown: a record withdrawn a moment ago
  vanishes at once, even before the index has caught up.
- **Public text only.** Documents are built from public fields (``indexing``); snippets are cut from the public
  fields of the record as it is in the database now — an achievement's protected details never appear.
- **Explanations.** Matched terms (highlighted), shared technical field, shared IPC subclass, TRL fit (for a
  demand's cooperation modes), region proximity (same county, city or province).
- **Semantic retrieval is optional.** When ``engine.semantic`` and ``engine.fusion`` are present, an encoder is
  configured (``TECHTRANSFER_EMBEDDING_MODEL``) and the vector index has been built, lexical and semantic
  rankings are fused; otherwise the lexical ranking stands alone.

The package by concern, each module importing only those before it: ``filters`` (the user's filters and read
scope), ``records`` (hits loaded back from the database), ``explain`` (why a hit matches), ``ranking`` (lexical,
semantic, fused; facets), ``searching`` (search), ``recommend`` (recommendations, similar records).
"""

from ..indexing import ALL_KINDS
from .filters import KIND_LABELS, PRICE_BAND_LABELS, SOURCES, clean_filters, filter_choices, kind_choices, source_kinds
from .recommend import candidates_for_achievement, recommend_for_demand, similar
from .records import Hit, _candidate_fields, _field_rows, public_text
from .searching import SearchPage, matches_record, search

__all__ = ["ALL_KINDS", "Hit", "SearchPage", "search", "similar", "recommend_for_demand",
           "candidates_for_achievement", "matches_record", "clean_filters", "filter_choices", "kind_choices",
           "public_text", "KIND_LABELS", "SOURCES", "source_kinds", "PRICE_BAND_LABELS", "_candidate_fields",
           "_field_rows"]
