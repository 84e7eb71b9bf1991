"""Repairing interleaved text from box-level input (issue 7): gutters, glued
lines, and the hOCR / ALTO / PaddleOCR readers with `magscan repair`.

The inputs are built here from the seed page's ground truth
(scans/seed-page.gt.json): each truth line is laid out unskewed inside its
block's box at the synth renderer's font size and line pitch, justified to
the column width except for a paragraph's last line.
"""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from pipeline.evaluate.text import cer
from pipeline.layout.boxes import Gutter, TextBox, find_gutters, split_line, char_weight

ROOT = Path(__file__).resolve().parent.parent
GT = ROOT / "scans" / "seed-page.gt.json"
GOLD_BODY = (ROOT / "scans" / "seed-page.gt_body.txt").read_text(encoding="utf-8")


# ----------------------------------------------------------------- seed geometry

def seed_lines():
    """Truth lines of the seed page: list of dicts with kind, top, height
    (font px), x0, x1, text (indent removed) and chars [(x0, x1, ch)], in
    truth reading order. Also returns (width, height)."""
    gt = json.loads(GT.read_text(encoding="utf-8"))
    lay = gt["layout"]
    dpi = lay["dpi"]
    body_px = lay["body_pt"] * dpi / 72
    pitch = lay["line_pitch_px"]
    out = []
    for b in gt["blocks"]:
        bx0, by0, bx1, by1 = b["bbox_unrotated"]
        texts = [ln["text"] for ln in b["lines"]]
        n = len(texts)
        if b["kind"] == "body":
            font, lp = body_px, pitch
        elif n == 1:
            font, lp = by1 - by0, 0
        else:
            font = lay["title_pt"] * dpi / 72
            lp = (by1 - by0 - font) / (n - 1)
        for i, t in enumerate(texts):
            indent = len(t) - len(t.lstrip("\u3000"))
            # the truth is NFKC-normalised; the print has full-width punctuation
            t = "".join(chr(ord(c) + 0xFEE0) if c in ",.:;!?()" and b["kind"] != "footer" else c
                        for c in t.lstrip("\u3000"))
            widths = [font * char_weight(c) for c in t]
            natural = sum(widths)
            if b["kind"] == "body":
                x = bx0 + indent * font
                last = i == n - 1
                extra = 0.0 if len(t) < 2 else (bx1 - x - natural) / (len(t) - 1)
                if last:  # a paragraph's last line ends short, unless it would overflow
                    extra = min(extra, 0.0)
            else:  # masthead, footer: centred (footer: right-aligned)
                x = bx1 - natural if b["kind"] == "footer" else (bx0 + bx1 - natural) / 2
                extra = 0.0
            chars = []
            for c, w in zip(t, widths):
                chars.append((x, x + w, c))
                x += w + extra
            top = by0 + i * lp
            out.append({"kind": b["kind"], "block": b["order"], "top": top, "height": font,
                        "x0": chars[0][0], "x1": chars[-1][1], "text": t, "chars": chars})
    return out, (gt["width"], gt["height"])


def glued_rows(lines, max_gap_em=1.0):
    """What line-based detectors do: lines sharing a baseline whose horizontal
    gap is under ``max_gap_em`` are one box; rows sorted top to bottom, then left to right."""
    rows = sorted(lines, key=lambda l: (round(l["top"]), l["x0"]))
    out = []
    for ln in rows:
        p = out[-1] if out else None
        if (p and abs(p["top"] - ln["top"]) < 2 and abs(p["height"] - ln["height"]) < 2
                and 0 <= ln["x0"] - p["x1"] < max_gap_em * ln["height"]):
            p["x1"], p["text"] = ln["x1"], p["text"] + ln["text"]
            p["n"] += 1
        else:
            out.append({**ln, "n": 1})
    return out


def paddle_json(lines, old_shape=False):
    out = []
    for r in glued_rows(lines):
        x0, y0, x1, y1 = r["x0"] - 3, r["top"] - 4, r["x1"] + 3, r["top"] + r["height"] + 4
        box = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
        out.append([box, [r["text"], 0.98]] if old_shape else [box, r["text"], 0.98])
    return out


