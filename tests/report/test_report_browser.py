"""The report in a real browser (headless Chromium): the timeline is drawn, and nothing from evidence text runs."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from lookback.report import write_report
from tests.report.test_report import assert_inert, parse

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("headless Chromium is required in CI: scripts/test-all installs Debian's chromium package")
    pytest.skip("no chromium on PATH (scripts/test-all installs it when it can)")


def run_chromium(binary: str, profile: Path, *args: str) -> str:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--virtual-time-budget=3000"]
    done = subprocess.run([binary, *flags, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_report_renders_in_chromium_with_its_timeline_and_no_script_runs(seeded, tmp_path: Path) -> None:
    binary = chromium()
    engine, truth, _ = seeded
    with Session(engine) as session:
        paths = write_report(session, str(truth["incident"]["number"]), tmp_path / "report")
    url = paths.html.resolve().as_uri()
    dom = run_chromium(binary, tmp_path / "profile", "--dump-dom", url)
    # The page as the browser built it, after load: the timeline and its items are there.
    assert dom.count('class="dot"') >= 20
    for nid in ("shop/alerting#22", "shop/search-tools#23"):
        assert f'data-id="{nid}"' in dom
    assert "<svg" in dom and 'class="panel"' in dom
    # No script from evidence text ran (each would have set this attribute on <html>), and none is in the DOM.
    tags = parse(dom)
    assert not [a for t, a in tags.tags if "data-pwned" in a], "a script from evidence text ran"
    assert_inert(dom)
    assert "&lt;script&gt;document.documentElement" in dom  # the hostile text is on the page, as text
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-seed.png"
    shot.unlink(missing_ok=True)
    run_chromium(binary, tmp_path / "profile", "--window-size=1280,2400", f"--screenshot={shot}", url)
    assert shot.is_file() and shot.stat().st_size > 20_000
