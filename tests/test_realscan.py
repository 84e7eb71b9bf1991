"""Real-scan properties (issue 14), each on a small constructed page.

Every page is drawn at test time by ``tests/realscan_pages.py`` with real
Chinese sentences, so that both the layout and real Tesseract OCR can be
scored against what was printed. A test checks the layout alone where the
property is about layout (``layout_source``: preprocess, layout, reading
order, no OCR), and reads the page (``convert_source`` with the Tesseract
engine) where the text is the point, bounding the CER at a level a correct
pipeline meets with margin (clean text of these pages reads at CER <= 0.01).

Coordinates in the checks are the scan's: a block's box is mapped back
through ``page.transform`` (border crops, deskew, a spread's halves), so the
truth boxes of the drawing apply whatever the preprocess did.

Body text is 34 px (8 pt at 300 dpi) unless a test says otherwise.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from rapidfuzz import fuzz

import realscan_pages as rp
from conftest import run_magscan
from pipeline.text.assemble import page_text
from pipeline.convert import convert_source, layout_source
from pipeline.evaluate.text import cer, normalise
from pipeline.ingest.files import SourcePage, load_page
from pipeline.model import PICTURE_KINDS, BBox, Block, Page
from pipeline.recognition.stage import make_engine
from pipeline.options import Options

OPT = Options()
PROSE = ("title", "heading", "body", "caption", "sidebar")   # kinds that go into the page text


# ------------------------------------------------------------------ helpers

@pytest.fixture(scope="session")
def engine():
    return make_engine(OPT)


def source(img, dpi: int = 300) -> SourcePage:
    arr = img if isinstance(img, np.ndarray) else rp.gray(img)
    return SourcePage(Path("realscan.png"), 1, arr, dpi)


def layout(src: SourcePage) -> list[Page]:
    return [p.page for p in layout_source(src, OPT)]


def read(src: SourcePage, engine) -> list[Page]:
    return [p.page for p in convert_source(src, OPT, engine)]


def text(pages: list[Page]) -> str:
    return "".join(page_text(p) for p in pages)


def scan_box(page: Page, bb: BBox) -> BBox:
    """A box of the page in the scan's coordinates (through ``page.transform``)."""
    m = np.asarray(page.transform, dtype=np.float64)
    pts = np.array([[bb.x0, bb.y0, 1], [bb.x1, bb.y0, 1], [bb.x0, bb.y1, 1], [bb.x1, bb.y1, 1]]) @ m.T
    return BBox(int(pts[:, 0].min()), int(pts[:, 1].min()), int(round(pts[:, 0].max())), int(round(pts[:, 1].max())))


def blocks(pages: list[Page], kinds=None) -> list[tuple[Page, Block, BBox]]:
    """(page, block, its box in the scan) in reading order, of the given kinds."""
    return [(p, b, scan_box(p, b.bbox)) for p in pages for b in p.ordered_blocks()
            if kinds is None or b.kind in kinds]


def text_lines(pages: list[Page]) -> list[tuple[Block, BBox]]:
    """Every line of every text block, with its box in the scan."""
    return [(b, scan_box(p, ln.bbox)) for p in pages for b in p.blocks if b.is_text for ln in b.lines]


def area(b) -> int:
    x0, y0, x1, y1 = b if isinstance(b, tuple) else (b.x0, b.y0, b.x1, b.y1)
    return max(0, x1 - x0) * max(0, y1 - y0)


def inter(a, b) -> int:
    a = a if isinstance(a, tuple) else (a.x0, a.y0, a.x1, a.y1)
    b = b if isinstance(b, tuple) else (b.x0, b.y0, b.x1, b.y1)
    return area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def covered(box: tuple, boxes) -> float:
    """Fraction of ``box`` covered by the union of ``boxes``."""
    x0, y0, x1, y1 = box
    m = np.zeros((y1 - y0, x1 - x0), bool)
    for b in boxes:
        m[max(0, b.y0 - y0):max(0, b.y1 - y0), max(0, b.x0 - x0):max(0, b.x1 - x0)] = True
    return float(m.mean())


def centre_in(bb: BBox, box: tuple) -> bool:
    return box[0] <= bb.cx <= box[2] and box[1] <= bb.cy <= box[3]


def found(needle: str, hay: str) -> float:
    """How well ``needle`` occurs in ``hay`` (0-100, best substring match)."""
    return fuzz.partial_ratio(normalise(needle), normalise(hay))


def dump(pages: list[Page], with_text: bool = True) -> str:
    """The block dump shown when an assertion fails."""
    out = []
    for p in pages:
        out.append(f"page {p.part or '-'} {p.width}x{p.height} dpi={p.dpi} "
                   f"dpi_source={p.diagnostics.get('dpi_source')} columns={p.columns} flags={p.flags}")
        for b in p.ordered_blocks():
            t = b.text.replace("\n", " ")[:40] if with_text else ""
            out.append(f"  #{b.id:<2} o{b.order:<2} {b.kind:8} scan{scan_box(p, b.bbox).to_list()} "
                       f"col={b.column} span={b.span} lines={len(b.lines)} {t!r}")
    return "\n".join(out)


