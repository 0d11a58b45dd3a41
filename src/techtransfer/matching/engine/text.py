"""Chinese-first text analysis for the matching engine — 文本分析.

Pipeline (the same on the index side and the query side, so that both produce comparable tokens):

1. Unicode NFKC: full-width letters, digits and punctuation become half-width (``Ｌｉ－ｉｏｎ`` → ``Li-ion``),
   the ideographic space becomes a space.
2. Traditional → simplified Chinese with OpenCC's Taiwan phrase table (``tw2sp``: 臺灣 → 台湾, 軟體 → 软件,
   資料庫 → 数据库), so Hong Kong and Taiwan input matches the mainland catalogue. Text without a single
   traditional character skips the conversion (the common case, and the expensive step).
3. Lower case.
4. Segmentation with jieba's dictionary in search mode (``cut_for_search``: long words also yield their
   dictionary sub-words, so 锂电池 gives 锂电, 电池, 锂电池) — rjieba, the Rust port, when installed, else jieba —
   extended with a domain dictionary (the catalogue's own keywords and the names
   of the technical fields — ``add_terms``).
5. Drop punctuation, white space and stop words.

Public functions: ``analyze(text) -> list[str]`` (index side, every token with repetitions, for term
frequencies), ``analyze_query(text) -> list[str]`` (query side, distinct tokens in order), ``normalize(text)``,
``add_terms(terms)`` (domain dictionary), ``highlight(text, terms)`` (an HTML-escaped snippet with ``<mark>``).
Tokens never contain white space, so ``" ".join(tokens)`` is a valid input for a whitespace tokenizer.
"""

from __future__ import annotations

import html
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

_lock = threading.RLock()
_tokenizer = None
_converter = None
_trad_chars: frozenset[str] = frozenset()
_terms: set[str] = set()

# Function words and boilerplate of catalogue texts: they match everything and rank nothing.
STOP_WORDS = frozenset(
    """
    的 了 和 与 及 或 等 在 是 为 对 以 于 中 上 下 由 从 将 把 被 并 其 该 此 这 那 之 而 且 也 都 就 又 及其 以及
    一种 一个 一些 这种 那种 这些 那些 我们 本 所 所述 通过 进行 采用 利用 使用 具有 可以 能够 可 能 用于 实现 基于
    关于 方面 方法 及时 已 已经 还 但 但是 如果 因此 因为 所以 同时 其中 以上 以下 之间 之一 相关 问题 需要 需求
    研究 技术 提供 包括 主要 我 你 他 她 它 有 无 不 没有 很 较 更 最 各 每 个 项 次 种 类 其他 其它 各种
    到 均 把 让 向 往 至 则 即 若 如 因 故 却 仍 再 只 比 太 么 呢 吗 吧 啊 着 过 给 跟 同 得 地 要 会 后 前 时
    a an and are as at be by for from has have in into is it its of on or that the this to was were which with
    we our can using based via
    """.split()
)

_PUNCT_RE = re.compile(r"^[\W_]+$", re.UNICODE)
_SPACE_RE = re.compile(r"\s+")


def _opencc_dir() -> Path:
    import opencc  # loaded with the converter, on the first traditional-Chinese text

    return Path(opencc.__file__).resolve().parent / "dictionary"


def _load_converter():
    global _converter, _trad_chars
    from opencc import OpenCC  # its dictionaries load on first use, not when the module is imported

    converter = OpenCC("tw2sp")
    candidates: set[str] = set()
    for name in ("TSCharacters.txt", "TWVariantsRev.txt"):
        path = _opencc_dir() / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                src = line.split("\t", 1)[0]
                if len(src) == 1:
                    candidates.add(src)
    # Only characters the conversion really changes trigger it (温 is a Taiwan variant key that maps to itself).
    _trad_chars = frozenset(c for c in candidates if converter.convert(c) != c)
    _converter = converter