def hocr_doc(lines, size):
    w, h = size
    rows = sorted(lines, key=lambda l: (round(l["top"]), l["x0"]))  # interleaved order
    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<html xmlns="http://www.w3.org/1999/xhtml"><head><title></title>'
             '<meta name="ocr-system" content="tesseract 5.3.0"/></head><body>',
             f'<div class="ocr_page" id="page_1" title="image &quot;x.png&quot;; bbox 0 0 {w} {h}; ppageno 0">']
    for i, ln in enumerate(rows):
        y0, y1 = int(ln["top"]), int(ln["top"] + ln["height"])
        parts.append(f'<span class="ocr_line" id="line_1_{i}" title="bbox {int(ln["x0"])} {y0} '
                     f'{int(ln["x1"])} {y1}; baseline 0 -8; x_size 40">')
        for j, (cx0, cx1, c) in enumerate(ln["chars"]):
            parts.append(f'<span class="ocrx_word" id="word_1_{i}_{j}" title="bbox {int(cx0)} {y0} '
                         f'{int(cx1)} {y1}; x_wconf 95">{c.replace("&", "&amp;").replace("<", "&lt;")}</span>')
        parts.append("</span>")
    parts.append("</div></body></html>")
    return "\n".join(parts)


def alto_doc(lines, size):
    from xml.sax.saxutils import quoteattr
    w, h = size
    rows = sorted(lines, key=lambda l: (round(l["top"]), l["x0"]))
    body = []
    for ln in rows:
        y0 = int(ln["top"])
        hh = int(ln["height"])
        body.append(f'<TextLine HPOS="{int(ln["x0"])}" VPOS="{y0}" WIDTH="{int(ln["x1"] - ln["x0"])}" HEIGHT="{hh}">'
                    f'<String HPOS="{int(ln["x0"])}" VPOS="{y0}" WIDTH="{int(ln["x1"] - ln["x0"])}" '
                    f'HEIGHT="{hh}" CONTENT={quoteattr(ln["text"])} WC="0.95"/></TextLine>')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Layout>'
            f'<Page WIDTH="{w}" HEIGHT="{h}" PHYSICAL_IMG_NR="1"><PrintSpace>'
            '<TextBlock>' + "".join(body) + '</TextBlock></PrintSpace></Page></Layout></alto>')


def page_text_of(page):
    from pipeline.text.assemble import page_text
    return page_text(page)


# ----------------------------------------------------------------- tiny geometry

def test_gutter_between_two_columns():
    """Two columns of 4-char lines (1 unit = 10 px), every row glued except
    paragraph ends and indented starts::

        AAAA BBBB      row 0..4: glued into one box  AAAABBBB
        AA   BBBB      row 5: left line ends short -> two boxes
        AAAA   BB      row 6: right line indented
        ...
    The left column ends at x=40, the right starts at x=45: gutter [40, 45).
    """
    lines = []
    for r in range(12):
        y = r * 15
        if r % 4 == 1:
            lines += [TextBox((0, y, 20, y + 10), "甲乙"), TextBox((45, y, 85, y + 10), "丙丁戊己")]
        elif r % 4 == 2:
            lines += [TextBox((0, y, 40, y + 10), "甲乙丙丁"), TextBox((65, y, 85, y + 10), "戊己")]
        else:
            lines.append(TextBox((0, y, 85, y + 10), "甲乙丙丁戊己庚辛"))
    (g,) = find_gutters(lines, 10)
    assert g.e == pytest.approx(40) and g.s == pytest.approx(45)
    left, right = split_line(TextBox((0, 0, 85, 10), "甲乙丙丁戊己庚辛"), [g])
    assert (left.text, right.text) == ("甲乙丙丁", "戊己庚辛")
    assert left.bbox[2] == pytest.approx(40) and right.bbox[0] == pytest.approx(45)


def test_split_uses_char_boxes_when_known():
    """Char boxes decide, not uniform width: a half-width digit run shifts the cut::

        [1][2][3][4][甲][乙] | [丙][丁]     gutter centre at x=52
    """
    atoms = [((i * 5, 0, i * 5 + 5, 10), c) for i, c in enumerate("1234")]
    atoms += [((20, 0, 30, 10), "甲"), ((30, 0, 40, 10), "乙"), ((55, 0, 65, 10), "丙"), ((65, 0, 75, 10), "丁")]
    ln = TextBox((0, 0, 75, 10), "1234甲乙丙丁", atoms)
    left, right = split_line(ln, [Gutter(45, 55, 0, 100)])
    assert (left.text, right.text) == ("1234甲乙", "丙丁")