def column_signature(pages: list[Page]) -> list[tuple]:
    """A page's layout up to how its text is cut into blocks: per column of the page,
    the extent (in the scan) of its text blocks and their number of lines; then the
    pictures' boxes and the kinds of the one-line display blocks."""
    (p,) = pages
    sig = []
    for x0, x1 in p.columns:
        inside = [(b, bb) for _, b, bb in blocks(pages) if b.is_text and b.kind in ("body", "caption")
                  and x0 <= bb.cx < x1]
        if inside:
            sig.append(("col", BBox.enclosing([bb for _, bb in inside]), sum(len(b.lines) for b, _ in inside)))
    sig += [("pic", bb, 0) for _, b, bb in blocks(pages, PICTURE_KINDS)]
    sig += [(b.kind, bb, len(b.lines)) for _, b, bb in blocks(pages, ("title", "heading"))]
    return sig


def same_layout(a: list[tuple], b: list[tuple], tol: int = 12) -> bool:
    if len(a) != len(b):
        return False
    for (ka, ba, na), (kb, bb, nb) in zip(a, b):
        if ka != kb or na != nb:
            return False
        if max(abs(ba.x0 - bb.x0), abs(ba.y0 - bb.y0), abs(ba.x1 - bb.x1), abs(ba.y1 - bb.y1)) > tol:
            return False
    return True


def line_starts_read(lines: list[str], hay: str, n: int = 4) -> float:
    """Fraction of printed lines whose first ``n`` characters occur in the text."""
    h = normalise(hay)
    heads = [normalise(l)[:n] for l in lines if len(normalise(l)) >= n]
    return sum(s in h for s in heads) / len(heads)


# ------------------------------------------------------------------ pages

def two_column_page(seed: int, w: int = 1400, h: int = 1000, size: int = 34, title: str = "让技能人才脱颖而出",
                    photo: bool = True):
    """
        TITLE
        +--------+ +--------+
        | text   | | photo  |
        |        | +--------+
        |        | | text   |
        +--------+ +--------+
    """
    img = rp.blank(w, h)
    T = rp.Text(seed)
    t = rp.run(img, 90, 60, title, round(size * 1.75))
    top = t.bottom + round(size * 2.5)
    L, R = rp.two_columns(w, h, top, h - 60, size=size)
    a = rp.column(img, L, T.paras(2, 160), size=size)
    if photo:
        rp.picture(img, (R[0], top, R[2], top + 280), seed=seed)
        b = rp.column(img, (R[0], top + 320, R[2], h - 60), T.paras(1, 240), size=size)
    else:
        b = rp.column(img, R, T.paras(2, 160), size=size)
    return img, t.text + a.text + b.text


@pytest.fixture(scope="session")
def grey_page():
    return two_column_page(1)


@pytest.fixture(scope="session")
def grey_read(grey_page, engine, tmp_path_factory):
    path = rp.save(grey_page[0], tmp_path_factory.mktemp("grey") / "grey.png", "L")
    return read(load_page(path, 1, OPT), engine)


# ------------------------------------------------------------------ 1. bilevel and palette

@pytest.mark.parametrize("mode", ["1", "P"])
def test_bilevel_and_palette_images_convert_like_grey(grey_page, grey_read, mode, engine, tmp_path):
    """
        让技能人才脱颖而出                 the same page saved as an 8-bit grey PNG,
        +----------+ +----------+         as a 1-bit PNG (error-diffused: the photo
        | text     | | photo    |         becomes dots, the glyph edges ragged) and
        |          | +----------+         as a 16-colour palette PNG: the same
        |          | | text     |         columns, blocks and pictures, and the
        +----------+ +----------+         text read as well
    """
    img, truth = grey_page
    grey = grey_read
    other = read(load_page(rp.save(img, tmp_path / f"{mode}.png", mode, dither=True), 1, OPT), engine)
    msg = "grey:\n" + dump(grey) + f"\nmode {mode}:\n" + dump(other)
    assert len(other) == 1 and len(other[0].columns) == len(grey[0].columns) == 2, msg
    assert same_layout(column_signature(grey), column_signature(other)), msg
    assert cer(truth, text(grey)) < 0.02, msg
    assert cer(truth, text(other)) < 0.03, msg


# ------------------------------------------------------------------ 2. missing or wrong dpi

def page_at_200dpi(shape: str):
    """A page scanned at 200 dpi, body 26 px (9.4 pt), gutter 50 px (0.25 in): portrait
    900 x 1250 px (4.5 x 6.25 in) or landscape 1100 x 780 px (5.5 x 3.9 in)."""
    w, h = (900, 1250) if shape == "portrait" else (1100, 780)
    size = 26
    img = rp.blank(w, h)
    T = rp.Text(11)
    rp.run(img, 70, 50, "工匠精神在车间传承", 44)
    L, R = rp.two_columns(w, h, 140, h - 40, margin=70, gutter=50, size=size)
    rp.column(img, L, T.paras(3, 150), size=size)
    rp.column(img, R, T.paras(3, 150), size=size)
    return img


