"""Repair that does not hurt (issue 14, point 5): other engines' real output.

Small constructed pages in Tesseract's manner (ink boxes of characters and
words, wide gaps around digits and Latin words), the command line on
folders and with the page image an hOCR file names, and one real Tesseract
run on a generated two-column page.
"""
from __future__ import annotations

import json
import os
import subprocess
from dataclasses import replace
from pathlib import Path

from PIL import Image

from pipeline.layout.box_gutters import find_gutters
from pipeline.model import TextBox
from pipeline.evaluate.text import cer
from pipeline.layout.boxes import layout_from_boxes

EM = 40.0
PITCH = 1.1 * EM        # a Han character's cell in a justified line
INK = 0.75 * EM         # its ink box (Tesseract's boxes are ink, not cells)
HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"


def _line(y: float, x0: float, text: str, gap_after: dict[int, float] | None = None) -> TextBox:
    """A line of Han characters as Tesseract boxes them: one atom per
    character, ink narrower than the cell; ``gap_after``: extra white (px)
    after character i, where the typesetter spread a line around a Latin word."""
    atoms, x = [], x0
    for i, c in enumerate(text):
        atoms.append(((x, y, x + INK, y + EM), c))
        x += PITCH + (gap_after or {}).get(i, 0.0)
    return TextBox((x0, y, atoms[-1][0][2], y + EM), text, atoms, 90.0, 0)


def test_word_gaps_in_a_cjk_column_are_not_gutters():
    """One column, 18 lines of 16 cells. Six lines carry a digit or Latin word
    whose wide gaps (1.2 em) fall, by the grid, at the same x::

        的一是在不了有和人这中大为上个国
        的一是在 2019 年不了有和人这中大   <- gap after cell 4 (three such lines)
        ...                              <- gap after cell 9 (three more)

    The edges of those gaps line up over many lines, but every other line has
    ink there: no gutter, and no line is cut."""
    lines = []
    for r in range(18):
        text = HAN[r * 16:(r + 1) * 16]
        gaps = {4: 1.2 * EM} if r in (2, 6, 10) else {9: 1.2 * EM} if r in (4, 8, 12) else None
        lines.append(_line(100 + r * 1.6 * EM, 100, text, gaps))
    assert find_gutters(lines, EM) == []
    lay = layout_from_boxes(lines, 1000, 1400)
    assert lay.n_split == 0
    assert [ln.text for b in lay.blocks for ln in b.lines] == [ln.text for ln in lines]


def test_two_columns_with_glued_lines_are_split():
    """Two columns of 10 cells, gutter 1.5 em. Tesseract glued rows 0..9 of
    both columns into one line each (its word boxes show white in the
    gutter); from row 10 on it read them apart, left column first::

        LLLLLLLLLL   RRRRRRRRRR      one ocr_line per row (glued)
        ...
        LLLLLLLLLL                   separate lines, rows 10..15
        LLLLL        RRRRRRRRRR      (a paragraph ends short)

    The gutter is real (lines end and start at it, the glued lines are white
    there): the glued lines are cut and the columns read one after the other."""
    left_x, right_x = 100.0, 100 + 10 * PITCH + 1.5 * EM
    lines, left, right = [], [], []
    for r in range(16):
        y = 100 + r * 1.6 * EM
        lt = HAN[r * 20:r * 20 + (5 if r % 6 == 5 else 10)]
        rt = HAN[r * 20 + 10:r * 20 + 20]
        a, b = _line(y, left_x, lt), _line(y, right_x, rt)
        left.append(lt)
        right.append(rt)
        if r < 10:
            lines.append(TextBox((a.bbox[0], y, b.bbox[2], y + EM), lt + rt, a.atoms + b.atoms, 90.0, 0))
        else:
            lines.append(a)
    lines += [_line(100 + r * 1.6 * EM, right_x, right[r]) for r in range(10, 16)]
    (g,) = find_gutters(lines, EM)
    assert left_x + 10 * PITCH - PITCH + INK - 2 <= g.e < g.s <= right_x + 2
    lay = layout_from_boxes(lines, 1400, 1400)
    assert lay.n_split == 10
    from pipeline.readingorder import resolve_order
    text = "".join(ln.text for b in resolve_order(lay.blocks).blocks for ln in b.lines)
    assert text == "".join(left) + "".join(right)


# ----------------------------------------------------------------- command line

