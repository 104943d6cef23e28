"""The investigator's report of the seed incident: the story in one view, untrusted text inert, Markdown valid."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from sqlalchemy.orm import Session

from lookback.output import md_escape, md_link
from lookback.report import write_report
from lookback.report.mrkdwn import mrkdwn_html, plain_text, safe_url, text_html
from tests.report.conftest import HOSTILE_TS
from warehouse.queries import evidence_items, label

SECTIONS = ["Background", "Who responded", "Executive summary", "Customer and employee impact", "Key takeaways",
            "Triggering event", "Contributors and enablers", "Mitigators", "Difficulties during handling",
            "Follow-up items"]


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of the document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    return parser


def assert_inert(html: str) -> None:
    """No tag or attribute that could run code, and only safe link targets."""
    tags = parse(html)
    names = {t for t, _ in tags.tags}
    assert not names & {"script", "img", "iframe", "object", "embed", "form", "input", "base", "link"}, names
    for tag, attrs in tags.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for key in ("href", "src", "xlink:href", "action"):
            value = attrs.get(key)
            if value is not None:
                assert value.startswith("#") or re.match(r"(https?:|mailto:)", value), (tag, key, value)


def write(seeded: Any, tmp_path: Path) -> tuple[str, str, list[dict[str, Any]]]:
    engine, truth, _ = seeded
    incident = str(truth["incident"]["number"])
    with Session(engine) as session:
        paths = write_report(session, incident, tmp_path / "report")
        items = evidence_items(session, incident)
    return paths.html.read_text(encoding="utf-8"), paths.markdown.read_text(encoding="utf-8"), items


def test_the_seed_report_shows_pr_22_and_pr_23_in_one_view_with_their_roles(seeded, tmp_path: Path) -> None:
    html, md, items = write(seeded, tmp_path)
    tags = parse(html)
    dots = [a for t, a in tags.tags if t == "a" and a.get("class") == "dot"]
    first_panel = html.split('<g class="panel">')[1]  # the whole lookback window
    for nid, role in (("shop/alerting#22", "detection_weakened"), ("shop/search-tools#23", "trigger")):
        assert any(d["data-id"] == nid and d["data-role"] == role for d in dots), nid
        assert f'data-id="{nid}"' in first_panel, f"{nid} is not in the overview of the whole window"
        assert re.search(rf"\*\*{role.replace('_', ' ')}\*\* · [^\n]*{re.escape(md_escape(nid).split('#')[0])}", md), nid
    # Every dot leads to its item's details, which exist exactly once.
    for d in dots:
        assert html.count(f'id="ev-{d["data-rank"]}"') == 1, d
    # The report's sections, in the order of the "How We Got Here" guide.
    headings = [m for m in re.findall(r"^## (.+)$", md, re.M) if m in SECTIONS]
    assert headings == SECTIONS
    # The pages of the affected service are drawn: the noisy run before PR 22 and the ones that paged no one.
    pages = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="5" height="9" (fill="#cf222e"|fill="#ffffff")', first_panel)
    assert pages.count('fill="#cf222e"') >= 5 and pages.count('fill="#ffffff"') >= 3
    # Impact start, the page and the resolution are marked.
    for mark in ("impact start", "page", "resolved"):
        assert f">{mark} " in first_panel
    assert "Lou Fontaine" in html and "paged by hand" in html  # the manual page is a difficulty of the response


def test_hostile_text_from_slack_and_github_renders_inert(seeded, tmp_path: Path) -> None:
    html, md, items = write(seeded, tmp_path)
    _, _, channel = seeded
    hostile = next(i for i in items if i["native_id"] == f"{channel}/{HOSTILE_TS}")
    assert hostile["rank"] <= 200, "the hostile message must be in the report for this test to mean anything"
    # It is shown, as text: the markup is escaped, not dropped.
    assert "&lt;script&gt;document.documentElement.setAttribute(" in html
    assert "&lt;img src=x onerror=" in html
    assert_inert(html)
    # The same holds for the Markdown once a wiki renders it.
    assert_inert(MarkdownIt("commonmark").enable("table").render(md))
    assert "](javascript" not in md and "(<javascript" not in md


def test_the_markdown_is_valid_commonmark_with_tables_and_no_raw_html(seeded, tmp_path: Path) -> None:
    _, md, _ = write(seeded, tmp_path)
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    flat = [t for tok in tokens for t in [tok, *(tok.children or [])]]
    assert not [t for t in flat if t.type in ("html_block", "html_inline")], "evidence text became HTML"
    assert [t for t in flat if t.type == "table_open"], "the ranked evidence table did not parse as a table"
    row_cells: list[int] = []
    cells = 0
    for t in flat:
        if t.type == "tr_open":
            cells = 0
        elif t.type in ("th_open", "td_open"):
            cells += 1
        elif t.type == "tr_close":
            row_cells.append(cells)
    assert row_cells and set(row_cells) == {6}, "a table row lost or gained a cell"
    for t in flat:
        if t.type == "link_open":
            assert re.match(r"https?://", t.attrs["href"]), t.attrs


def test_labels_show_and_irrelevant_items_drop_out(seeded, tmp_path: Path) -> None:
    engine, truth, _ = seeded
    incident = str(truth["incident"]["number"])
    with Session(engine) as session:
        slack = [i for i in evidence_items(session, incident) if i["source"] == "slack"][:2]
    with Session(engine) as session, session.begin():
        label(session, incident, "shop/alerting#22", "relevant")
        label(session, incident, slack[0]["native_id"], "irrelevant")
    try:
        html, md, _ = write(seeded, tmp_path)
        assert "investigator: relevant" in html and "investigator: relevant" in md
        assert slack[0]["url"] not in html and slack[0]["url"] not in md
        assert slack[1]["url"] in html
    finally:
        with Session(engine) as session, session.begin():
            from sqlalchemy import text

            session.execute(text("UPDATE evidence_link SET label = NULL, labeled_at = NULL"))
            from warehouse.queries import incident_id_of, rerank

            rerank(session, incident_id_of(session, incident))


def test_mrkdwn_keeps_only_safe_markup() -> None:
    users, channels = {"U1": "Ana <b>"}, {"C1": "search"}
    out = str(mrkdwn_html("<script>x</script> <img src=x onerror=alert(1)> <javascript:alert(1)|click> "
                          "<https://ok.example/a?b=1&amp;c=2|fine> <@U1> <#C1> <!here> `a<b` *bold* &lt;i&gt;", users, channels))
    assert_inert(out)
    assert '<a href="https://ok.example/a?b=1&amp;c=2" rel="noopener noreferrer nofollow">fine</a>' in out
    assert "@Ana &lt;b&gt;" in out and "#search" in out and "@here" in out
    assert "<code>a&lt;b</code>" in out and "<b>bold</b>" in out and "&lt;i&gt;" in out
    assert ">click<" not in out  # a javascript: link is not a link
    assert safe_url("JaVaScRiPt:alert(1)") is None and safe_url("java\nscript:alert(1)") is None
    assert safe_url("data:text/html,x") is None and safe_url("https://x.example") == "https://x.example"
    assert str(text_html("see https://x.example/p?q=1 <b>")) == (
        'see <a href="https://x.example/p?q=1" rel="noopener noreferrer nofollow">https://x.example/p?q=1</a> &lt;b&gt;')
    assert plain_text("<https://x.example|PR 23> <@U1>", users) == "PR 23 (https://x.example) @Ana <b>"
    assert md_link("a](javascript:x)", "javascript:alert(1)") == "a\\](javascript:x)"
    assert md_escape("<script> | *x*") == "\\<script\\> \\| \\*x\\*"
