"""Vertical text (pipeline/vertical/): columns found, read right to left,
placed in the page's flow, and carried by every format."""
import json
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from pipeline.convert import convert_source, layout_source
from pipeline.evaluate.text import cer
from pipeline.outputs.formats.alto import alto_xml
from pipeline.outputs.formats.hocr import hocr_html
from pipeline.outputs.formats.pagexml import NS as PAGE_NS
from pipeline.outputs.formats.pagexml import page_xml
from pipeline.ingest.files import SourcePage
from pipeline.model import BBox, Block, Line, Page, Word
from pipeline.recognition.stage import make_engine
from pipeline.options import Options
from pipeline.image.preprocess import preprocess
from pipeline.synth import render_page
from pipeline.synth.families import family_spec
from pipeline.synth.layout import sample_specs
from pipeline.synth.vertical import draw_column
from pipeline.vertical.grid import cells, pitch
from pipeline.vertical.regions import find_vertical

from test_formats import _assert_valid, page_schema  # noqa: F401 - a fixture

NO_TURN = Options(orient=False)
FLAT = Options(orient=False, deskew=False)   # a small constructed page: nothing to straighten


def _binary(img) -> np.ndarray:
    """The page's binary image as the layout sees it (deskewed, lighting flattened)."""
    a = np.asarray(img)
    return preprocess(Page("p.png", 1, a.shape[1], a.shape[0]), a, NO_TURN).binary


def _main_text(truth) -> str:
    return "".join(b["text"] for b in truth["blocks"] if b["kind"] not in ("header", "footer"))


def test_cells_follow_the_pitch_even_where_a_mark_touches_the_character_above():
    """、 printed in the upper right of its cell, right under 中: no blank row
    parts them, the pitch does."""
    from pipeline.synth.typeset import font  # noqa: F401 - fonts installed by make setup
    img = Image.new("L", (80, 20 * 44), 255)
    text = "结构中、在党的领导体制中、三一二"
    draw_column(img, "serif", 40, 20, 10, text, pitch=44)
    ink = np.asarray(img)[:, 15:70] < 128
    got = cells(ink, pitch([ink.sum(axis=1)], 36.0))
    assert len(got) == len(text)
    assert all(b - a <= 46 for a, b in got)


def _columns(rng, n_cols: int, cw: float, p: float) -> list[np.ndarray]:
    """Ink profiles of columns set on pitch ``p``: a glyph of 0.9 ``cw`` a
    cell, each column at its own phase, blank paper above and below."""
    out = []
    for _ in range(n_cols):
        n = int(p * rng.integers(2, 40))
        y = np.arange(n)
        glyphs = (np.mod(y + rng.uniform(0, p), p) < 0.9 * cw) * rng.integers(5, 40, n)
        out.append(np.concatenate([np.zeros(int(rng.integers(0, 30))), glyphs,
                                   np.zeros(int(rng.integers(0, 30)))]).astype(np.int64))
    return out


def _pitch_by_definition(profiles, cw: float, lo_f: float = 0.85, hi_f: float = 1.6) -> float:
    """pitch() as its docstring states it, one grid and one column piece at a time."""
    from pipeline.vertical.grid import _grid_cost
    lo, hi, sms = lo_f * cw, hi_f * cw, []
    for prof in profiles:
        nz = np.flatnonzero(prof)
        prof = prof[nz[0]:nz[-1] + 1].astype(np.float64)
        for at in range(0, len(prof), int(12 * cw)):
            part = prof[at:at + int(12 * cw)]
            if len(part) >= 2 * lo and part.any():
                sm = np.convolve(part, np.ones(3), mode="same")
                sms.append(sm / sm.mean())
    best, got = None, float(cw * 1.05)
    for q in np.arange(lo, hi, 0.25):
        cost = sum(_grid_cost(sm, q) for sm in sms)
        if best is None or cost < best - 1e-9:
            best, got = cost, float(q)
    return got