@pytest.mark.parametrize("shape", ["portrait", "landscape"])
def test_missing_or_wrong_dpi_is_estimated_from_the_text(shape, tmp_path):
    """
        工匠精神在车间传承
        +---------+ +---------+     one 200-dpi page saved three times: with its
        | text    | | text    |     true 200 dpi, with no resolution at all, and
        |         | |         |     claiming 72 dpi (a common default of image
        +---------+ +---------+     tools). Same layout each time (the landscape
                                    page is no two-page spread either way); the
                                    page's dpi is the file's when it is right,
                                    else estimated from the text (within 25%)
    """
    img = page_at_200dpi(shape)
    pages = {name: layout(load_page(rp.save(img, tmp_path / f"{name}.png", "L", dpi), 1, OPT))
             for name, dpi in [("true", 200), ("none", None), ("72", 72)]}
    msg = "\n".join(f"{k}:\n{dump(v, False)}" for k, v in pages.items())
    true = pages["true"]
    problems = []
    if len(true) != 1 or true[0].dpi != 200 or true[0].diagnostics.get("dpi_source") != "file":
        problems.append("true: not the file's 200 dpi")
    for name in ("none", "72"):
        got = pages[name]
        if len(got) != 1 or got[0].part != "":
            problems.append(f"{name}: taken for a spread")
        elif not same_layout(column_signature(true), column_signature(got)):
            problems.append(f"{name}: another layout")
        elif not 150 <= got[0].dpi <= 250:
            problems.append(f"{name}: dpi {got[0].dpi}")
        elif got[0].diagnostics.get("dpi_source") not in ("file", "estimated"):
            problems.append(f"{name}: dpi_source {got[0].diagnostics.get('dpi_source')!r}")
    assert not problems, "; ".join(problems) + "\n" + msg


def test_cli_records_the_estimated_dpi_in_the_page_json(tmp_path):
    """The command line on the portrait page saved without a resolution: the page's
    JSON records the estimated dpi (150-250) and where it came from."""
    src = rp.save(page_at_200dpi("portrait"), tmp_path / "nodpi.png", "L", None)
    r = run_magscan("convert", src, "-o", tmp_path / "out")
    assert r.returncode == 0, r.stderr[-2000:]
    d = json.loads((tmp_path / "out" / "nodpi" / "page-0001.json").read_text(encoding="utf-8"))
    assert 150 <= d["dpi"] <= 250 and d["diagnostics"].get("dpi_source") == "estimated", \
        (d["dpi"], d["diagnostics"].get("dpi_source"))


# ------------------------------------------------------------------ 3. white text on dark grounds

@pytest.fixture(scope="session")
def dark_panel_page():
    """The page of test_white_text_on_dark_panels_is_read."""
    w, h = 1500, 1100
    img = rp.blank(w, h)
    T = rp.Text(5)
    panel = (90, 60, w - 90, 260)
    rp.dark_panel(img, panel, tone=35, noise=6, seed=1)
    t1 = rp.centred(img, 0, w, 90, "让技能人才脱颖而出", 64, fill=250)
    t2 = rp.centred(img, 0, w, 180, "为产业发展注入新动能", 40, fill=235)
    L, R = rp.two_columns(w, h, 320, 1040)
    a = rp.column(img, L, T.paras(2, 150))
    photo = (R[0], 320, R[2], 640)
    rp.dark_panel(img, photo, tone=60, photo=True, seed=3)
    c = rp.run(img, photo[0] + 30, photo[3] - 70, "职工在创新工作室进行技术攻关", 30, fill=245)
    b = rp.column(img, (R[0], 690, R[2], 1040), T.paras(1, 200))
    return img, dict(title=t1.text, subtitle=t2.text, caption=c.text, left=a.text, right=b.text,
                     panels=[panel, photo])


@pytest.fixture(scope="session")
def white_on_dark_page():
    """The page of test_whole_page_of_white_text_on_dark_is_read."""
    w, h = 1300, 900
    img = rp.blank(w, h)
    rp.dark_panel(img, (0, 0, w, h), tone=30, noise=8, seed=2)
    T = rp.Text(8)
    t = rp.run(img, 90, 60, "创新工作室里的年轻人", 56, fill=240)
    L, R = rp.two_columns(w, h, 200, 860)
    a = rp.column(img, L, T.paras(1, 200), fill=235)
    b = rp.column(img, R, T.paras(1, 200), fill=235)
    return img, t.text + a.text + b.text