class _Segmenter:
    """jieba's dictionary and search mode; rjieba (the Rust port, ~20× faster on this machine) when installed,
    else jieba itself. Both take the same dictionary, so the domain terms behave the same."""

    def __init__(self):
        # rjieba's segmenter is a Rust object behind a borrow check: adding a word while another thread cuts raises
        # "Already borrowed" (seen with the task worker's threads). One lock orders cuts and additions.
        self._mutex = threading.Lock()
        try:
            import rjieba  # optional (the faster port): jieba below when it is not installed

            self._impl = rjieba.Jieba()
            self._cut = self._impl.cut_for_search
            self._add = lambda word, freq: self._impl.add_word(word, freq, None)
            self.engine = "rjieba"
        except ImportError:
            import jieba  # the fallback segmenter, only without rjieba

            jieba.setLogLevel(logging.WARNING)
            self._impl = jieba.Tokenizer()
            self._impl.initialize()
            self._cut = self._impl.cut_for_search
            self._add = lambda word, freq: self._impl.add_word(word, freq=freq)
            self.engine = "jieba"

    def cut_for_search(self, text: str) -> list[str]:
        with self._mutex:
            return list(self._cut(text))

    def add_word(self, word: str) -> None:
        # High enough that the whole term is kept as one word (as jieba's suggest_freq would decide) without the
        # cost of segmenting it once more for every term added.
        with self._mutex:
            self._add(word, 50_000)


def _load_tokenizer():
    global _tokenizer
    tok = _Segmenter()
    for term in _terms:
        tok.add_word(term)
    _tokenizer = tok


