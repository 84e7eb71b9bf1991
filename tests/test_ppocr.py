"""The ppocr engine: line splitting on tiny drawn images, CTC decoding and
character boxes, the missing-extra error, real PP-OCR on a rendered text
image, and the seed page end to end next to Tesseract."""
import sys

import numpy as np
import pytest
from PIL import Image, ImageDraw

from conftest import ROOT, _cjk_font
from pipeline.errors import EngineMissing
from pipeline.recognition.ppocr.engine import INSTALL_HINT, PpocrEngine, fix_ppocr_text
from pipeline.options import Options
from pipeline.recognition.ppocr.lines import split_lines
from pipeline.recognition.ppocr.ctc import Decoded, ctc_decode, group_batches, to_line

SEED = ROOT / "scans" / "seed-page.png"


def _page(h=200, w=300):
    return np.full((h, w), 255, np.uint8)


def _text_row(img, y0, y1, x0=10, x1=None, step=24):
    """A row of glyph-like blobs: square-ish dark boxes with white between."""
    x1 = x1 or img.shape[1] - 10
    for x in range(x0, x1 - step + 1, step):
        img[y0:y1, x + 2:x + step - 4] = 20


# ---- line splitting --------------------------------------------------------

def test_three_even_lines_give_three_bands_in_order():
    img = _page()
    for y in (20, 80, 140):
        _text_row(img, y, y + 30)
    s = split_lines(img, 3)
    assert [(b.ink_y0, b.ink_y1) for b in s.bands] == [(20, 50), (80, 110), (140, 170)]
    assert s.regular and s.line_height == 30
    for b in s.bands:   # padded around the ink, inside the crop
        assert b.y0 < b.ink_y0 and b.y1 > b.ink_y1 and b.x0 < 12 and b.x1 <= 300


def test_band_hugs_a_short_last_line():
    img = _page()
    _text_row(img, 20, 50)
    _text_row(img, 80, 110, x1=110)   # the short last line of a paragraph
    s = split_lines(img, 2)
    assert s.bands[1].x1 < 140 and s.bands[0].x1 > 250


def test_a_row_gap_inside_glyphs_does_not_split_a_line():
    """A line like "二三" has an empty row inside every glyph."""
    img = _page()
    _text_row(img, 20, 50)
    img[80:92, 12:200] = 20   # upper strokes
    img[98:110, 12:200] = 20  # lower strokes, 6 px apart
    _text_row(img, 140, 170)
    s = split_lines(img, 3)
    assert [(b.ink_y0, b.ink_y1) for b in s.bands] == [(20, 50), (80, 110), (140, 170)]


def test_a_descender_reaching_the_next_line_does_not_join_them():
    img = _page(260)
    for y in (20, 80, 140):
        _text_row(img, y, y + 30)
    img[50:80, 100:104] = 20
    s = split_lines(img, 3)
    assert [(b.ink_y0, b.ink_y1) for b in s.bands] == [(20, 50), (80, 110), (140, 170)]


def test_touching_lines_are_cut_at_the_thinnest_row():
    img = _page(260)
    for y in (20, 50, 110, 170):          # the first two touch: no empty row between
        _text_row(img, y, y + 30)
    img[48:52, :] = 255
    img[48:52, 40:120] = 20               # and blurred strokes join them
    s = split_lines(img, 4)
    assert len(s.bands) == 4 and s.regular
    assert 47 <= s.bands[0].ink_y1 <= 53 and s.bands[1].ink_y0 == s.bands[0].ink_y1


def test_a_frame_rule_is_not_a_line_and_does_not_join_lines():
    img = _page(220, 400)
    img[5:8, :] = 0            # sidebar frame, top
    img[:, 2:5] = 0            # and left side
    for y in (20, 80, 140):
        _text_row(img, y, y + 30, x0=20)
    img[62:65, 20:380] = 0     # a rule right under line 1
    s = split_lines(img, 3)
    assert len(s.bands) == 3 and s.regular
    assert s.bands[0].x0 >= 10   # the vertical frame is not ink of the line