def test_boxless_split_follows_learnt_line_measure():
    """Two justified columns (1 em = 10 px, column 160 px, gutter [160, 170)),
    every row glued; only the box and the text are known. The typesetter sets
    punctuation half width, so a full line holds 16 Han characters, or 17 when
    it has two marks -- the box alone cannot tell::

        甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲 | 乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙   16 + 16 (x5)
        丙丙丙丙丙丙丙，丙丙丙丙丙丙丙，丙 | 丁丁丁丁丁丁丁丁丁丁丁丁丁丁丁丁   17 + 16
        戊戊戊戊戊戊戊戊戊戊戊戊戊戊戊戊 | 己己己己己己己，己己己己己己己，己   16 + 17

    Uniform width puts both 33-character rows' cut at 16.5; the learnt
    measure (1/2-em punctuation, 16 ems per 160 px) cuts them at 17 and 16.
    (The learnt measure, not the column or character count, is what decides.)
    """
    from pipeline.layout.box_split import learn_measure
    rows = ["甲" * 16 + "乙" * 16] * 5
    odd = [("丙丙丙丙丙丙丙，丙丙丙丙丙丙丙，丙", "丁" * 16), ("戊" * 16, "己己己己己己己，己己己己己己己，己")]
    rows += [a + b for a, b in odd]
    lines = [TextBox((0, r * 15, 330, r * 15 + 10), t) for r, t in enumerate(rows)]
    # unglued lines give the gutter its edges
    lines += [TextBox((0, (8 + r) * 15, 160, (8 + r) * 15 + 10), "庚" * 16) for r in range(3)]
    lines += [TextBox((170, (8 + r) * 15, 330, (8 + r) * 15 + 10), "辛" * 16) for r in range(3)]
    g = Gutter(160, 170, 0, 200)
    m = learn_measure([(ln, [g]) for ln in lines], lines, [g], 10)
    assert m is not None and m.punct == 0.5
    # same box, same length: geometry alone cuts both at the same index, so misses one
    assert len({len(split_line(ln, [g])[0].text) for ln in lines[5:7]}) == 1
    for (a, b), ln in zip(odd, lines[5:7]):
        assert [p.text for p in split_line(ln, [g], m)] == [a, b]
    assert [p.text for p in split_line(lines[0], [g], m)] == ["甲" * 16, "乙" * 16]


def test_centred_title_is_not_split():
    """A wide masthead line above the columns crosses the gutter but is left whole."""
    from pipeline.layout.boxes import layout_from_boxes
    lines, size = seed_lines()
    tbs = [TextBox((ln["x0"], ln["top"], ln["x1"], ln["top"] + ln["height"]), ln["text"]) for ln in lines]
    lay = layout_from_boxes(tbs, *size)
    assert len(lay.columns) == 3
    title = [b for b in lay.blocks if b.kind == "title"]
    assert title and all(len(ln.text) > 10 for ln in title[0].lines)


# ----------------------------------------------------------------- readers and CLI

def _run_repair(tmp_path, name, content):
    from conftest import run_magscan
    src = tmp_path / name
    src.write_text(content, encoding="utf-8")
    r = run_magscan("repair", src, "-o", tmp_path / "out", timeout=120)
    assert r.returncode == 0, r.stderr
    return (tmp_path / "out" / f"{src.stem}.txt").read_text(encoding="utf-8")


def test_paddle_glued_json_naive_is_interleaved():
    rows = paddle_json(seed_lines()[0])
    assert cer(GOLD_BODY, "\n".join(r[1] for r in rows)) > 0.5


def test_repair_paddle_glued_json(tmp_path):
    text = _run_repair(tmp_path, "seed.json", json.dumps(paddle_json(seed_lines()[0]), ensure_ascii=False))
    assert cer(GOLD_BODY, text) <= 0.01


def test_repair_paddle_glued_json_bounded(tmp_path):
    from pipeline.convert_boxes import repair_file
    src = tmp_path / "old.json"
    src.write_text(json.dumps(paddle_json(seed_lines()[0], old_shape=True), ensure_ascii=False))
    page = repair_file(src)
    assert page.engine == "repair:paddle" and len(page.columns) == 3
    assert cer(GOLD_BODY, page_text_of(page)) <= 0.04


def test_repair_hocr(tmp_path):
    lines, size = seed_lines()
    text = _run_repair(tmp_path, "seed.hocr", hocr_doc(lines, size))
    assert cer(GOLD_BODY, text) <= 0.005


def test_repair_alto(tmp_path):
    lines, size = seed_lines()
    text = _run_repair(tmp_path, "seed.xml", alto_doc(lines, size))
    assert cer(GOLD_BODY, text) <= 0.005


def test_repair_bad_input(tmp_path):
    from conftest import run_magscan
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    r = run_magscan("repair", bad, "-o", tmp_path / "out", timeout=120)
    assert r.returncode == 1 and "bad.json" in r.stderr and r.stderr.count("\n") == 1
