"""Text similarity for correlation: identifier-aware tokens and Okapi BM25 over a small candidate set."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*|[0-9]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")

# Words that carry no topic; kept short on purpose so domain words (alert, error, page) stay searchable.
STOPWORDS = frozenset(
    """a an and are as at be been but by can could did do does doing don done for from had has have having he her
    here hers him his how i if in into is it its it's just me my no nor not of off on once only or our out over
    own same she should so some such than that the their them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you your yours
    ok okay yeah yes hi hey thanks thank please lol im ive id ill gonna wanna get got also now still like
    http https www com org net html amp gt lt re via let us one two new use used using all any more most""".split()
)


def _stem(word: str) -> str:
    """A very light stemmer for plurals and -ing/-ed, so alert/alerts/alerting and alias/aliases meet."""
    n = len(word)
    if n > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if n > 4 and word.endswith("es") and word[-3] in "sxz" or n > 5 and word.endswith(("ches", "shes")):
        return word[:-2]
    if n > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "as", "os")):
        return word[:-1]
    if n > 5 and word.endswith("ing"):
        return word[:-3]
    if n > 4 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]
    return word


def split_identifier(token: str) -> list[str]:
    """`readAlias` -> [read, alias]; `HTTPServer` -> [http, server]; digits apart."""
    return [p.lower() for p in _CAMEL.findall(token)]


def tokenize(text: str | None) -> list[str]:
    """Identifier-aware tokens: `read_alias`, `readAlias`, `read-alias` and `read alias` all give read, alias.

    The whole identifier is kept too (`readalias`), so an exact identifier match counts more.
    """
    if not text:
        return []
    out: list[str] = []
    for raw in _SPLIT.split(text):
        if raw:
            out.extend(_chunk_tokens(raw))
    return out


_SPLIT = re.compile(r"[^A-Za-z0-9_-]+")


@lru_cache(maxsize=200_000)
def _chunk_tokens(raw: str) -> tuple[str, ...]:
    # Words repeat a lot across candidates: caching per chunk keeps tokenizing proportional to new words.
    parts = [p for chunk in re.split(r"[_-]+", raw) if chunk for p in split_identifier(chunk)]
    out = [_stem(p) for p in parts if len(p) >= 2 and p not in STOPWORDS and not (p.isdigit() and len(p) > 6)]
    if len(parts) > 1:
        whole = "".join(parts)
        if len(whole) <= 40:
            out.append(_stem(whole))
    return tuple(out)


def template(text: str | None) -> str:
    """Text with its numbers, ids and dates left out (`pod-7f9c-x2k`, `2023-10-16`, `6h`, whole): what a bot
    or a job says every time in the same words."""
    kept = [raw for raw in _SPLIT.split(text or "") if raw and not any(c.isdigit() for c in raw)]
    return " ".join(t for raw in kept for t in _chunk_tokens(raw))


def terms(text: str | None) -> set[str]:
    return set(tokenize(text))


class BM25:
    """Okapi BM25 of a weighted query against documents, with document frequencies from the same set."""

    def __init__(self, docs: Mapping[int, list[str]], *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.tf = {key: Counter(toks) for key, toks in docs.items()}
        self.len = {key: len(toks) for key, toks in docs.items()}
        self.n = max(len(docs), 1)
        self.avg = (sum(self.len.values()) / self.n) or 1.0
        self.df: Counter[str] = Counter()
        for counts in self.tf.values():
            self.df.update(counts.keys())

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def score(self, key: int, query: Mapping[str, float]) -> tuple[float, list[tuple[str, float]]]:
        """The score of one document and the terms that contributed most (for the reason line)."""
        counts = self.tf.get(key)
        if not counts:
            return 0.0, []
        norm = self.k1 * (1 - self.b + self.b * self.len[key] / self.avg)
        parts: list[tuple[str, float]] = []
        for term, weight in query.items():
            f = counts.get(term)
            if f:
                parts.append((term, weight * self.idf(term) * f * (self.k1 + 1) / (f + norm)))
        parts.sort(key=lambda p: (-p[1], p[0]))
        return sum(p[1] for p in parts), parts


def weighted_query(fields: Iterable[tuple[str | None, float]], *, cap: float = 6.0) -> dict[str, float]:
    """Merge texts with weights into one query: term -> weight, capped so a chatty field cannot dominate."""
    query: dict[str, float] = {}
    for text, weight in fields:
        for tok in tokenize(text):
            query[tok] = query.get(tok, 0.0) + weight
    return {t: min(w, cap) for t, w in query.items()}


_CAMEL_HINT = re.compile(r"[a-z][A-Z]")
_IDENT = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:[_.][A-Za-z0-9]+)+\b|\b[a-z]+(?:[A-Z][a-z0-9]+)+\b")


def identifiers(text: str | None) -> set[str]:
    """Code identifiers in text, normalised so `read_alias`, `readAlias` and `read-alias` are one:
    snake_case, dotted and camelCase names of at least 6 letters (URLs and file names left out)."""
    if not text:
        return set()
    if "_" not in text and "." not in text and not _CAMEL_HINT.search(text):
        return set()
    text = re.sub(r"https?://\S+", " ", text[:20000])
    out = set()
    for m in _IDENT.finditer(text):
        raw = m.group(0)
        if raw.lower().endswith((".py", ".go", ".ts", ".js", ".yml", ".yaml", ".json", ".md", ".tf", ".rb", ".java")):
            continue
        parts = [p for chunk in re.split(r"[_.]", raw) for p in split_identifier(chunk)]
        norm = "_".join(parts)
        if len(norm.replace("_", "")) >= 6 and len(parts) >= 2 and not any(p.isdigit() for p in parts[:1]):
            out.add(norm)
    return out