def _ready():
    if _tokenizer is None or _converter is None:
        with _lock:
            if _converter is None:
                _load_converter()
            if _tokenizer is None:
                _load_tokenizer()
    return _tokenizer


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), traditional → simplified, lower case, collapsed white space."""
    if not text:
        return ""
    _ready()
    return _SPACE_RE.sub(" ", _simplified(unicodedata.normalize("NFKC", text))).strip().lower()


@lru_cache(maxsize=4096)
def _normalized_once(text: str) -> str:
    """``normalize`` of a stored text (a hit's title and public text) for showing matches, with
    ``_shown_simplified``; cached: the same hits come back for the same and similar queries, and their snippets
    and matched terms need the normalized text each time."""
    if not text:
        return ""
    _ready()
    return _SPACE_RE.sub(" ", _shown_simplified(unicodedata.normalize("NFKC", text))).strip().lower()


# Phrases of the conversion tables hold neither white space nor punctuation, so a text converts clause by clause.
_CLAUSE_RE = re.compile(r"([\s,.;:!?()\[\]<>\"'，。；：！？、（）《》“”‘’「」【】]+)")


def _shown_simplified(text: str) -> str:
    """``_simplified`` for finding a query's tokens in a stored text (snippets, matched terms), clause by clause:
    only the clauses holding a traditional character go through OpenCC (pure Python, ~1 ms per 100 characters —
    a hit's whole abstract converted per search was most of the search service's time). The clauses converted
    are converted as the index converted them; a phrase the index's whole-text conversion changes in a clause
    without any traditional character (tw2sp turns 程序 into 进程) is left as written, as in the original."""
    if _trad_chars.isdisjoint(text):
        return text
    if len(text) <= 64:
        return _converted(text)
    return _converted_by_clause(text)


@lru_cache(maxsize=4096)
def _converted_by_clause(text: str) -> str:
    return "".join(_converter.convert(part) if not _trad_chars.isdisjoint(part) else part
                   for part in _CLAUSE_RE.split(text))


def _simplified(text: str) -> str:
    """``text`` with traditional characters converted to simplified (unchanged when it has none)."""
    return _converted(text) if not _trad_chars.isdisjoint(text) else text


@lru_cache(maxsize=8192)
def _converted(text: str) -> str:
    """The conversion of a text holding traditional characters (OpenCC here is pure Python: ~1 ms per 100
    characters). Cached per process: the stored texts of hits come back for every search that finds them
    (snippets, matched terms), so a record's text is converted once, not once per query."""
    return _converter.convert(text)


def _keep(token: str) -> bool:
    if token in STOP_WORDS:
        return False
    return token.isalnum() or (bool(token) and not _PUNCT_RE.match(token) and not any(c.isspace() for c in token))


# ``_keep`` of the tokens seen so far: a catalogue's vocabulary is small next to its running text (a rebuild asks
# about millions of tokens, a few hundred thousand distinct ones).
_kept: dict[str, bool] = {}


def analyze(text: str) -> list[str]:
    """Index-side tokens of ``text`` (search-mode segmentation, repetitions kept)."""
    norm = normalize(text)
    if not norm:
        return []
    tok = _ready()
    out = []
    kept = _kept
    for t in tok.cut_for_search(norm):
        keep = kept.get(t)
        if keep is None:
            keep = _keep(t)
            if len(kept) < 1_000_000:
                kept[t] = keep
        if keep:
            out.append(t)
    return out


@lru_cache(maxsize=4096)
def _analyze_query(text: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for t in analyze(text):
        seen.setdefault(t, None)
    return tuple(seen)


def analyze_query(text: str) -> list[str]:
    """Query-side tokens of ``text``: the index-side analysis, distinct, in order of appearance."""
    return list(_analyze_query(text or ""))


def add_terms(terms: Iterable[str]) -> int:
    """Add domain terms (keywords, technical-field names) to the segmentation dictionary. Returns how many were
    new. Terms are normalized first; terms of one character or with white space inside are skipped."""
    added = 0
    with _lock:
        tok = _tokenizer
        for raw in terms:
            term = normalize(str(raw or "")) if _converter is not None else unicodedata.normalize(
                "NFKC", str(raw or "")).strip().lower()
            if len(term) < 2 or " " in term or term in _terms or len(term) > 30:
                continue
            _terms.add(term)
            if tok is not None:
                tok.add_word(term)
            added += 1
        if added:
            _analyze_query.cache_clear()
    return added


def add_normalized_terms(terms: Iterable[str]) -> None:
    """Add terms that ``domain_terms`` of another process returned (already normalized and checked): a process
    analysing text for a rebuild starts with the dictionary of the process that asked."""
    with _lock:
        tok = _ready()
        for term in terms:
            if term not in _terms:
                _terms.add(term)
                tok.add_word(term)
        _analyze_query.cache_clear()


def domain_terms() -> frozenset[str]:
    """The domain terms added so far."""
    return frozenset(_terms)


def highlight(text: str, terms: Iterable[str], width: int = 160) -> str:
    """An HTML-escaped fragment of ``text`` of about ``width`` characters around the densest occurrence of
    ``terms`` (query tokens), each occurrence wrapped in ``<mark>``. Matching is done on the normalized text, so
    a traditional-character query highlights its simplified match; the fragment shows the original text.
    Returns "" when no term occurs."""
    if not text:
        return ""
    _ready()
    # NFKC may change lengths; the conversion tables map character for character in the common case, so
    # fall back to matching the lower-cased original when lengths differ.
    norm, source = _highlight_source(text)
    words = sorted({t for t in terms if t and len(t) <= 40}, key=len, reverse=True)
    if not words:
        return ""
    pattern = re.compile("|".join(re.escape(w) for w in words))
    spans: list[tuple[int, int]] = []
    for m in pattern.finditer(norm):
        if len(m.group()) == 1 and not m.group().isalnum():
            continue
        spans.append(m.span())
    if not spans:
        return ""
    # The window of ``width`` characters holding the most matches.
    best, best_count, j = 0, 0, 0
    for i, (start, _end) in enumerate(spans):
        while spans[j][0] < start - width:
            j += 1
        if i - j + 1 > best_count:
            best_count, best = i - j + 1, spans[j][0]
    lo = max(0, min(best - width // 8, len(source) - width))
    hi = min(len(source), lo + width)
    out, pos = [], lo
    for start, end in spans:
        if start < lo or end > hi or start < pos:
            continue
        out.append(html.escape(source[pos:start]))
        out.append("<mark>" + html.escape(source[start:end]) + "</mark>")
        pos = end
    out.append(html.escape(source[pos:hi]))
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(source) else ""
    return prefix + "".join(out) + suffix


@lru_cache(maxsize=4096)
def _highlight_source(text: str) -> tuple[str, str]:
    """(the text matched against, the text shown) for ``highlight``, computed once per stored text."""
    norm = unicodedata.normalize("NFKC", text)
    converted = _shown_simplified(norm)
    norm = (converted if len(converted) == len(norm) else norm).lower()
    source = text if len(norm) == len(text) else unicodedata.normalize("NFKC", text)
    return norm, source


def highlighted_terms(text: str | Iterable[str], terms: Iterable[str]) -> list[str]:
    """The query tokens of two characters or more that occur in ``text`` (normalized), longest first, without
    tokens contained in a longer one that also occurs. ``text`` may be several texts (a title and a body: each
    normalized once and remembered, so the hits of the next search that finds them cost nothing)."""
    norms = [_normalized_once(text)] if isinstance(text, str) else [_normalized_once(t) for t in text if t]
    found = sorted({t for t in terms if len(t) >= 2 and any(t in norm for norm in norms)}, key=len, reverse=True)
    out: list[str] = []
    for t in found:
        if not any(t in longer for longer in out):
            out.append(t)
    return out