def test_white_text_on_dark_panels_is_read(dark_panel_page, engine):
    """
        +==================================+   a dark (grained) panel inset in
        |     让技能人才脱颖而出  (white)    |   the margins with a white title
        |     为产业发展注入新动能 (white)   |   and subtitle; a photo darkened to
        +==================================+   a dark ground with a white caption
        +-----------+ +##################+    printed on it, in the right
        | text      | |#photo###########|    column above its text
        |           | |#白色图片说明######|
        |           | +##################+
        |           | | text             |
        +-----------+ +------------------+
    """
    img, truth = dark_panel_page
    pages = read(source(img), engine)
    msg = dump(pages)
    got = text(pages)
    for k in ("title", "subtitle", "caption"):
        assert found(truth[k], got) >= 85, f"white {k} {truth[k]!r} not read\n{msg}"
    assert len(pages[0].columns) == 2, msg
    # the dark grounds are no ink of the columns: no body block reaches into them
    for _, b, bb in blocks(pages, ("body",)):
        for panel in truth["panels"]:
            assert inter(bb, panel) < 0.05 * area(bb), f"body block #{b.id} runs into the panel {panel}\n{msg}"
    body = truth["title"] + truth["subtitle"] + truth["left"] + truth["caption"] + truth["right"]
    assert cer(body, got) < 0.03, msg


def test_whole_page_of_white_text_on_dark_is_read(white_on_dark_page, engine):
    """
        ####################################   a whole page printed white on a
        # 创新工作室里的年轻人 (white)       #   dark, grained ground: a title
        # +----------+   +----------+       #   and two columns
        # | text     |   | text     |       #
        # +----------+   +----------+       #
        ####################################
    """
    img, truth = white_on_dark_page
    pages = read(source(img), engine)
    msg = dump(pages)
    assert len(pages) == 1 and len(pages[0].columns) == 2, msg
    assert cer(truth, text(pages)) < 0.04, msg


# ------------------------------------------------------------------ 4. rules and clip-art

def decorated_paragraph(kind: str):
    """A paragraph with a decoration touching it; returns (image, text, decoration boxes)."""
    w, h = 1200, 720
    img = rp.blank(w, h)
    T = rp.Text(40)
    x0, x1 = 100, 1100
    if kind == "dotted":
        rp.dotted_rule(img, x0, x1, 96)                       # dots 94-98, first line's ink from ~102
        a = rp.paragraph(img, (x0, 100, x1, 700), T.prose(250))
        deco = [(x0, 93, x1, 99)]
    elif kind == "ornament":
        a = rp.paragraph(img, (x0, 80, x1, 500), T.prose(180))
        y = a.bottom + 12                                     # 3 px under the last line's ink
        rp.ornament_rule(img, x0, x1, y)
        a.extend(rp.paragraph(img, (x0, a.bottom + 40, x1, 700), T.prose(100)))
        deco = [(x0, y - 9, x1, y + 10)]
    else:
        box = (782, 90, 1100, 400)                             # the lines beside it end at 780
        a = rp.paragraph(img, (x0, 80, x1, 700), T.prose(300),
                         measure_at=lambda y: (x0, 780) if y < 400 else (x0, x1))
        rp.line_drawing(img, box)
        deco = [box]
    return img, a.text, deco


@pytest.mark.parametrize("kind", ["dotted", "ornament", "drawing"])
def test_rules_and_clip_art_touching_text_are_not_text(kind, engine):
    """
        · · · · · · · · · · · · · · ·    dotted: a dotted rule 2 px over the first line
        +---------------------------+
        | paragraph                 |
        +---------------------------+
        ×◆×◆×◆×◆×◆×◆×◆×◆×◆×◆×◆×◆×◆    ornament: a double rule with crosses and
        +---------------------------+    diamonds 3 px under a paragraph's last line
        | paragraph                 |
        +---------------------------+

        +-----------------+  \\ O /      drawing: a line drawing (house, sun, tree)
        | shortened lines |  /\\  (|)    whose ground line touches the shortened
        |                 |_|__|__|_    lines' ends
        | full lines                |
        +---------------------------+
    """
    img, truth, deco = decorated_paragraph(kind)
    pages = read(source(img), engine)
    msg = dump(pages)
    for b, lb in text_lines(pages):
        for d in deco:
            assert inter(lb, d) <= 0.1 * min(area(lb), area(d)), \
                f"a line of {b.kind} block #{b.id} at {lb.to_list()} takes in the {kind} at {d}\n{msg}"
    # a rule glued to a line makes it tall: no body line may turn into a heading or title
    assert {b.kind for _, b, _ in blocks(pages) if b.is_text} <= {"body"}, msg
    assert cer(truth, text(pages)) < 0.02, msg


# ------------------------------------------------------------------ 5. tables

ROWS = [["指标", "2015年", "2016年", "2017年", "增长"], ["地区生产总值", "1021.3", "1109.8", "1198.6", "7.4%"],
        ["工业增加值", "356.2", "381.4", "412.7", "8.9%"], ["城镇新增就业", "4.1", "4.8", "5.6", "6.9%"],
        ["职工人数", "86.5", "88.2", "90.4", "2.3%"]]