def test_the_pitch_search_finds_what_one_grid_at_a_time_finds():
    """pitch() costs every column piece and a run of pitches at once; it must
    pick the pitch the one-at-a-time search picks, and the columns' order
    (each block lists its own first) must not change it."""
    rng = np.random.default_rng(7)
    for _ in range(12):
        cw = float(rng.uniform(18, 70))
        p = cw * float(rng.uniform(0.95, 1.3))
        cols = _columns(rng, int(rng.integers(1, 10)), cw, p)
        got = pitch(cols, cw)
        assert got == _pitch_by_definition(cols, cw)
        assert pitch(cols[::-1], cw) == got


@pytest.mark.parametrize("family,i", [("vertical", 0), ("vertical-title", 0),
                                      # a paragraph's short last column beside its
                                      # indented first (the first paragraph of -9,
                                      # the last of -7 were lost)
                                      ("vertical", 7), ("vertical", 9)])
def test_a_vertical_page_is_found_as_columns_right_to_left(family, i):
    img, truth = render_page(family_spec(family, i))
    vl = find_vertical(_binary(img))
    assert vl is not None and vl.page_is_vertical
    cols = [c for r in vl.regions for c in r.columns]
    gold = [ln for b in truth["blocks"] if b["kind"] == "body" for ln in b["lines"]]
    assert len(cols) == len(gold)
    xs = [c.bbox.x1 for c in max(vl.regions, key=lambda r: len(r.columns)).columns]
    assert xs == sorted(xs, reverse=True)


def test_horizontal_pages_have_no_vertical_text():
    for name, spec in sample_specs().items():
        img, _truth = render_page(spec)
        vl = find_vertical(_binary(img))
        assert vl is None or not vl.regions, name


def test_a_mixed_page_keeps_its_columns_and_finds_its_vertical_title_and_sidebar():
    img, truth = render_page(family_spec("vertical-mixed", 0))
    page = layout_source(SourcePage("m.png", 1, np.asarray(img), 300), NO_TURN)[0].page
    vert = [b for b in page.blocks if b.direction == "ttb-rtl"]
    assert {b.kind for b in vert} == {"title", "sidebar"}
    assert page.direction == "ltr"
    first = page.ordered_blocks()[0]
    assert first.kind in ("title", "header")
    title = next(b for b in page.ordered_blocks() if b.kind == "title")
    assert title.direction == "ttb-rtl"
    # the horizontal columns are still there, in order
    assert sum(b.kind == "body" and b.direction == "ltr" for b in page.blocks) >= truth["layout"]["ncol"]


def test_a_vertical_page_reads_close_to_its_truth_in_order():
    """Real OCR: before, a vertical page read at CER 0.975."""
    img, truth = render_page(family_spec("vertical-title", 1))
    options = Options()
    page = convert_source(SourcePage("v.png", 1, np.asarray(img), 300), options, make_engine(options))[0].page
    assert page.direction == "ttb-rtl" and page.orientation == 0
    text = "".join(b.text for b in page.ordered_blocks()
                   if b.is_text and b.kind not in ("header", "footer"))
    assert cer(_main_text(truth), text) < 0.03
    assert page.ordered_blocks()[0].kind in ("title", "header")
    d = page.to_dict()
    assert {b["direction"] for b in d["blocks"]} >= {"ttb-rtl"} and d["direction"] == "ttb-rtl"
    assert not [f for f in page.flags if f.split(":")[0] in ("layout-fallback", "text-implausible")]


def _vertical_page() -> Page:
    cols = [Line(BBox(900 - 60 * i, 100, 940 - 60 * i, 500), t, 90.0,
                 [Word(BBox(900 - 60 * i, 100, 940 - 60 * i, 500), t, 90.0)])
            for i, t in enumerate(["竖排文字第一列", "第二列文字"])]
    b = Block(0, "body", BBox(840, 100, 940, 500), order=0, lines=cols, text="竖排文字第一列第二列文字",
              direction="ttb-rtl")
    return Page("v.png", 1, 1000, 600, blocks=[b], options={"lang": "chi_tra_vert"},
                direction="ttb-rtl", lang="chi_tra_vert")


