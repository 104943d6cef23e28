"""Identifier-aware tokens and BM25 used by the content signal."""

from __future__ import annotations

from warehouse.textsim import BM25, tokenize, weighted_query


def test_identifier_spellings_meet() -> None:
    spellings = ["read_alias", "readAlias", "read-alias", "read alias", "ReadAlias", "READ_ALIAS"]
    for s in spellings:
        assert {"read", "alias"} <= set(tokenize(s)), s


def test_whole_identifier_is_kept_for_exact_matches() -> None:
    assert "readalias" in tokenize("update_read_alias(x)") or "updatereadalias" in tokenize("update_read_alias(x)")
    assert "readalias" in tokenize("readAlias")


def test_plurals_and_acronyms() -> None:
    assert tokenize("aliases alerts alerting") == ["alias", "alert", "alert"]
    assert "server" in tokenize("HTTPServer")


def test_bm25_prefers_the_document_with_the_rare_shared_word() -> None:
    docs = {1: tokenize("fix read alias for new collections"), 2: tokenize("update banner copy"),
            3: tokenize("fix flaky test"), 4: tokenize("fix typo")}
    bm = BM25(docs)
    query = weighted_query([("search misses the read alias", 1.0)])
    s1, parts = bm.score(1, query)
    assert s1 > bm.score(2, query)[0] == 0.0
    assert parts[0][0] in {"alias", "read", "readalias"}


def test_template_drops_ids_numbers_and_dates_whole() -> None:
    from warehouse.textsim import template

    a = template("*OOMKilled* `ticketing/seatmap-api-24sjcg5jrg-482gh` (prod-use1) limit 768Mi, run 2023-10-16")
    b = template("*OOMKilled* `ticketing/seatmap-api-c2nr7v74ht-qcrsf` (prod-use1) limit 1Gi, run 2023-10-17")
    assert a == b and "ticket" in a and "768" not in a
    assert template("backup of shard 3 finished") != template("backup of shard 3 failed")
