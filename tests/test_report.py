"""The review report and `magscan overlay`, on real outputs: two generated
pages converted once per session, plus hand-made manifest rows for pages
that failed or timed out. The report is opened in a real headless Chromium."""
import json
import re
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import unquote, urlparse

import cv2
import numpy as np
import pytest
from click.testing import CliRunner

from pipeline.cli.report import overlay_cmd, report_cmd
from pipeline.outputs.files import read_page
from pipeline.outputs.overlay import KIND_COLOURS
from pipeline.outputs.report.collect import collect
from pipeline.synth.layout import PageSpec
from pipeline.synth.pages import render_page

from conftest import run_magscan

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# a document name with Chinese, spaces and quotes: it must survive HTML and URLs
ODD = '期刊 "第5期" it\'s'

SCHEMA = """CREATE TABLE pages (
  input TEXT NOT NULL, doc TEXT NOT NULL, page_number INTEGER NOT NULL, input_hash TEXT,
  status TEXT NOT NULL, error TEXT, attempts INTEGER DEFAULT 0, seconds REAL, mean_conf REAL,
  n_blocks INTEGER, n_columns INTEGER, fingerprint TEXT, options TEXT, engine TEXT,
  outputs TEXT, created_at TEXT, updated_at TEXT, PRIMARY KEY (input, page_number))"""


