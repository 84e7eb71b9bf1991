"""Vertical type for the page generator: pages set in vertical columns (read
top to bottom, columns right to left), and horizontal pages with a vertical
title and a vertical sidebar.

Every character sits in an em cell stacked down the column; the comma, full
stop and enumeration comma sit in the cell's upper right quarter, as vertical
Chinese is printed. Text is drawn from the same corpus as the other pages,
with the marks that vertical setting would turn or replace (quotes,
brackets, dashes, Latin letters and digits) left out, so the truth is
exactly what is printed. A block's ``lines`` are its columns, in reading
order, each with its box.
"""
from __future__ import annotations

import random
from dataclasses import replace

from PIL import Image, ImageDraw

from . import corpus
from .truth import Blk
from .typeset import IDEO_SPACE, baseline_offset, blit, font

INK = 20
# marks printed in the upper right of their cell in vertical setting
CORNER_MARKS = set("，。、")
KEEP_MARKS = CORNER_MARKS | set("；：？！")


def is_vertical_char(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or ch in KEEP_MARKS


def vertical_text(s: str) -> str:
    """``s`` with what vertical setting cannot print as drawn left out."""
    out = "".join(ch for ch in s if is_vertical_char(ch))
    while out and out[0] in KEEP_MARKS:
        out = out[1:]
    return out


def vsentence(src: corpus.TextSource) -> str:
    while True:
        s = vertical_text(src.sentence())
        if len(s) >= 4:
            return s


def vparagraph(src: corpus.TextSource, lo: int = 1, hi: int = 4) -> str:
    return "".join(vsentence(src) for _ in range(src.rng.randint(lo, hi)))


def draw_column(img: Image.Image, font_name: str, em: int, x0: float, top: float, text: str,
                pitch: float | None = None, fill: int = INK, stroke: int = 0) -> tuple:
    """Draw ``text`` down one column whose cells are ``em`` wide, the first cell's top at
    ``top``, cells ``pitch`` apart (default ``em``); the box of the column's ink cells
    (indent cells excluded)."""
    pitch = pitch or em
    f = font(font_name, em)
    first = None
    y = top
    for ch in text:
        if ch != IDEO_SPACE:
            first = y if first is None else first
            base = round(y) + baseline_offset(font_name, em)
            if ch in CORNER_MARKS:
                # its horizontal glyph sits low left in the cell: up and right by half a cell
                blit(img, font_name, em, ch, x0 + 0.5 * em, base - round(0.5 * em), fill)
            elif stroke:
                ImageDraw.Draw(img).text((round(x0 + (em - f.getlength(ch)) / 2), base), ch, font=f,
                                         fill=fill, anchor="ls", stroke_width=stroke, stroke_fill=fill)
            else:
                blit(img, font_name, em, ch, x0 + (em - f.getlength(ch)) / 2, base, fill)
        y += pitch
    first = top if first is None else first
    return (float(x0), float(first), float(x0 + em), float(top + (len(text) - 1) * pitch + em))


def flow_columns(img: Image.Image, font_name: str, em: int, x_right: float, x_left: float,
                 top: float, bottom: float, col_pitch: float, src: corpus.TextSource,
                 kind: str = "body", span=None, extra=None, max_paras: int = 1000) -> list[Blk]:
    """Fill the area with paragraphs in vertical columns from the right edge leftwards;
    each paragraph starts with a two-cell indent. One block per paragraph."""
    per = int((bottom - top) // em)
    x = x_right - em
    blocks: list[Blk] = []
    n = 0
    while x >= x_left - 0.01 and n < max_paras:
        para = IDEO_SPACE * 2 + vparagraph(src)
        blk = Blk(kind, None, span, [], "", extra=dict(extra or {}))
        while para and x >= x_left - 0.01:
            piece, para = para[:per], para[per:]
            while para and para[0] in KEEP_MARKS:   # no mark opens a column: hang it
                piece, para = piece + para[0], para[1:]
            blk.lines.append((piece, draw_column(img, font_name, em, x, top, piece,
                                                 (bottom - top) / len(piece) if len(piece) > per else None)))
            x -= col_pitch
        blk.text = "".join(t for t, _ in blk.lines).lstrip(IDEO_SPACE)
        if para:   # the paragraph did not fit: the page ends mid paragraph
            blk.extra["cont_next"] = True
        blocks.append(blk)
        n += 1
    return blocks


def compose_vertical(spec, with_title: bool):
    """A page set in vertical columns right to left, optionally under a horizontal title
    across the page; running head and page number horizontal. Returns (image, blocks
    in reading order, geometry)."""
    from .render import _page_geometry
    from .typeset import Typeset, draw_run, fit_size

    rng = random.Random(spec.seed * 31 + 5)
    src = corpus.TextSource(spec.seed)
    W, H, em, _g, mt, mb, _cpl, _colw, xs = _page_geometry(replace(spec, columns=2))
    X0, X1 = xs[0][0], xs[-1][1]
    img = Image.new("L", (W, H), 255)
    draw = ImageDraw.Draw(img)
    mag, issue = src.pick(corpus.MAGAZINES)
    meta_font = rng.choice(["sans", "hei", "serif"])
    head, title_blocks, foot = [], [], []
    content_top = mt
    if spec.header:
        hs = round(em * 0.9)
        htext = spec.header_text or f"{mag} {issue}"
        hw = Typeset(meta_font, hs).width(htext)
        htop = round(0.36 * spec.dpi)
        box = draw_run(img, meta_font, hs, X1 - hw, htop, htext, INK)
        head.append(Blk("header", None, None, [(htext, box)], htext))
        ry = round(htop + hs + 0.1 * spec.dpi)
        draw.rectangle([round(X0), ry, round(X1), ry + 2], fill=60)
        content_top = max(mt, ry + 0.25 * spec.dpi)
    if with_title:
        t = vertical_text(src.title(1)[0]) or "标题"
        tsize = fit_size(spec.title_font, t, X1 - X0, round(spec.title_pt / 72 * spec.dpi))
        w = Typeset(spec.title_font, tsize).width(t)
        x = (X0 + X1 - w) / 2 if spec.title_center else X1 - w
        title_blocks.append(Blk("title", None, None, [(t, draw_run(img, spec.title_font, tsize, x,
                                                                   content_top, t, INK))], t))
        content_top += tsize * 1.9
    bottom = H - mb
    body = flow_columns(img, spec.body_font, em, X1, X0, content_top, bottom,
                        spec.line_pitch * em, src)
    if spec.footer:
        fs = round(em * 0.9)
        ftext = spec.footer_text or str(spec.page_no)
        fw = Typeset(meta_font, fs).width(ftext)
        foot.append(Blk("footer", None, None, [(ftext, draw_run(img, meta_font, fs, (X0 + X1 - fw) / 2,
                                                                H - mb + (mb - fs) * 0.45, ftext, INK))],
                        ftext))
    geo = {"figure_box": None, "sidebar_box": None, "magazine": [mag, issue], "page_px": [W, H],
           "ncol": len([ln for b in body for ln in b.lines]), "em_px": em,
           "line_pitch_px": round(spec.line_pitch * em, 2), "chars_per_line": int((bottom - content_top) // em),
           "columns_px": [[round(X0), round(X1)]], "column_tops_px": [round(content_top, 1)],
           "margins_px": [round(X0), round(mt), round(W - X1), round(mb)],
           "title_mode": "full" if with_title else "none",
           "fonts": {"body": spec.body_font, "title": spec.title_font, "meta": meta_font},
           "direction": "ttb-rtl"}
    return img, head + title_blocks + body + foot, geo


def vertical_title_strip(spec) -> float:
    """Width in px kept free at the right of a mixed page for its vertical title."""
    return 2.6 * round(spec.title_pt / 72 * spec.dpi) + 0.6 * spec.dpi


def add_vertical_parts(img: Image.Image, spec, blocks: list[Blk], geo: dict,
                       src: corpus.TextSource | None = None) -> list[Blk]:
    """A horizontal page composed without a title and with its right margin widened by
    ``vertical_title_strip``: the title set vertically in that strip, top right; the
    sidebar's box (if any) re-set in vertical columns. Returns the blocks in reading
    order: running head, the vertical title, the rest."""
    from .render import INK as _INK  # noqa: F401 - same ink as the page

    rng = random.Random(spec.seed * 53 + 11)
    # the page's own text stream: no sentence of the body is printed again here
    src = src or corpus.TextSource(spec.seed + 7777)
    W, H = img.size
    em = geo["em_px"]
    tsize = round(spec.title_pt / 72 * spec.dpi)
    # the columns are centred on the page: the title stands clear right of them
    x = geo["columns_px"][-1][1] + max(0.6 * tsize, 0.3 * spec.dpi)
    top = geo["column_tops_px"][0]
    t = vertical_text(src.title(1)[0]) or "标题"
    room = int((H - spec.margins_in[3] * spec.dpi - top) // tsize)
    t = t[:max(2, room)]
    stroke = 1 if spec.title_font == "hei" else 0
    title = Blk("title", None, None, [(t, draw_column(img, spec.title_font, tsize, x, top, t,
                                                      stroke=stroke))], t)
    out = [b for b in blocks if b.kind == "header"] + [title]
    rest = [b for b in blocks if b.kind != "header"]
    if geo.get("sidebar_box"):
        bx0, by0, bx1, by1 = geo["sidebar_box"]
        draw = ImageDraw.Draw(img)
        draw.rectangle([bx0 + 3, by0 + 3, bx1 - 3, by1 - 3], fill=236)
        pad = round(0.9 * em)
        hsz = round(em * 1.15)
        heading = vertical_text(src.pick(corpus.SIDEBAR_HEADINGS)) or "链接"
        heading = heading[:max(2, int((by1 - by0 - 2 * pad) // hsz))]
        hx = bx1 - pad - hsz
        side = [Blk("sidebar", None, None, [(heading, draw_column(img, "sans_bold", hsz, hx, by0 + pad,
                                                                   heading))], heading,
                    extra={"role": "heading"})]
        sfont = "kai" if spec.body_font != "kai" else "sans"
        sem = round(em * 0.92)
        side += flow_columns(img, sfont, sem, hx - 0.7 * em, bx0 + pad, by0 + pad, by1 - pad,
                             1.5 * sem, src, kind="sidebar", extra={"role": "text"}, max_paras=3)
        side = [b for b in side if b.lines]
        rest = [b for b in rest if b.kind != "sidebar"]
        feet = [b for b in rest if b.kind == "footer"]
        rest = [b for b in rest if b.kind != "footer"] + side + feet
    del rng
    return out + rest


def render_directed(spec, text=None):
    """Render a page with vertical parts or turned on the scanner (``render_page`` for
    ``spec.vertical`` / ``spec.rotate``). The truth's boxes are those of the upright
    page; ``truth["rotation"]`` says how the scan was turned (clockwise)."""
    import numpy as np

    from .degrade import degrade
    from .render import _render_spread, _safe_border, compose
    from .truth import build_truth

    if spec.vertical in ("page", "page-title"):
        page, blocks, geo = compose_vertical(spec, spec.vertical == "page-title")
    elif spec.vertical == "mixed":
        l, t, r, b = spec.margins_in
        wide = replace(spec, margins_in=(l, t, r + vertical_title_strip(spec) / spec.dpi, b))
        src = corpus.TextSource(spec.seed, text)
        page, blocks, geo = compose(wide, text, with_title=False, src=src)
        blocks = add_vertical_parts(page, spec, blocks, geo, src)
    elif spec.spread:
        img, truth = _render_spread(replace(spec, rotate=0), text)
        return _turned(img, truth, spec.rotate)
    else:
        page, blocks, geo = compose(spec, text)
    spec_b = _safe_border(spec, blocks, *page.size)
    arr, m = degrade(np.asarray(page), spec_b)
    truth = build_truth(spec_b, [blocks], [geo], m, arr.shape[1], arr.shape[0])
    if spec.vertical:
        truth["layout"]["direction"] = "ttb-rtl" if spec.vertical != "mixed" else "mixed"
        if spec.vertical != "mixed":   # one run of columns across the page
            truth["layout"]["ncol"] = 1
    return _turned(Image.fromarray(arr, "L"), truth, spec.rotate)


def _turned(img, truth: dict, angle: int):
    """The scan turned ``angle`` degrees clockwise, its truth's boxes with it
    (the truth is always in the pixels of the image it comes with)."""
    import numpy as np

    truth["rotation"] = angle
    if not angle:
        return img, truth
    k = angle // 90
    w, h = img.size

    def turn_pt(x, y):
        cw, ch = w, h
        for _ in range(k):
            x, y = ch - y, x
            cw, ch = ch, cw
        return [round(float(x), 1), round(float(y), 1)]

    def turn_box(b):
        pts = [turn_pt(b[0], b[1]), turn_pt(b[2], b[3])]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        return [int(min(xs)), int(min(ys)), int(np.ceil(max(xs))), int(np.ceil(max(ys)))]

    for blocks in [truth["blocks"]] + [p["blocks"] for p in truth.get("pages", [])]:
        for b in blocks:
            b["bbox"] = turn_box(b["bbox"])
            b["quad"] = [turn_pt(x, y) for x, y in b["quad"]]
            for ln in b.get("lines", []):
                ln["bbox"] = turn_box(ln["bbox"])
    if k % 2:
        truth["width"], truth["height"] = truth["height"], truth["width"]
    return Image.fromarray(np.ascontiguousarray(np.rot90(np.asarray(img), -k)), "L"), truth