def _hocr(image_ref: str, size=(600, 300)) -> str:
    w, h = size
    words = "".join(f'<span class="ocrx_word" title="bbox {40 + 45 * i} 40 {80 + 45 * i} 80; x_wconf 90">{c}</span>'
                    for i, c in enumerate("加强和改进产业工人"))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>'
            f'<div class="ocr_page" title="image &quot;{image_ref}&quot;; bbox 0 0 {w} {h}; ppageno 0; scan_res 300 300">'
            '<div class="ocr_carea" title="bbox 40 40 480 80"><p class="ocr_par" title="bbox 40 40 480 80">'
            f'<span class="ocr_line" title="bbox 40 40 480 80">{words}</span></p></div></div></body></html>')


def _paddle() -> str:
    return json.dumps([[[[40, 40], [480, 40], [480, 80], [40, 80]], "队伍思想政治建设", 0.97]],
                      ensure_ascii=False)


def test_repair_takes_folders(tmp_path):
    from conftest import run_magscan
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "a.hocr").write_text(_hocr("a.png"), encoding="utf-8")
    (tmp_path / "in" / "sub" / "b.json").write_text(_paddle(), encoding="utf-8")
    (tmp_path / "in" / "sub" / "notes.txt").write_text("not OCR output", encoding="utf-8")
    r = run_magscan("repair", tmp_path / "in", "-o", tmp_path / "out", "--no-overlays", timeout=120)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "a.txt").read_text(encoding="utf-8").strip() == "加强和改进产业工人"
    assert (tmp_path / "out" / "b.txt").read_text(encoding="utf-8").strip() == "队伍思想政治建设"
    assert not (tmp_path / "out" / "notes").exists()


def test_repair_uses_the_image_the_hocr_names(tmp_path):
    """The image is named relative to the hOCR file: it becomes the page's
    scan (overlay, PDF); the DPI comes from scan_res."""
    from conftest import run_magscan
    d = tmp_path / "ocr"
    (d / "img").mkdir(parents=True)
    Image.new("L", (600, 300), 255).save(d / "img" / "p.png")
    (d / "p.hocr").write_text(_hocr("img/p.png"), encoding="utf-8")
    r = run_magscan("repair", d / "p.hocr", "-o", tmp_path / "out", "--formats", "txt,json,pdf",
                    timeout=120)
    assert r.returncode == 0, r.stderr
    page = json.loads((tmp_path / "out" / "p" / "page-0001.json").read_text(encoding="utf-8"))
    assert Path(page["source"]).resolve() == (d / "img" / "p.png").resolve()
    assert page["dpi"] == 300
    assert (tmp_path / "out" / "p" / "page-0001.overlay.png").is_file()
    assert (tmp_path / "out" / "p.pdf").read_bytes().startswith(b"%PDF")


def test_missing_image_is_a_warning(tmp_path):
    from conftest import run_magscan
    src = tmp_path / "p.hocr"
    src.write_text(_hocr("gone.png"), encoding="utf-8")
    r = run_magscan("repair", src, "-o", tmp_path / "out", timeout=120)
    assert r.returncode == 0
    assert r.stderr.count("\n") == 1 and "warning" in r.stderr and "gone.png" in r.stderr
    assert (tmp_path / "out" / "p.txt").read_text(encoding="utf-8").strip() == "加强和改进产业工人"
    assert not (tmp_path / "out" / "p" / "page-0001.overlay.png").exists()


# ----------------------------------------------------------------- real Tesseract

def test_repair_of_tesseract_hocr_is_not_worse(tmp_path):
    """Tesseract's own hOCR of a generated two-column page (small, about a
    second of OCR): repair reads it at least as well as Tesseract's order,
    and well."""
    from pipeline.text.assemble import page_text
    from pipeline.convert_boxes import repair_input
    from pipeline.ingest.ocr_files import read_input
    from pipeline.synth import render_page, write_page
    from pipeline.synth.layout import random_spec

    spec = replace(random_spec(3), columns=2, gutter_in=0.25, title_span=2, figure=None, sidebar=False,
                   spread=False, headings=0, page_mm=(120, 160), body_pt=10, skew_deg=0.0, noise=0,
                   blur=0, jpeg=0, lighting=0.0, border=None, border_px=0).validate()
    img, truth = render_page(spec)
    write_page(tmp_path, "p", img, truth)
    subprocess.run(["tesseract", str(tmp_path / "p.png"), str(tmp_path / "p"), "-l", "chi_sim",
                    "--psm", "3", "hocr"], check=True, capture_output=True, timeout=120,
                   env=dict(os.environ, OMP_THREAD_LIMIT="1"))
    gold = (tmp_path / "p.gt_body.txt").read_text(encoding="utf-8")
    src = read_input(tmp_path / "p.hocr")
    given = cer(gold, "\n".join(ln.text for ln in src.lines))
    page = repair_input(src)
    repaired = cer(gold, page_text(page))
    assert page.source == str(tmp_path / "p.png")
    assert repaired <= given
    assert repaired <= 0.05