def make_manifest(out: Path, rows: list[dict], replace: bool = False) -> Path:
    """Add rows to OUT/manifest.sqlite as the batch runner writes it (WAL mode);
    with `replace`, or when convert wrote none, start a new one from SCHEMA."""
    path = out / "manifest.sqlite"
    if replace:
        for f in out.glob("manifest.sqlite*"):
            f.unlink()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute(SCHEMA.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"))
    known = {r[1] for r in con.execute("PRAGMA table_info(pages)")}
    for r in rows:
        r = {"attempts": 1, "input_hash": "0" * 16, "engine": "tesseract", "options": "{}",
             "created_at": "2024-01-01T00:00:00", "updated_at": "2024-01-01T00:00:00", **r}
        if isinstance(r.get("outputs"), list):
            r["outputs"] = json.dumps(r["outputs"])
        r = {k: v for k, v in r.items() if k in known}
        cols = ", ".join(r)
        con.execute(f"INSERT OR REPLACE INTO pages ({cols}) VALUES ({', '.join('?' * len(r))})",
                    list(r.values()))
    con.commit()
    con.close()
    return path


def drop_manifest(out: Path) -> None:
    for f in out.glob("manifest.sqlite*"):
        f.unlink()


def _spec(**kw) -> PageSpec:
    base = dict(seed=7, columns=2, gutter_in=0.2, page_mm=(110, 150), dpi=200, body_pt=10,
                title_pt=20, margins_in=(0.4, 0.4, 0.4, 0.4), header=True, footer=True)
    return PageSpec(**{**base, **kw})


@pytest.fixture(scope="session")
def converted(tmp_path_factory) -> Path:
    """Two small generated pages through the real `magscan convert` (Tesseract)."""
    root = tmp_path_factory.mktemp("report")
    scans = root / "scans"
    scans.mkdir()
    for name, spec in {"small-mag": _spec(figure="col", figure_col=1, figure_pos=0.3, skew_deg=0.5,
                                          noise=2.0),
                       ODD: _spec(seed=11, columns=3, gutter_in=0.15, page_mm=(140, 150))}.items():
        img, _ = render_page(spec)
        img.save(scans / f"{name}.png", dpi=(200, 200))
    out = root / "out"
    r = run_magscan("convert", scans, "-o", out, "-j", "2", timeout=300)
    assert r.returncode == 0, r.stderr
    return out


def _copy(converted: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(converted, out)
    return out


def _done_row(out: Path, doc: str) -> dict:
    page = read_page(out / doc / "page-0001.json")
    return dict(input=page.source, doc=doc, page_number=1, status="done", seconds=4.5,
                mean_conf=page.mean_conf, n_blocks=len(page.blocks), n_columns=len(page.columns),
                outputs=["page-0001"])


@pytest.fixture(scope="session")
def batch(converted, tmp_path_factory) -> Path:
    """The converted pages plus a manifest with a failed page, a timeout and a
    file that failed as a whole; the report written once."""
    out = tmp_path_factory.mktemp("batch") / "out dir"
    shutil.copytree(converted, out)
    # convert's own manifest rows for the done pages (made here if it wrote none)
    has_rows = (out / "manifest.sqlite").exists()
    make_manifest(out, ([] if has_rows else [_done_row(out, "small-mag"), _done_row(out, ODD)]) + [
        dict(input="scans/small-mag.png", doc="small-mag", page_number=2, status="failed",
             error="tesseract crashed: <signal 11> & \"core\" dumped"),
        dict(input="scans/long.pdf", doc="long", page_number=3, status="timeout",
             error="page took longer than 120 s", seconds=120.0),
        dict(input="scans/empty.png", doc="empty", page_number=0, status="failed",
             error="empty file (0 bytes)"),
    ])
    res = CliRunner().invoke(report_cmd, [str(out)])
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`make test` does, or "
                    "apt-get install -y --no-install-recommends chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: .venv/bin/pip install playwright "
                    "(no `playwright install`: the system chromium is used)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def tab(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    ctx.close()
    assert not errors, errors


# --- collecting entries -------------------------------------------------------

def test_entries_from_manifest(batch):
    entries, problems = collect(batch)
    assert problems == []
    got = {(e.doc, e.page_number): e for e in entries}
    assert set(got) == {("small-mag", 1), (ODD, 1), ("small-mag", 2), ("long", 3), ("empty", 0)}
    assert [e.status for e in entries if e.failed] == ["failed", "timeout", "failed"]
    done = got[("small-mag", 1)]
    assert done.page is not None and done.seconds > 0 and done.status == "done"
    assert got[("long", 3)].rerun_command(str(batch)) == f"magscan rerun '{batch}' --pages long:3"
    assert got[("empty", 0)].rerun_command("out") == "magscan rerun out --pages empty"
    assert got[(ODD, 1)].n_columns == 3


def test_entries_without_manifest_come_from_the_page_files(converted, tmp_path):
    out = _copy(converted, tmp_path)
    drop_manifest(out)
    entries, problems = collect(out)
    assert problems == [] and len(entries) == 2
    for e in entries:
        assert e.status == "done" and e.page is not None
        assert e.seconds == pytest.approx(sum(e.page.timings.values()), abs=0.01)
        assert e.mean_conf > 50


def test_manifest_naming_a_missing_page_file(converted, tmp_path):
    out = _copy(converted, tmp_path)
    row = _done_row(out, "small-mag")
    make_manifest(out, [row, {**row, "page_number": 2, "outputs": ["page-0002"]}], replace=True)
    entries, problems = collect(out)
    assert [e.status for e in entries] == ["done", "missing", "done"]  # ODD: not in the manifest
    assert len(problems) == 1 and "page-0002.json" in problems[0]
    assert entries[2].notes == ["not in the manifest"]


# --- the report command ---------------------------------------------------------

def test_report_files(batch):
    rdir = batch / "report"
    views = sorted(p.name for p in (rdir / "pages").iterdir())
    # the pages with results and the two failed pages; a file that failed as
    # a whole has only its index row
    assert len(views) == 4 and not any(v.startswith("empty") for v in views)
    thumbs = list((rdir / "thumbs").glob("*.jpg"))
    assert len(thumbs) == 2  # the failed pages' scans are not there
    for t in thumbs:
        img = cv2.imread(str(t))
        assert img.shape[1] == 240 and img.std() > 10  # a real picture, not a blank
    index = (rdir / "index.html").read_text(encoding="utf-8")
    # text escaped, never raw: the error's markup and the document's quotes
    assert "&lt;signal 11&gt; &amp; &quot;core&quot;" in index
    assert "<signal 11>" not in index
    assert "期刊 &quot;第5期&quot; it&#x27;s" in index


def test_report_without_manifest_and_without_overlays(converted, tmp_path):
    out = _copy(converted, tmp_path)
    drop_manifest(out)
    for ov in out.glob("*/*.overlay.png"):
        ov.unlink()
    res = CliRunner().invoke(report_cmd, [str(out), "--no-redraw"])
    assert res.exit_code == 0, res.output
    assert not list(out.glob("*/*.overlay.png")) and not list(out.glob("report/thumbs/*"))
    view = next((out / "report" / "pages").glob("small-mag*.html")).read_text(encoding="utf-8")
    assert "no overlay either" in view and 'class="blk' in view  # blocks still clickable
    res = CliRunner().invoke(report_cmd, [str(out)])
    assert res.exit_code == 0, res.output
    # the page views' pictures were drawn from the scans, inside the report;
    # OUT's own files are left as they were
    assert len(list(out.glob("report/images/*.jpg"))) == 2
    assert len(list(out.glob("report/thumbs/*.jpg"))) == 2
    assert not list(out.glob("*/*.overlay.png"))
    assert "report of 2 page(s) (0 failed)" in res.output


def test_two_page_spread_halves(converted, tmp_path):
    """A scan split into left and right pages: one manifest row, two page files."""
    out = _copy(converted, tmp_path)
    doc = out / "small-mag"
    d = json.loads((doc / "page-0001.json").read_text(encoding="utf-8"))
    for part in "LR":
        (doc / f"page-0001{part}.json").write_text(json.dumps({**d, "part": part}, ensure_ascii=False),
                                                   encoding="utf-8")
    for f in doc.glob("page-0001.*"):
        f.unlink()
    make_manifest(out, [{**_done_row(converted, "small-mag"), "outputs": ["page-0001L", "page-0001R"]}],
                  replace=True)
    entries, problems = collect(out)
    assert problems == []
    halves = [e for e in entries if e.doc == "small-mag"]
    assert [(e.label, e.stem, e.status) for e in halves] == \
        [("page 1L", "page-0001L", "done"), ("page 1R", "page-0001R", "done")]
    # `--pages small-mag:1` selects both halves; their overlays are drawn from the scan
    res = CliRunner().invoke(overlay_cmd, [str(out), "--pages", "small-mag:1"])
    assert res.exit_code == 0, res.output
    assert (doc / "page-0001L.overlay.png").is_file() and (doc / "page-0001R.overlay.png").is_file()
    res = CliRunner().invoke(report_cmd, [str(out)])
    assert res.exit_code == 0, res.output
    assert len(list((out / "report" / "pages").glob("small-mag--page-0001[LR].html"))) == 2


def test_report_exit_codes(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    res = CliRunner().invoke(report_cmd, [str(empty)])
    assert res.exit_code == 1 and "no pages found" in res.output

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "manifest.sqlite").write_bytes(b"this is not a database")
    res = CliRunner().invoke(report_cmd, [str(bad)])
    assert res.exit_code == 1
    lines = [ln for ln in res.output.splitlines() if ln]
    assert len(lines) == 1 and "manifest.sqlite" in lines[0] and "cannot" in lines[0]
    assert CliRunner().invoke(report_cmd, [str(tmp_path / "nope")]).exit_code == 2


# --- in the browser -------------------------------------------------------------

def visible_rows(tab):
    return tab.locator("table.pages tbody tr:not(.hidden)")


def test_index_lists_every_page_and_filters(batch, tab):
    tab.goto((batch / "report" / "index.html").as_uri())
    rows = tab.locator("table.pages tbody tr")
    assert rows.count() == 5
    text = tab.locator("table.pages").inner_text()
    for label in ("small-mag · page 1", f"{ODD} · page 1", "small-mag · page 2", "long · page 3",
                  "empty · whole file"):
        assert label in text
    assert tab.locator("td.thumb img").count() == 2
    assert tab.locator("td.thumb img").evaluate_all("els => els.every(e => e.naturalWidth > 0)")

    tab.check("#f-failed")
    shown = visible_rows(tab)
    assert shown.count() == 3
    assert sorted(shown.evaluate_all("rs => rs.map(r => r.dataset.status)")) == \
        ["failed", "failed", "timeout"]
    assert "magscan rerun" in shown.nth(0).inner_text()
    codes = tab.locator("tr:not(.hidden) td.err code").all_inner_texts()
    assert f"magscan rerun '{batch}' --pages long:3" in codes
    assert f"magscan rerun '{batch}' --pages small-mag:2" in codes
    assert tab.locator("#shown").inner_text() == "3 of 5 shown"

    tab.uncheck("#f-failed")
    tab.check("#f-low")
    tab.fill("#f-thr", "100")  # every done page has a mean below 100; failed ones have none
    assert visible_rows(tab).count() == 2
    tab.fill("#f-thr", "1")
    assert visible_rows(tab).count() == 0
    tab.uncheck("#f-low")
    tab.fill("#f-text", "第5期")
    assert visible_rows(tab).count() == 1


def test_page_view_click_block_and_text(batch, tab):
    tab.goto((batch / "report" / "index.html").as_uri())
    tab.locator("td.name a", has_text=ODD).click()
    tab.wait_for_load_state()
    assert tab.url.endswith(".html")
    page = read_page(batch / ODD / "page-0001.json")
    blocks = page.ordered_blocks()
    assert tab.locator(".blk").count() == len(blocks)
    assert tab.locator("li.tb").count() == len(blocks)
    assert tab.locator(".imgwrap img").evaluate("e => e.naturalWidth") > 0

    # a body block: click its rectangle on the image, its text lights up
    n = next(i for i, b in enumerate(blocks, 1) if b.kind == "body" and b.text)
    tab.click(f'.blk[data-b="{n}"]')
    item = tab.locator(f'li.tb[data-b="{n}"]')
    assert "sel" in item.get_attribute("class")
    assert tab.locator("li.tb.sel").count() == 1
    first_par = blocks[n - 1].text.split("\n")[0]
    assert first_par[:10] in tab.locator("li.tb.sel .txt").inner_text()

    # the reverse: click another block's text, its rectangle lights up
    m = next(i for i, b in enumerate(blocks, 1) if i != n and b.is_text)
    tab.click(f'li.tb[data-b="{m}"] .txt')
    assert tab.locator(".blk.sel").get_attribute("data-b") == str(m)
    assert tab.locator("li.tb.sel").get_attribute("data-b") == str(m)

    # rectangles sit where the JSON boxes are, scaled onto the image
    img_box = tab.locator(".imgwrap").bounding_box()
    r = tab.locator(f'.blk[data-b="{n}"]').bounding_box()
    b = blocks[n - 1].bbox
    assert r["x"] - img_box["x"] == pytest.approx(b.x0 / page.width * img_box["width"], abs=3)
    assert r["width"] == pytest.approx(b.width / page.width * img_box["width"], abs=3)

    # links to the page's files resolve; back to the index
    hrefs = tab.locator("header a").evaluate_all("as => as.map(a => a.href)")
    files = [h for h in hrefs if h.endswith((".json", ".txt"))]
    assert len(files) == 2
    from urllib.parse import unquote, urlparse
    for h in files:
        assert Path(unquote(urlparse(h).path)).is_file(), h
    tab.click("text=all pages")
    assert tab.url.split("#")[0].endswith("/report/index.html")


# --- magscan overlay ----------------------------------------------------------------

def test_overlay_command_redraws_selected_pages(converted, tmp_path):
    out = _copy(converted, tmp_path)
    target = out / "small-mag" / "page-0001.overlay.png"
    other = out / ODD / "page-0001.overlay.png"
    original = cv2.imread(str(target))
    target.unlink()
    other_mtime = other.stat().st_mtime_ns
    res = CliRunner().invoke(overlay_cmd, [str(out), "--pages", "small-mag:1"])
    assert res.exit_code == 0, res.output
    assert "1 overlay(s) written" in res.output
    assert other.stat().st_mtime_ns == other_mtime  # not selected, not touched
    redrawn = cv2.imread(str(target))
    assert redrawn.shape == original.shape
    # the re-created page image lines up with the one convert drew on: the
    # block outlines land on the same pixels
    page = read_page(out / "small-mag" / "page-0001.json")
    s = redrawn.shape[1] / page.width
    fractions = []
    for b in page.blocks:
        c = KIND_COLOURS[b.kind]
        x0, y0, x1 = (int(round(v * s)) for v in (b.bbox.x0, b.bbox.y0, b.bbox.x1))
        top = [np.all(np.abs(im[y0 - 1: y0 + 2, x0:x1].astype(int) - c) < 30, -1).any(axis=0).mean()
               for im in (original, redrawn)]
        # tags and arrows hide the same parts of an outline in both
        assert abs(top[0] - top[1]) < 0.15, (b.kind, top)
        fractions.append(top[1])
    assert np.mean(fractions) > 0.75, fractions
    # and the page under them is the same page (faded grey levels agree)
    diff = np.abs(original.astype(int) - redrawn.astype(int)).mean()
    assert diff < 12, diff


def test_overlay_command_errors(converted, tmp_path):
    out = _copy(converted, tmp_path)
    runner = CliRunner()
    res = runner.invoke(overlay_cmd, [str(out), "--pages", "small-mag:x"])
    assert res.exit_code == 2
    res = runner.invoke(overlay_cmd, [str(out), "--pages", "nosuchdoc"])
    assert res.exit_code == 1 and "no results" in res.output
    # the scan moved away: one line naming the page file and the reason; the other page still done
    page_json = out / "small-mag" / "page-0001.json"
    d = json.loads(page_json.read_text(encoding="utf-8"))
    d["source"] = str(tmp_path / "gone.png")
    page_json.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    res = runner.invoke(overlay_cmd, [str(out)])
    assert res.exit_code == 1
    errs = [ln for ln in res.output.splitlines() if ln.startswith("magscan: error")]
    assert len(errs) == 1 and str(page_json) in errs[0] and "not found" in errs[0]
    assert "1 overlay(s) written, 1 failed" in res.output


# --- issue 18: threshold, line pictures, zoom, failed pages, flags, moving ----------

def _flag(out: Path, doc: str, flags: list[str]) -> None:
    con = sqlite3.connect(out / "manifest.sqlite")
    con.execute("UPDATE pages SET flags = ?, flagged = ? WHERE doc = ?",
                (json.dumps(flags), int(any(f.startswith("layout-fallback") for f in flags)), doc))
    con.commit()
    con.close()


@pytest.fixture(scope="module")
def review(converted, tmp_path_factory) -> Path:
    """The converted pages, one flagged, one failed page whose scan is there,
    the report written with a threshold above every line (each line doubtful)."""
    out = tmp_path_factory.mktemp("review") / "out"
    shutil.copytree(converted, out)
    assert (out / "manifest.sqlite").exists()
    _flag(out, "small-mag", ["layout-fallback: columns crossed; used tesseract",
                             "layout-suspect: a block overlaps another"])
    scan = out.parent / "broken scan.png"
    shutil.copyfile(read_page(out / "small-mag" / "page-0001.json").source, scan)
    make_manifest(out, [dict(input=str(scan), doc="broken", page_number=1, status="failed",
                             error="worker process died with exit code -11 (SIGSEGV)")])
    res = CliRunner().invoke(report_cmd, [str(out), "--low-conf", "100"])
    assert res.exit_code == 0, res.output
    return out


def test_one_threshold_everywhere():
    from pipeline.cli.report import overlay_cmd, report_cmd
    from pipeline.outputs.overlay import LOW_CONF
    from pipeline.outputs.report.build import write_report
    import inspect
    for cmd in (overlay_cmd, report_cmd):
        (opt,) = [p for p in cmd.params if p.name == "low_conf"]
        assert opt.default == LOW_CONF
    assert inspect.signature(write_report).parameters["low_conf"].default == LOW_CONF
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"below {LOW_CONF:g}" in readme and "--below-confidence 80" not in readme


def test_low_confidence_lines_shown_with_their_picture(review, tab):
    view = next((review / "report" / "pages").glob("small-mag--page-0001.html"))
    tab.goto(view.as_uri())
    page = read_page(review / "small-mag" / "page-0001.json")
    lines = [ln for b in page.ordered_blocks() for ln in b.lines if ln.text]
    items = tab.locator("li.lowline")
    assert items.count() == len(lines) > 5   # threshold 100: every line is doubtful
    pics = tab.locator("li.lowline img")
    assert pics.count() == len(lines)
    sizes = pics.evaluate_all("ps => ps.map(p => [p.naturalWidth, p.naturalHeight])")
    for (w, h), ln in zip(sizes, lines):
        # the crop is the line, padded by a third of its height
        assert ln.bbox.width * 0.9 <= w <= ln.bbox.width + ln.bbox.height, (w, ln.bbox)
        assert ln.bbox.height <= h <= 2 * ln.bbox.height + 8, (h, ln.bbox)
    # the threshold is in the legend
    assert tab.locator(".legend .thr").inner_text() == "100"
    # the crop is the scan where the line is: dark ink on light paper
    crop = next((review / "report" / "crops").glob("small-mag--page-0001.b*.jpg"))
    img = cv2.imread(str(crop), cv2.IMREAD_GRAYSCALE)
    assert img.min() < 100 and np.median(img) > 150


def test_click_to_zoom_and_line_to_its_place(review, tab):
    view = next((review / "report" / "pages").glob("small-mag--page-0001.html"))
    tab.goto(view.as_uri())
    col, wrap = tab.locator(".imgcol"), tab.locator(".imgwrap")
    fit = wrap.bounding_box()["width"]
    # a click on the page where no block is: the top-left margin
    tab.mouse.click(wrap.bounding_box()["x"] + 3, wrap.bounding_box()["y"] + 3)
    assert "zoomed" in col.get_attribute("class")
    assert wrap.bounding_box()["width"] >= 2 * fit - 1
    # the picture holds the page at its own resolution (up to 2000 px wide)
    page = read_page(review / "small-mag" / "page-0001.json")
    assert tab.locator(".imgwrap img").evaluate("i => i.naturalWidth") == min(page.width, 2000)
    assert col.bounding_box()["width"] == pytest.approx(fit, abs=3)  # the column stays in place
    tab.keyboard.press("z")
    assert "zoomed" not in col.get_attribute("class")
    assert wrap.bounding_box()["width"] == pytest.approx(fit, abs=1)
    # a doubtful line far down the page: zoomed in, its place in view and marked
    last = tab.locator("li.lowline").last
    last.click()
    assert "zoomed" in col.get_attribute("class")
    mark = tab.locator(".ln.sel")
    assert mark.count() == 1
    m, c = mark.bounding_box(), col.bounding_box()
    cy = m["y"] + m["height"] / 2
    assert c["y"] <= cy <= c["y"] + c["height"], (m, c)
    assert tab.locator("li.tb.sel").get_attribute("data-b") == last.get_attribute("data-b")


def test_failed_page_shows_its_scan_and_reason(review, tab):
    tab.goto((review / "report" / "index.html").as_uri())
    row = tab.locator("tr", has_text="broken · page 1")
    assert row.locator("td.thumb img").evaluate("i => i.naturalWidth") > 0
    row.locator("td.name a").click()
    tab.wait_for_load_state()
    assert tab.locator(".imgwrap img").evaluate("i => i.naturalWidth") > 0
    text = tab.locator(".failure").inner_text()
    assert "exit code -11 (SIGSEGV)" in text
    assert "magscan rerun" in text and "--pages broken:1" in text
    tab.click("#zoom")
    assert "zoomed" in tab.locator(".imgcol").get_attribute("class")


def test_flags_in_the_index_and_their_filter(review, tab):
    tab.goto((review / "report" / "index.html").as_uri())
    flagged = tab.locator("tr", has_text="small-mag · page 1")
    assert flagged.locator("td.flags").inner_text().split() == ["layout-fallback", "layout-suspect"]
    assert flagged.locator(".flag.doubt").inner_text() == "layout-fallback"
    total = tab.locator("table.pages tbody tr").count()
    tab.select_option("#f-flag", "!flagged")
    assert visible_rows(tab).count() == 1
    assert "small-mag · page 1" in visible_rows(tab).nth(0).inner_text()
    tab.select_option("#f-flag", "layout-suspect")
    assert visible_rows(tab).count() == 1
    tab.select_option("#f-flag", "")
    assert visible_rows(tab).count() == total
    # the filter survives a visit to a page and back
    tab.select_option("#f-flag", "!flagged")
    assert "flag=%21flagged" in tab.url


def test_report_moved_alone_and_served(review, tab, tmp_path):
    """Only relative links: the report folder works moved away from OUT, and
    served over HTTP."""
    import functools
    import http.server
    import threading

    moved = tmp_path / "elsewhere" / "rep"
    shutil.copytree(review / "report", moved)
    links = []
    for f in moved.rglob("*.html"):
        links += re.findall(r'(?:href|src)="([^"]*)"', f.read_text(encoding="utf-8"))
    assert links and not [u for u in links if re.match(r"^([a-z]+:|/)", u)], links[:5]

    def check(index_url: str):
        tab.goto(index_url)
        imgs = tab.locator("img")
        assert imgs.count() >= 3
        assert tab.locator("img").evaluate_all("is => is.every(i => i.complete && i.naturalWidth > 0)")
        for name in ("small-mag · page 1", "broken · page 1"):
            tab.goto(index_url)
            tab.locator("td.name a", has_text=name).click()
            tab.wait_for_load_state("load")
            assert tab.locator("img").evaluate_all(
                "is => is.length > 0 && is.every(i => i.complete && i.naturalWidth > 0)")
        hrefs = tab.locator("header a[href$='.json'], header a[href$='.txt']")
        for h in hrefs.evaluate_all("as => as.map(a => a.href)"):
            assert tab.request.get(h).ok if h.startswith("http") else Path(unquote(urlparse(h).path)).is_file()

    check((moved / "index.html").as_uri())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(moved))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        check(f"http://127.0.0.1:{server.server_address[1]}/index.html")
    finally:
        server.shutdown()


def test_report_again_redraws_only_what_changed_and_keeps_no_stale_file(review, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(review, out)
    images = out / "report" / "images"
    assert len(list(images.glob("*.lc100.jpg"))) == 2
    n_crops = len(list((out / "report" / "crops").glob("*.jpg")))
    res = CliRunner().invoke(report_cmd, [str(out), "--low-conf", "1"])
    assert res.exit_code == 0, res.output
    # the pictures at the new threshold; the old ones, and crops of lines no
    # longer doubtful, are gone
    assert len(list(images.glob("*.lc1.jpg"))) == 2 and not list(images.glob("*.lc100.jpg"))
    assert n_crops > 0 and not list((out / "report" / "crops").glob("*.jpg"))
    before = {f: f.stat().st_mtime_ns for f in images.glob("*.jpg")}
    res = CliRunner().invoke(report_cmd, [str(out), "--low-conf", "1"])
    assert res.exit_code == 0, res.output
    assert {f: f.stat().st_mtime_ns for f in images.glob("*.jpg")} == before