def test_formats_carry_the_direction(page_schema):  # noqa: F811
    page = _vertical_page()
    xml = page_xml(page)
    doc = _assert_valid(page_schema, xml)
    reg = doc.find(f".//{{{PAGE_NS}}}TextRegion")
    assert reg.get("readingDirection") == "top-to-bottom" and reg.get("textLineOrder") == "right-to-left"
    assert doc.find(f".//{{{PAGE_NS}}}Page").get("primaryLanguage") == "Chinese"
    html = hocr_html(page)
    assert "textangle 270" in html and "chi_tra_vert" in html
    alto = alto_xml(page)
    assert 'ROTATION="270.00"' in alto and 'LANG="zh-Hant"' in alto
    again = Page.from_dict(json.loads(json.dumps(page.to_dict())))
    assert again.blocks[0].direction == "ttb-rtl" and again.direction == "ttb-rtl"


def test_unknown_direction_is_refused():
    with pytest.raises(ValueError):
        Block(0, "body", BBox(0, 0, 1, 1), direction="btt")


def test_a_missing_language_names_its_debian_packages(tmp_path, small_page):
    from conftest import run_magscan
    r = run_magscan("convert", small_page, "-o", tmp_path / "out", "--lang", "xyz_vert", "-j", "1")
    assert r.returncode == 3
    assert "sudo apt-get install tesseract-ocr-xyz tesseract-ocr-xyz-vert" in r.stderr


def test_split_lang():
    from pipeline.options import split_lang
    assert split_lang("chi_tra_vert") == ("chi_tra", "chi_tra_vert")
    assert split_lang("chi_sim+eng") == ("chi_sim+eng", "")
    assert split_lang("chi_sim+chi_sim_vert") == ("chi_sim", "chi_sim_vert")


@pytest.mark.parametrize("lang", ["chi_tra", "chi_sim+eng", "chi_sim_vert"])
def test_languages_run_and_are_recorded_per_page(tmp_path, small_page, lang):
    from conftest import rows, run_magscan
    out = tmp_path / "out"
    r = run_magscan("convert", small_page, "-o", out, "--lang", lang, "-j", "1", "--no-overlays",
                    "--formats", "txt,json,hocr")
    assert r.returncode == 0, r.stderr
    row = rows(out)[0]
    assert row["lang"] == lang and row["status"] == "done"
    stem = row["doc"]
    d = json.loads((out / stem / "page-0001.json").read_text(encoding="utf-8"))
    assert d["lang"] == lang
    text = (out / f"{stem}.txt").read_text(encoding="utf-8")
    # the small page's horizontal lines are read with the horizontal model;
    # chi_tra reads its simplified characters as their traditional forms
    gold = "加強和改進產業工人隊伍思想政治建設的意義" if lang == "chi_tra" else "加强和改进产业工人队伍思想政治建设的意义"
    assert cer(gold, "".join(text.split())) < 0.1


def test_the_vertical_model_reads_a_vertical_page_with_lang_vert():
    """--lang chi_sim_vert: Tesseract's own vertical model reads the columns."""
    img, truth = render_page(family_spec("vertical", 0))
    options = Options(lang="chi_sim_vert", orient=False)
    page = convert_source(SourcePage("v.png", 1, np.asarray(img), 300), options, make_engine(options))[0].page
    text = "".join(b.text for b in page.ordered_blocks() if b.is_text and b.kind not in ("header", "footer"))
    assert page.lang == "chi_sim_vert"
    assert cer(_main_text(truth), text) < 0.1


def test_the_cell_grid_stays_inside_its_column():
    """A float range can step past its end: every grid row is a row of the column."""
    from pipeline.vertical.grid import _grid
    for n in (100, 1226, 3001):
        for p in (37.3, 41.99999, 48.1):
            for ph in (0.0, 5.5, p - 0.01):
                rows = _grid(ph, n, p)
                assert len(rows) and rows.max() < n and rows.min() >= 0