SMALL = [["项目", "数量", "占比"], ["培训", "1236", "41.5%"], ["竞赛", "387", "13.8%"], ["攻关", "59", "2.7%"]]
TABLES = {
    "ruled": rp.ruled_table,
    "three-line": rp.unruled_table,
    "unruled": lambda *a, **k: rp.unruled_table(*a, head_rules=False, **k),
}


def table_page(kind: str):
    w, h = 1500, 1500
    draw = TABLES[kind]
    x0, y0, x1, y1 = draw(rp.blank(w, h), 0, 0, ROWS)
    sx0, sy0, sx1, sy1 = draw(rp.blank(w, h), 0, 0, SMALL)
    img = rp.blank(w, h)
    T = rp.Text(50)
    L, R = rp.two_columns(w, h, 80, 430)
    a = rp.column(img, L, [T.prose(200)])
    b = rp.column(img, R, [T.prose(200)])
    wide = draw(img, (w - (x1 - x0)) // 2, a.bottom + 60, ROWS)
    top = wide[3] + 60
    c = rp.column(img, (L[0], top, L[2], 1460), [T.prose(300)])
    d = rp.column(img, (R[0], top, R[2], 1460 - (sy1 - sy0) - 60), [T.prose(200)])
    narrow = draw(img, (R[0] + R[2] - (sx1 - sx0)) // 2, d.bottom + 60, SMALL)
    # running text flows down each column past the table (tables are placed like figures)
    return img, a.text + c.text + b.text + d.text, [L, R], [wide, narrow]


@pytest.mark.parametrize("kind", list(TABLES))
def test_tables_are_no_columns_and_no_running_text(kind, engine):
    """
        +----------+ +----------+      two columns of running text, a five-column
        | text     | | text     |      table across both in the middle (its cell
        +----------+ +----------+      gaps and the page gutter do not line up),
           | 指标 | 2015年 | ... |      then the columns go on; a small three-column
           | ...  | 1021.3 | ... |      table at the foot of the right column.
        +----------+ +----------+      ruled: every cell boxed; three-line: rules
        | text     | | text     |      over and under the head row and at the foot
        |          | +----------+      only; unruled: no rule at all, only aligned
        |          |  项目 数量 占比    numbers
        +----------+  培训 1200 41%
    """
    img, truth, cols, tables = table_page(kind)
    pages = read(source(img), engine)
    msg = dump(pages)
    (page,) = pages
    assert len(page.columns) == 2, msg
    # the running text's blocks fill their column: none is cut at a cell boundary
    for _, b, bb in blocks(pages, ("body",)):
        col = min(cols, key=lambda c: abs((c[0] + c[2]) / 2 - bb.cx))
        assert bb.x0 <= col[0] + 34 and bb.x1 >= col[2] - 34, \
            f"body block #{b.id} {bb.to_list()} does not fill its column {col[0]}-{col[2]}\n{msg}"
    got = text(pages)
    for row in ROWS[1:] + SMALL[1:]:
        for cell in row[1:]:
            assert normalise(cell) not in normalise(truth), f"test data: {cell!r} is in the running text"
            assert normalise(cell) not in normalise(got), f"table cell {cell!r} in the running text\n{msg}"
    assert cer(truth, got) < 0.03, msg


# ------------------------------------------------------------------ 6. charts

LABELS = ["甲厂", "乙厂", "丙厂", "丁厂"]
LEGEND = ["目标值", "实际值"]


@pytest.fixture(scope="session")
def chart_page():
    w, h = 1400, 1000
    img = rp.blank(w, h)
    T = rp.Text(60)
    L, R = rp.two_columns(w, h, 80, 940)
    a = rp.column(img, L, T.paras(2, 150))
    chart = (R[0], 120, R[2], 620)
    rp.bar_chart(img, chart, LABELS, [0.45, 0.6, 0.7, 0.85], LEGEND, ticks=["0", "25", "50", "75", "100"])
    c = rp.run(img, R[0] + 60, 660, "图1 各厂产值完成情况", 28)
    return img, a.text + c.text, chart


def test_chart_labels_stay_in_the_figure(chart_page, engine):
    """
        +----------+ +------------------+    a column of text beside a bar chart
        | text     | |      ■目标值 —实际值|   with a line series: y tick labels,
        |          | | 100|    _/▇       |    a bar label under each bar and a
        |          | |  50| ▇ ▇ ▇ ▇       |    legend; a caption under the chart
        |          | |   0+-------------  |    (which is text).
        |          | |   甲厂 乙厂 丙厂 丁厂 |
        |          | +------------------+
        |          |  图1 各厂产值完成情况
        +----------+
    """
    img, truth, chart = chart_page
    pages = read(source(img), engine)
    msg = dump(pages)
    pics = [bb for _, _, bb in blocks(pages, PICTURE_KINDS)]
    x0, y0, x1, y1 = chart
    plot = (x0 + 60, y0 + 60, x1 - 10, y1 - 50)
    assert covered(plot, pics) >= 0.8, f"the chart is no figure\n{msg}"
    for p, b, bb in blocks(pages):
        if b.kind in PROSE:
            assert not centre_in(bb, chart), f"{b.kind} block #{b.id} {b.text!r} inside the chart\n{msg}"
    got = text(pages)
    for lab in LABELS + LEGEND:
        assert lab not in got, f"chart label {lab!r} in the page text\n{msg}"
    assert cer(truth, got) < 0.03, msg


# ------------------------------------------------------------------ 7. text wrapped around a figure

def wrapped_page(side: str):
    w, h = 1400, 1000
    img = rp.blank(w, h)
    T = rp.Text(70)
    L, R = rp.two_columns(w, h, 80, 940)
    fx0, fx1 = (L[2] - 300, L[2]) if side == "right" else (L[0], L[0] + 300)
    fig = (fx0, 300, fx1, 600)

    def measure(y):
        if fig[1] - 50 < y < fig[3] + 10:
            return (L[0], fx0 - 30) if side == "right" else (fx1 + 30, L[2])
        return (L[0], L[2])

    a = rp.column(img, L, T.paras(2, 220), measure_at=measure)
    rp.picture(img, fig, seed=7)
    b = rp.column(img, R, T.paras(2, 150))
    return img, a.text + b.text, fig


@pytest.mark.parametrize("side", ["right", "left"])
def test_text_wrapped_around_a_figure_is_read_in_order(side, engine):
    """
        +------------------+ +----------+     a picture inset into the right (or
        | full lines       | | text     |     left) side of the first column, its
        | short  +-------+ | |          |     lines shortened beside it; the text
        | lines  | photo | | |          |     runs on under the picture and in the
        | beside | photo | | |          |     second column
        |        +-------+ | |          |
        | full lines       | |          |
        +------------------+ +----------+
    """
    img, truth, fig = wrapped_page(side)
    pages = read(source(img), engine)
    msg = dump(pages)
    assert covered(fig, [bb for _, _, bb in blocks(pages, PICTURE_KINDS)]) >= 0.9, f"no figure\n{msg}"
    for b, lb in text_lines(pages):
        assert inter(lb, fig) <= 0.1 * area(lb), f"a line of block #{b.id} runs into the picture\n{msg}"
    assert cer(truth, text(pages)) < 0.02, msg


# ------------------------------------------------------------------ 8. footnotes

NOTES = ["①见《新时期产业工人队伍建设改革方案》，2017年6月印发。", "②数据来源：自治区统计局2017年统计公报。"]


@pytest.fixture(scope="session")
def footnote_page():
    w, h = 1400, 1100
    img = rp.blank(w, h)
    T = rp.Text(80)
    L, R = rp.two_columns(w, h, 80, 1060)
    left = rp.column(img, (L[0], 80, L[2], 820), T.paras(2, 150))
    right = rp.column(img, R, T.paras(3, 150))
    y = left.bottom + 40
    rp.hrule(img, L[0], L[0] + (L[2] - L[0]) // 3, y, 2)
    notes = rp.Set()
    yy = y + 20
    for t in NOTES:
        s = rp.paragraph(img, (L[0], yy, L[2], 1080), t, size=24, pitch=1.4, indent=0)
        notes.extend(s)
        yy = s.bottom + 10
    return img, notes.box, left.box, right.box


def test_footnotes_under_a_short_rule_are_footnotes(footnote_page):
    """
        +----------+ +----------+     the left column ends early with a short rule
        | text     | | text     |     (a third of the column) and two numbered
        |          | |          |     notes at 24 px below it, beside the running
        +----------+ |          |     text of the right column
        ----         |          |
        ① 见《…》   |          |
        ② 数据来源… |          |
                     +----------+
    """
    img, notes, left, right = footnote_page
    pages = layout(source(img))
    msg = dump(pages, False)
    on_notes = [(b, bb) for _, b, bb in blocks(pages) if b.is_text and inter(bb, notes) > 0.3 * area(bb)]
    assert on_notes, f"the notes are in no block\n{msg}"
    assert all(b.kind == "footnote" for b, _ in on_notes), msg
    assert covered(notes, [bb for _, bb in on_notes]) >= 0.9, msg
    for _, b, bb in blocks(pages):
        if inter(bb, left) > 0.5 * area(bb) or inter(bb, right) > 0.5 * area(bb):
            assert b.kind == "body", f"running text typed {b.kind}: #{b.id}\n{msg}"


# ------------------------------------------------------------------ 9. running heads on a spread

MAG, ISSUE, RUN_TITLE = "职工天地", "2019年第11期", "产业工人队伍建设改革观察"


def spread_half(T: rp.Text, left: bool, number: int):
    w, h, size, m = 1000, 1300, 30, 90
    img = rp.blank(w, h)
    head = f"{MAG} {ISSUE}" if left else RUN_TITLE
    hx = m if left else w - m - round(rp.text_width(head, 24))
    heads = [rp.run(img, hx, 50, head, 24).box]
    rp.hrule(img, m, w - m, 88, 1)
    L, R = rp.two_columns(w, h, 130, 1180, margin=m, gutter=50, size=size)
    a = rp.column(img, L, T.paras(2, 140), size=size)
    b = rp.column(img, R, T.paras(2, 140), size=size)
    foot = f"{number}  {MAG}" if left else f"{RUN_TITLE}  {number}"
    fx = m if left else w - m - round(rp.text_width(foot, 24))
    feet = [rp.run(img, fx, 1222, foot, 24).box]
    return img, a.text + b.text, heads, feet


@pytest.fixture(scope="session")
def spread_page():
    T = rp.Text(90)
    li, lt, lh, lf = spread_half(T, True, 12)
    ri, rt, rh, rf = spread_half(T, False, 13)
    shift = lambda boxes: [(x0 + li.size[0], y0, x1 + li.size[0], y1) for x0, y0, x1, y1 in boxes]
    return rp.spread(li, ri), lt + rt, lh + shift(rh), lf + shift(rf)


def test_spread_running_heads_and_feet_are_typed_and_left_out(spread_page, engine):
    """
        +------------------------+------------------------+
        | 职工天地 2019年第11期   |       产业工人…改革观察 |   a two-page spread with a
        |------------------------|------------------------|   fold shadow; each page has
        | +-------+ +-------+    |  +-------+ +-------+   |   a running head over a thin
        | | text  | | text  |    |  | text  | | text  |   |   rule and a running foot
        | +-------+ +-------+    |  +-------+ +-------+   |   (page number + title) at
        | 12  职工天地            |       产业工人…观察 13  |   its outer corner
        +------------------------+------------------------+
    """
    img, truth, heads, feet = spread_page
    pages = read(source(img), engine)
    msg = dump(pages)
    assert [p.part for p in pages] == ["L", "R"], msg
    for boxes, kind in ((heads, "header"), (feet, "footer")):
        for box in boxes:
            on = [(b, bb) for _, b, bb in blocks(pages) if b.is_text and inter(bb, box) > 0.3 * area(box)]
            assert on and all(b.kind == kind for b, _ in on), f"running {kind} {box}: {[b.kind for b, _ in on]}\n{msg}"
    got = text(pages)
    for s in (MAG, ISSUE, RUN_TITLE):
        assert s not in got, f"running head/foot {s!r} in the page text\n{msg}"
    assert cer(truth, got) < 0.03, msg


# ------------------------------------------------------------------ 10. centred headings

def heading_pages():
    """Two pages: (a) three columns, a short heading centred over the first two (it
    straddles their gutter), the third column beside it, and a heading centred over the
    third column mid-way down; (b) two columns, a heading centred over both mid-page
    with text above it, and one centred over the right column lower down."""
    size = 30
    w, h = 1600, 1150
    a = rp.blank(w, h)
    T = rp.Text(100)
    m, g = 80, 50
    colw = (w - 2 * m - 2 * g) // 3 // size * size
    xs = [(m + i * (colw + g), m + i * (colw + g) + colw) for i in range(3)]
    ha = rp.centred(a, xs[0][0], xs[1][1], 80, "调查报告", 44)
    c1 = rp.column(a, (xs[0][0], 170, xs[0][1], 1100), T.paras(2, 150), size=size)
    c2 = rp.column(a, (xs[1][0], 170, xs[1][1], 1100), T.paras(2, 150), size=size)
    c3 = rp.column(a, (xs[2][0], 80, xs[2][1], 560), T.paras(1, 150), size=size)
    hb = rp.centred(a, xs[2][0], xs[2][1], c3.bottom + 40, "二、完善激励机制", 40)
    c4 = rp.column(a, (xs[2][0], hb.bottom + 40, xs[2][1], 1100), T.paras(1, 200), size=size)
    page_a = (a, [ha.box, c1.box, c2.box, c3.box, hb.box, c4.box])

    size = 32
    w, h = 1400, 1200
    b = rp.blank(w, h)
    L, R = rp.two_columns(w, h, 80, 1160, size=size)
    p1 = rp.column(b, (L[0], 80, L[2], 360), T.paras(1, 200), size=size)
    p2 = rp.column(b, (R[0], 80, R[2], 360), T.paras(1, 200), size=size)
    hc = rp.centred(b, L[0], R[2], max(p1.bottom, p2.bottom) + 50, "让技能人才脱颖而出", 48)
    y = hc.bottom + 50
    p3 = rp.column(b, (L[0], y, L[2], 1160), T.paras(2, 150), size=size)
    p4 = rp.column(b, (R[0], y, R[2], y + 300), T.paras(1, 200), size=size)
    hd = rp.centred(b, R[0], R[2], p4.bottom + 40, "相关新闻", 40)
    p5 = rp.column(b, (R[0], hd.bottom + 40, R[2], 1160), T.paras(1, 200), size=size)
    page_b = (b, [p1.box, p2.box, hc.box, p3.box, p4.box, hd.box, p5.box])
    return {"three-columns": page_a, "two-columns": page_b}


@pytest.mark.parametrize("name", ["three-columns", "two-columns"])
def test_centred_headings_are_read_before_the_columns_they_head(name):
    """
        three-columns:                   two-columns:
             调查报告       +-----+     +---------+ +---------+
        +-----+ +-----+    | 4   |     | 1       | | 2       |
        | 2   | | 3   |    +-----+     +---------+ +---------+
        |     | |     |   二、完善…       让技能人才脱颖而出 (3)
        |     | |     |    +-----+     +---------+ +---------+
        |     | |     |    | 6   |     | 4       | | 5       |
        +-----+ +-----+    +-----+     |         | +---------+
        heading 1 centred over           |         |  相关新闻 (6)
        columns 1-2, straddling their   |         | +---------+
        gutter; heading 5 centred over  |         | | 7       |
        column 3                         +---------+ +---------+
    """
    img, truth = heading_pages()[name]
    pages = layout(source(img))
    msg = dump(pages, False)
    order = []
    for box in truth:
        hits = [(b.order, b.id) for _, b, bb in blocks(pages) if b.is_text and inter(bb, box) > 0.5 * area(bb)]
        assert hits, f"nothing found at {box}\n{msg}"
        order.append(hits)
    # every block of the n-th truth region is read after every block of the (n-1)-th
    for n in range(1, len(order)):
        assert max(o for o, _ in order[n - 1]) < min(o for o, _ in order[n]), \
            f"region {n + 1} {truth[n]} read before region {n} {truth[n - 1]}\n{msg}"


# ------------------------------------------------------------------ 11. text cut by the page edge

@pytest.fixture(scope="session")
def cut_page():
    w, h = 1400, 1000
    img = rp.blank(w, h)
    T = rp.Text(120)
    L, R = rp.two_columns(w, h, 80, 940)
    a = rp.column(img, L, T.paras(2, 160))
    b = rp.column(img, R, T.paras(2, 160))
    return img.crop((0, 0, R[2] - 17, h)), a.text + b.text


def test_text_cut_by_the_page_edge(cut_page, engine):
    """
        +----------+ +---------|     the scan's right edge runs through the right
        | text     | | text    |     column: the last character of each of its
        |          | |         |     full lines is cut in half (17 of 34 px left)
        |          | |         |
        +----------+ +---------|
    """
    img, truth = cut_page
    pages = read(source(img), engine)
    msg = dump(pages)
    assert len(pages) == 1 and len(pages[0].columns) == 2, msg
    assert len([b for _, b, _ in blocks(pages, PROSE)]) <= 4, msg
    # the half characters may be lost or misread: about one in seventeen
    assert cer(truth, text(pages)) < 0.1, msg


# ------------------------------------------------------------------ 12. scanner shadows

@pytest.fixture(scope="session")
def shadow_page():
    w, h = 1400, 1000
    img = rp.blank(w, h)
    T = rp.Text(130)
    L, R = rp.two_columns(w, h, 80, 940, margin=110)
    a = rp.column(img, L, T.paras(2, 160))
    b = rp.column(img, R, T.paras(2, 160))
    arr = rp.gutter_shadow(rp.gray(img), "left", width=260, depth=0.8)
    arr = rp.dark_corner(arr, "bottom-right", radius=600, depth=0.65)
    return Image.fromarray(arr), a, b


def test_gutter_shadow_and_dark_corner_keep_columns_and_text(shadow_page, engine):
    """
        |▓▒░ +----------+ +----------+     the book's gutter shadow along the left
        |▓▒░ | text     | | text     |     edge (paper falls to 20% at the edge over
        |▓▒░ |          | |          |     260 px, text from 121 px) and light falling
        |▓▒░ |          | |        ▒▓|     off into the bottom-right corner (to 35%)
        |▓▒░ +----------+ +-------▒▓▓|
    """
    img, a, b = shadow_page
    pages = read(source(img), engine)
    msg = dump(pages)
    got = text(pages)
    assert len(pages) == 1 and len(pages[0].columns) == 2, msg
    for side, s in (("left", a), ("right", b)):
        frac = line_starts_read([t for t, _ in s.lines], got)
        assert frac >= 0.8, f"only {frac:.0%} of the {side} column's line starts read\n{msg}"
    # the page has no picture: a dark corner or edge taken for one lies over the text
    assert not blocks(pages, PICTURE_KINDS), f"the shadow taken for a picture\n{msg}"
    assert cer(a.text + b.text, got) < 0.03, msg