def test_blank_and_noisy_blank_crops_have_no_lines():
    assert split_lines(_page(), 1).bands == []
    rng = np.random.default_rng(0)
    noisy = np.clip(rng.normal(245, 4, (200, 300)), 0, 255).astype(np.uint8)
    assert split_lines(noisy, 1).bands == []


def test_a_count_that_disagrees_with_the_layout_is_irregular():
    img = _page()
    for y in (20, 80, 140):
        _text_row(img, y, y + 30)
    assert not split_lines(img, 5).regular
    assert split_lines(img, 0).regular   # no count to disagree with


# ---- decoding and boxes ----------------------------------------------------

def test_ctc_collapses_repeats_drops_blanks_and_keeps_positions():
    charset = ["", "中", "国", " "]
    steps = [1, 1, 0, 1, 2, 2, 0, 3]     # 中 中 - 中 国 国 - ' '
    preds = np.zeros((1, len(steps), 4), np.float32)
    for t, k in enumerate(steps):
        preds[0, t, k] = 0.9
    (chars,) = ctc_decode(preds, charset, input_width=80)
    assert [c.char for c in chars] == ["中", "中", "国", " "]
    assert [c.x for c in chars] == [5.0, 35.0, 45.0, 75.0]   # step centres, 10 px a step
    assert all(c.prob == pytest.approx(0.9) for c in chars)


def test_line_has_a_word_per_han_character_and_per_latin_run():
    chars = [Decoded(c, 8.0 + 16 * i, 0.5 + 0.05 * i) for i, c in enumerate("GDP增长3%")]
    ln = to_line(chars, scale=0.5, origin=100, x0=100, x1=400, y0=10, y1=40)
    assert [w.text for w in ln.words] == ["GDP", "增", "长", "3%"]
    assert ln.text == "GDP增长3%"
    xs = [w.bbox for w in ln.words]
    assert all(a.x1 <= b.x0 for a, b in zip(xs, xs[1:]))         # left to right, no overlap
    assert xs[0].x0 >= 100 and xs[-1].x1 <= 400 and all(b.y0 == 10 and b.y1 == 40 for b in xs)
    assert 0 <= ln.conf <= 100 and ln.words[1].conf == pytest.approx(65.0)


def test_batches_group_short_lines_of_similar_width():
    assert group_batches([800, 100, 790, 820, 120, 300], 8, 640) == [[1, 4], [5], [2], [0], [3]]
    assert [len(b) for b in group_batches([100] * 5, 2, 10_000)] == [2, 2, 1]


def test_ppocr_specific_confusions_are_fixed():
    assert fix_ppocr_text("技能提升-作用发挥>支撑保障") == "技能提升、作用发挥、支撑保障"
    assert fix_ppocr_text("，二是突出") == "二是突出"
    assert fix_ppocr_text("COVID-19 3-5") == "COVID-19 3-5"
    assert fix_ppocr_text("先锋队—中国共产党") == "先锋队——中国共产党"
    assert fix_ppocr_text("因此’要通过") == "因此，要通过"
    assert fix_ppocr_text("达到81%°工会 收入万元°") == "达到81%。工会 收入万元。"
    assert fix_ppocr_text("气温25°") == "气温25°"
    assert fix_ppocr_text("拖拉机丶播种机") == "拖拉机、播种机"
    assert fix_ppocr_text("“李宁”一一一享誉 一一对应") == "“李宁”———享誉 一一对应"
    assert fix_ppocr_text("他说‘好’就走") == "他说‘好’就走"
    assert fix_ppocr_text("先锋队——中国 1—5") == "先锋队——中国 1—5"


