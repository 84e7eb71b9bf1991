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

from pipeline.evaluate import cer
from pipeline.layout_boxes import TextBox, find_gutters, split_line, char_weight

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
    from pipeline.assemble import page_text
    return page_text(page)
