"""The matching engine's building blocks, free of Django: text analysis (``text``), the lexical index
(``lexical``) and, when present, semantic retrieval and rank fusion (``semantic``, ``fusion``).
``matching.services`` puts them together for the platform; the evaluation harness uses them on a corpus."""