def test_a_tall_block_is_detected_in_strips_stitched_at_the_overlaps():
    """Strips of 512 rows overlapping by at least 64, each row from the strip
    where it is farthest from a cut: a map that depends on each pixel alone
    comes out as from one run over the whole block, and no run sees more
    than a strip."""
    from pipeline.recognition.ppocr.engine import DET_OVERLAP, DET_STRIP, _in_strips

    starts = []

    def run(x):
        starts.append((int(x[0, 1, 0, 0]), x.shape[2]))
        return (x[:, :1] * 2.0 + 1.0).astype(np.float32)

    rng = np.random.default_rng(3)
    for h in range(32, 3000, 32):
        starts.clear()
        x = rng.uniform(-1, 1, (1, 3, h, 16)).astype(np.float32)
        x[0, 1] = np.arange(h)[:, None]        # channel 1 says which row a strip starts at
        out = _in_strips(run, x)
        assert out.shape == (h, 16) and np.array_equal(out, x[0, 0] * 2.0 + 1.0)
        assert {n for _y, n in starts} == {min(h, DET_STRIP)}
        ys = [y for y, _n in starts]
        assert ys[0] == 0 and ys[-1] + min(h, DET_STRIP) == h and all(y % 32 == 0 for y in ys)
        assert all(b - a <= DET_STRIP - DET_OVERLAP for a, b in zip(ys, ys[1:])), (h, ys)
    # each row from the strip where it is farthest from a cut: at 1,440 rows,
    # strips at 0, 320, 608 and 928, cut at the middles of their overlaps
    calls = []

    def tagged(x):
        calls.append(x.shape[2])
        return np.full((1, 1, x.shape[2], 8), len(calls), np.float32)

    out = _in_strips(tagged, np.zeros((1, 3, 1440, 8), np.float32))
    assert list(np.flatnonzero(np.diff(out[:, 0])) + 1) == [416, 720, 1024]
    assert list(np.unique(out[:, 0])) == [1.0, 2.0, 3.0, 4.0]


# ---- the extra -------------------------------------------------------------

@pytest.mark.parametrize("module", ["rapidocr_onnxruntime", "onnxruntime"])
def test_missing_extra_says_how_to_install(monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)   # makes `import module` fail
    engine = PpocrEngine(Options(engine="ppocr"))
    with pytest.raises(EngineMissing) as e:
        engine.check()
    assert "pip install -e '.[ppocr]'" in str(e.value) and INSTALL_HINT in str(e.value)
    assert e.value.exit_code == 3
    img = _page(60, 300)
    _text_row(img, 15, 45)
    with pytest.raises(EngineMissing):   # and recognising cannot get round it
        engine.recognize(img, "body", 1)


# ---- real models -----------------------------------------------------------

@pytest.fixture(scope="module")
def engine():
    e = PpocrEngine(Options(engine="ppocr"))
    e.check()
    return e


def _rendered(lines, size=48):
    img = Image.new("L", (40 + size * max(map(len, lines)) + 40, 40 + 100 * len(lines)), 255)
    d = ImageDraw.Draw(img)
    f = _cjk_font(size)
    for i, t in enumerate(lines):
        d.text((40, 30 + 100 * i), t, font=f, fill=0)
    return np.asarray(img)


@pytest.mark.parametrize("detector", ["never", "always"])
def test_reads_rendered_lines_exactly_with_character_boxes(engine, detector):
    texts = ["加强和改进产业工人队伍", "思想政治建设的意义"]
    img = _rendered(texts)
    e = PpocrEngine(Options(engine="ppocr"), detector=detector)
    e._rec, e._charset = engine._load_rec(), engine._charset   # share the loaded model
    lines = e.recognize(img, "body", 2)
    assert [ln.text for ln in lines] == texts
    assert lines[0].bbox.y1 <= lines[1].bbox.y0 and all(ln.conf > 80 for ln in lines)
    for ln, t in zip(lines, texts):
        assert "".join(w.text for w in ln.words) == t
        for k, w in enumerate(ln.words):   # glyph k is drawn at 40 + 48 k .. + 48
            assert abs(w.bbox.cx - (40 + 48 * k + 24)) < 16, (t[k], w.bbox)
    assert e.stats["detector_blocks"] == (1 if detector == "always" else 0)


# ---- the OpenVINO runtime --------------------------------------------------

@pytest.fixture(scope="module")
def ov_engine():
    e = PpocrEngine(Options(engine="ppocr-openvino"), runtime="openvino")
    e.check()
    return e