def test_a_sidebar_heading_column_in_larger_type_is_read_at_its_own_pitch():
    """A boxed sidebar: a bold heading column over text columns in smaller type,
    commas hung beside some of them (the box of such a column is as wide as the
    heading's) and a mark squeezed in at the foot of one. The heading was read
    at the text's pitch: five cells for its four characters, misread."""
    from PIL import ImageDraw

    from pipeline.synth.typeset import IDEO_SPACE, font
    from pipeline.vertical.blocks import add_blocks
    from pipeline.vertical.columns import TTB
    from pipeline.vertical.read import read_block
    em, hsz, per = 36, 42, 9
    cols = ["\u3000\u3000农业合作社带动", "周边农户发展特色种", "植，户均年增收万元。",
            "\u3000\u3000据统计，今年前", "个月全区新增城镇就", "业万人，城镇登记失", "业率控制在以内。",
            "\u3000\u3000在今年的职工职", "业技能大赛中，来自", "基层一线的选手获得", "了一等奖。"]
    heading = "读者心声"
    W = 160 + int(1.5 * em) * len(cols) + hsz
    # above it, horizontal text: the page is a horizontal one, the sidebar one block
    prose = "产业工人队伍建设改革必须融入推进党的建设新的伟大工程许多老职工感慨地说现在的车间干净明亮" * 4
    n_chars, n_lines = (W - 160) // em, 9
    top = 80 + int(1.7 * em) * n_lines + 2 * em
    img = Image.new("L", (W, top + per * em + 80), 255)
    draw = ImageDraw.Draw(img)
    for i in range(n_lines):
        draw.text((80, 80 + int(1.7 * em) * i), prose[i * n_chars:(i + 1) * n_chars],
                  font=font("serif", em), fill=0)
    x = W - 80 - hsz
    draw_column(img, "sans_bold", hsz, x, top, heading)
    x -= 0.7 * em
    for t in cols:
        x -= em
        draw_column(img, "kai", em, x, top, t, per * em / len(t) if len(t) > per else None)
        x -= 0.5 * em
    a = np.asarray(img)
    pimg = preprocess(Page("s.png", 1, a.shape[1], a.shape[0]), a, FLAT)
    vl = find_vertical(pimg.binary)
    assert vl is not None and not vl.page_is_vertical
    # its box: one block, as the page's layout makes it
    page = Page("s.png", 1, a.shape[1], a.shape[0])
    add_blocks(page, vl, [BBox(40, top - 40, a.shape[1] - 40, a.shape[0] - 40)])
    [block] = page.blocks
    assert block.kind == "sidebar" and block.direction == TTB and len(block.lines) == 1 + len(cols)
    options = Options()
    lines = read_block(pimg.gray, pimg.binary, block, make_engine(options), options.lang, 30.0)
    assert lines[0].text == heading
    gold = "".join(t.replace(IDEO_SPACE, "") for t in cols)
    assert cer(gold, "".join(ln.text for ln in lines[1:])) < 0.05


def test_a_vertical_pages_title_typed_as_a_caption_is_its_title_and_read_first():
    """vertical-title-3: the region detector takes the columns for a picture and
    the title over them for its caption; the picture is vertical text, so the
    title is read before the columns, not among them."""
    img, _truth = render_page(family_spec("vertical-title", 3))
    page = layout_source(SourcePage("t.png", 1, np.asarray(img), 300), NO_TURN)[0].page
    kinds = [b.kind for b in page.ordered_blocks() if b.kind not in ("header", "footer")]
    assert kinds[0] == "title" and "caption" not in kinds


@pytest.mark.parametrize("i", [5, 14])
def test_a_boxed_vertical_sidebar_is_one_block_and_keeps_to_its_box(i):
    """vertical-mixed-14: the box's rules found only above and below made a frame
    round each of its regions, two blocks read left to right; its kai columns fall
    into narrow strokes. vertical-mixed-5: a column of the sidebar grew over the
    box's margin into the horizontal text above it, which was painted out."""
    img, truth = render_page(family_spec("vertical-mixed", i))
    page = layout_source(SourcePage("m.png", 1, np.asarray(img), 300), NO_TURN)[0].page
    [side] = [b for b in page.blocks if b.direction == "ttb-rtl" and b.kind == "sidebar"]
    gold = [b for b in truth["blocks"] if b["kind"] == "sidebar"]
    lines = sum(len(b["lines"]) for b in gold)
    assert len(side.lines) == lines
    top = min(b["bbox"][1] for b in gold)
    # the truth's boxes are the page's before deskewing: a character's leeway
    assert side.bbox.y0 >= top - 40
    # every line of the horizontal text still there
    horizontal = sum(len(b.lines) for b in page.blocks if b.direction == "ltr" and b.kind in ("body", "heading"))
    assert horizontal >= sum(len(b["lines"]) for b in truth["blocks"] if b["kind"] in ("body", "heading"))