def test_openvino_runs_the_recogniser_as_onnxruntime_does(engine, ov_engine):
    """The same model at magscan's 32-pixel line height: OpenVINO computes
    the pool over the two rows there are (it would give an empty output as
    the model stands) and matches onnxruntime in float32."""
    from pipeline.recognition.ppocr.runtime import Model

    ort, ov = engine._load_rec(), ov_engine._load_rec()
    assert (ort.runtime, ov.runtime) == ("onnxruntime", "openvino") and isinstance(ov, Model)
    assert ov_engine._charset == engine._charset and len(engine._charset) > 6000
    rng = np.random.default_rng(7)
    for n, w in ((1, 96), (3, 320), (1, 608)):
        x = rng.uniform(-1, 1, (n, 3, 32, w)).astype(np.float32)
        a, b = ort.run(x), ov.run(x)
        assert a.shape == b.shape == (n, w // 8, len(engine._charset))
        assert np.abs(a - b).max() < 1e-4
        assert (a.argmax(-1) == b.argmax(-1)).all()


def test_openvino_engine_reads_rendered_lines_with_the_same_boxes(engine, ov_engine):
    texts = ["加强和改进产业工人队伍", "思想政治建设的意义"]
    img = _rendered(texts)
    ov_lines = ov_engine.recognize(img, "body", 2)
    ort_lines = engine.recognize(img, "body", 2)
    assert [ln.text for ln in ov_lines] == texts == [ln.text for ln in ort_lines]
    assert ov_engine.name == "ppocr-openvino" and ov_engine.max_batch == 1
    from pipeline.recognition.stage import make_engine
    assert make_engine(Options(engine="ppocr-openvino")).runtime == "openvino"
    for a, b in zip(ov_lines, ort_lines):
        assert [w.text for w in a.words] == [w.text for w in b.words]
        assert all(abs(wa.bbox.cx - wb.bbox.cx) <= 8 for wa, wb in zip(a.words, b.words))


def test_openvino_missing_says_how_to_install(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "openvino" else real(name, *a))
    with pytest.raises(EngineMissing) as e:
        PpocrEngine(Options(engine="ppocr-openvino"), runtime="openvino").check()
    assert "openvino" in str(e.value) and "[openvino]" in str(e.value) and e.value.exit_code == 3


@pytest.fixture(scope="module")
def seed_pages(engine):
    from pipeline.convert import convert_page
    from pipeline.ingest.files import load_pages
    from pipeline.recognition.stage import make_engine

    src = next(iter(load_pages(SEED, Options())))
    tess = convert_page(src, Options(), make_engine(Options())).page
    pp = convert_page(src, Options(engine="ppocr"), engine).page
    return tess, pp


def test_seed_page_end_to_end_beats_tesseract_and_keeps_its_order(seed_pages):
    import json

    from pipeline.evaluate.text import cer, order_score

    tess, pp = seed_pages
    gold = (ROOT / "scans" / "seed-page.gt_body.txt").read_text(encoding="utf-8")

    def body(page):
        return "\n".join(b.text for b in page.ordered_blocks() if b.kind not in ("header", "footer"))

    c_pp, c_tess = cer(gold, body(pp)), cer(gold, body(tess))
    print(f"\nseed page CER: ppocr {c_pp:.4f}, tesseract {c_tess:.4f}")
    assert pp.engine == "ppocr" and tess.engine != "ppocr"
    assert c_pp <= 0.012
    # the same blocks in the same reading order, whichever engine read them
    assert [(b.id, b.kind) for b in pp.ordered_blocks()] == [(b.id, b.kind) for b in tess.ordered_blocks()]
    blocks = [b["text"] for b in json.loads((ROOT / "scans" / "seed-page.gt.json").read_text(
        encoding="utf-8"))["blocks"] if b["kind"] not in ("header", "footer") and len(b["text"]) >= 8]
    assert order_score(blocks, body(pp)) == 1.0
    for b in pp.blocks:
        if b.is_text:
            assert b.lines and all(0 <= ln.conf <= 100 and ln.words for ln in b.lines)
            assert all(b.bbox.x0 - 20 <= ln.bbox.x0 and ln.bbox.x1 <= b.bbox.x1 + 20 for ln in b.lines)