# -4's folio "18", digits two thirds of the body's height, is no glyph to the
# layout either way (it is not among the glyphs the check counts)
@pytest.mark.parametrize("i,kinds", [(2, ("header", "footer")), (4, ("header",))])
def test_a_vertical_pages_running_head_and_folio_are_blocks(i, kinds):
    """vertical-title-2 and -4: with the columns painted out, the horizontal
    layout sees only the title, the running head and the folio. It sized the
    type by the title's display type, passed the running head and folio over
    as specks and lost them, and the layout check found 40% of the glyphs it
    saw in no block (``layout-suspect: nonsense``). Sized by the page's body
    type, they are blocks and the check finds nothing."""
    img, truth = render_page(family_spec("vertical-title", i))
    page = layout_source(SourcePage("t.png", 1, np.asarray(img), 300), NO_TURN)[0].page
    assert not [f for f in page.flags if f.code == "layout-suspect"], page.flags
    for kind in kinds:
        for gold in (BBox(*b["bbox"]) for b in truth["blocks"] if b["kind"] == kind):
            # the truth's boxes are the page's before deskewing: most of each is in a block of its kind
            assert any(b.kind == kind and b.bbox.overlap_area(gold) >= 0.5 * gold.area for b in page.blocks), \
                (kind, gold, [(b.kind, b.bbox) for b in page.blocks if b.direction == "ltr"])


def test_a_long_column_is_read_in_pieces_of_the_engines_line_length():
    """An engine with ``line_chars`` (PP-OCR reads lines of a few hundred
    model pixels fastest a character) gets a 40-character column as three
    lines of 13, 13 and 14 cells, in order, and the column's text is theirs
    joined; the cells are those of the column read whole."""
    from pipeline.synth.typeset import font  # noqa: F401 - fonts installed by make setup
    from pipeline.vertical.read import _restack, read_block
    text = "加强和改进产业工人队伍思想政治建设的意义在于推动高质量发展的大局中发挥作用主体力"
    assert len(text) == 40
    img = Image.new("L", (80, 44 * len(text) + 40), 255)
    draw_column(img, "serif", 40, 20, 20, text, pitch=44)
    gray = np.asarray(img)
    binary = np.where(gray < 128, 255, 0).astype(np.uint8)
    ys, xs = np.nonzero(binary)
    col = BBox(int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    whole = _restack(gray, binary, col, 40.0, 44.0)
    parts = _restack(gray, binary, col, 40.0, 44.0, most=16)
    assert len(whole) == 1 and len(whole[0][1]) == len(text)
    assert [len(slots) for _img, slots in parts] == [13, 13, 14]
    assert [s[2] for _img, slots in parts for s in slots] == [s[2] for s in whole[0][1]]
    for row, slots in parts:
        assert slots[-1][1] < row.shape[1] and row.shape[0] == whole[0][0].shape[0]

    class Pieces:
        name, line_chars, max_line_px, min_line_px = "fake", 16, None, None
        widths: list[int] = []

        def recognize(self, crop, kind, n_lines):
            self.widths.append(crop.shape[1])
            h, w = crop.shape
            return [Line(BBox(0, 0, w, h), f"<{len(self.widths)}>", 90.0,
                         [Word(BBox(0, 0, w, h), f"<{len(self.widths)}>", 90.0)])]

    engine = Pieces()
    block = Block(1, "body", col, lines=[Line(col, "")], direction="ttb-rtl")
    lines = read_block(gray, binary, block, engine, "chi_sim", 30.0)
    assert len(engine.widths) == 3 and max(engine.widths) < 0.5 * whole[0][0].shape[1]
    assert [ln.text for ln in lines] == ["<1><2><3>"]
    assert lines[0].bbox == BBox.enclosing(s[2] for s in whole[0][1])
