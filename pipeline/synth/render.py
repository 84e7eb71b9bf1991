"""Compose a synthetic magazine page: running head, title block, justified columns flowing
around figures and headings, sidebar, footer; then degrade it and build exact ground truth.

``render_page(spec, text=None) -> (PIL.Image 'L', truth dict)``; the truth has the format of
the dev pages (see ``truth.py``).
"""
from __future__ import annotations

import math
import random
from dataclasses import replace

import numpy as np
from PIL import Image, ImageDraw

from . import corpus
from .degrade import degrade, skew_affine
from .figures import make_figure
from .flow import Col, Flow
from .layout import PageSpec
from .truth import Blk, build_truth
from .typeset import IDEO_SPACE, Typeset, draw_run, fit_size

INK = 20


def _page_geometry(spec: PageSpec, cpl: int | None = None):
    W, H = spec.size_px
    dpi = spec.dpi
    em = round(spec.body_pt / 72 * dpi)
    g = spec.gutter_in * dpi
    ml, mt, mr, mb = (v * dpi for v in spec.margins_in)
    n = spec.columns
    if cpl is None:
        cpl = int(((W - ml - mr - (n - 1) * g) / n) // em)
    colw = cpl * em
    total = n * colw + (n - 1) * g
    x0 = round((W - total) / 2)
    xs = [(x0 + i * (colw + g), x0 + i * (colw + g) + colw) for i in range(n)]
    return W, H, em, g, mt, mb, cpl, colw, xs


def compose(spec: PageSpec, text: str | None = None, with_title: bool = True,
            page_no: int | None = None, magazine: tuple | None = None,
            src: corpus.TextSource | None = None):
    """Render the clean page. Returns (PIL image, blocks in reading order, geometry dict).

    ``src``: the text stream to draw from; the two pages of a spread share one
    so that no sentence is printed twice on a spread."""
    rng = random.Random(spec.seed * 31 + 5)
    if src is None:
        src = corpus.TextSource(spec.seed, text if not spec.verbatim else None)
    parsed = corpus.parse_seed(text) if spec.verbatim else None
    cpl = None
    body_font = spec.body_font
    if parsed:
        ts0 = Typeset(body_font, round(spec.body_pt / 72 * spec.dpi))
        full = sorted(ts0.width(l) for c in parsed["columns"] for l in c if len(l) > 8)
        cpl = round(full[len(full) // 2] / ts0.em)
    W, H, em, g, mt, mb, cpl, colw, xs = _page_geometry(spec, cpl)
    n = spec.columns
    pitch = spec.line_pitch * em
    page_no = spec.page_no if page_no is None else page_no
    img = Image.new("L", (W, H), 255)
    draw = ImageDraw.Draw(img)
    ts = Typeset(body_font, em)
    X0, X1 = xs[0][0], xs[-1][1]
    mag, issue = src.pick(corpus.MAGAZINES)
    if magazine:
        mag, issue = magazine
    meta_font = rng.choice(["sans", "hei", "serif"])
    head, title_blocks, flow_blocks, side_blocks, foot = [], [], [], [], []
    geo: dict = {"figure_box": None, "sidebar_box": None, "magazine": [mag, issue]}

    # running head with a thin rule below
    content_top = mt
    if spec.header:
        hs = round(em * 0.9)
        htext = spec.header_text or rng.choice([f"{mag} {issue}", f"{mag}·{issue}", f"{issue} {mag}"])
        hw = Typeset(meta_font, hs).width(htext)
        pos = rng.choice(["side", "side", "center"])
        hx = (X0 if page_no % 2 == 0 else X1 - hw) if pos == "side" else (X0 + X1 - hw) / 2
        htop = round(0.36 * spec.dpi)
        box = draw_run(img, meta_font, hs, hx, htop, htext, INK)
        head.append(Blk("header", None, None, [(htext, box)], htext))
        ry = round(htop + hs + 0.1 * spec.dpi)
        draw.rectangle([round(X0), ry, round(X1), ry + 2], fill=60)
        content_top = max(mt, ry + 0.25 * spec.dpi)

    # title, subtitle, author over columns [0, k)
    k = spec.title_cols if with_title else 0
    tops = [content_top] * n
    if k:
        tx0, tx1 = xs[0][0], xs[k - 1][1]
        span = [0, k]
        if parsed:
            tlines, sub = parsed["title"], (parsed["subtitle"] or [""])[0]
            auth = (parsed["author"] or [""])[0]
        else:
            tlines = src.title(spec.title_lines)
            sub = src.pick(corpus.SUBTITLES) if spec.subtitle else ""
            auth = src.pick(corpus.AUTHORS) if spec.author else ""
        tsize = round(spec.title_pt / 72 * spec.dpi)
        if len(tlines) == 1 and fit_size(spec.title_font, tlines[0], tx1 - tx0, tsize) < 0.7 * tsize:
            half = (len(tlines[0]) + 1) // 2          # narrow span: break the title in two
            tlines = [tlines[0][:half], tlines[0][half:]]
        tsize = min(fit_size(spec.title_font, t, tx1 - tx0, tsize) for t in tlines)
        stroke = 1 if spec.title_font == "hei" else 0
        y = content_top
        lines = []
        for t in tlines:
            w = Typeset(spec.title_font, tsize).width(t)
            x = (tx0 + tx1 - w) / 2 if spec.title_center else tx0
            lines.append((t, draw_run(img, spec.title_font, tsize, x, y, t, INK, stroke)))
            y += tsize * 1.25
        y -= tsize * 0.25
        title_blocks.append(Blk("title", None, span, lines, "".join(tlines)))
        for kind, t, f, size, gap in (("subtitle", sub, rng.choice(["kai", "sans"]), round(em * 1.35), 0.5 * tsize),
                                       ("author", auth, meta_font, round(em * 1.1), 0.45 * em + (0 if sub else 0.5 * tsize))):
            if not t:
                continue
            size = fit_size(f, t, tx1 - tx0, size)
            y += gap
            w = Typeset(f, size).width(t)
            x = (tx0 + tx1 - w) / 2 if spec.title_center else tx0
            title_blocks.append(Blk(kind, None, span, [(t, draw_run(img, f, size, x, y, t, INK))], t))
            y += size
        for i in range(k):
            tops[i] = y + 1.4 * em
    if spec.aligned:
        grid0 = [content_top] * n
        tops = [content_top + math.ceil((t - content_top) / pitch - 1e-6) * pitch for t in tops]
    else:
        tops = [t + rng.uniform(0.1, 0.6) * pitch for t in tops]
        grid0 = tops[:]
    bottom = H - mb
    cols = [Col(x0, x1, tops[i], bottom, grid0[i]) for i, (x0, x1) in enumerate(xs)]

    # sidebar (boxed, shaded, bottom of the page across >= 2 columns)
    if spec.sidebar and not parsed:
        sa, sb = spec.side_span
        bx0, bx1 = xs[sa][0], xs[sb - 1][1]
        pad = round(0.9 * em)
        sfont = "kai" if body_font != "kai" else "sans"
        sts = Typeset(sfont, round(em * 0.92))
        spitch = 1.5 * sts.em
        hsz = round(em * 1.15)
        heading = src.pick(corpus.SIDEBAR_HEADINGS)
        paras, nl = [], 0
        while nl < 4:
            p = src.paragraph(1, 2)
            pl = sts.break_paragraph(p, bx1 - bx0 - 2 * pad)
            if paras and nl + len(pl) > 7:
                break
            paras.append((p, pl))
            nl += len(pl)
        h = 2 * pad + hsz + 0.7 * em + nl * spitch - (spitch - sts.em)
        top_pos = spec.sidebar_pos == "top"
        by0 = max(c.top for c in cols[sa:sb]) if top_pos else bottom - h
        by1 = by0 + h
        draw.rectangle([round(bx0), round(by0), round(bx1), round(by1)], fill=236, outline=70, width=3)
        geo["sidebar_box"] = [round(bx0), round(by0), round(bx1), round(by1)]
        hw = Typeset("sans_bold", hsz).width(heading)
        box = draw_run(img, "sans_bold", hsz, (bx0 + bx1 - hw) / 2, by0 + pad, heading, INK)
        side_blocks.append(Blk("sidebar", None, [sa, sb], [(heading, box)], heading, extra={"role": "heading"}))
        y = by0 + pad + hsz + 0.7 * em
        for p, pl in paras:
            ls = []
            for j, line in enumerate(pl):
                ls.append((line, sts.draw_line(img, bx0 + pad, y, line, bx1 - bx0 - 2 * pad, j < len(pl) - 1, INK)))
                y += spitch
            side_blocks.append(Blk("sidebar", None, [sa, sb], ls, p, extra={"role": "text"}))
        for c in cols[sa:sb]:
            if top_pos:   # the columns below it start under it, on the page's baseline grid
                below = by1 + 0.9 * em
                c.top = c.grid0 + math.ceil((below - c.grid0) / pitch - 1e-6) * pitch \
                    if spec.aligned else below + rng.uniform(0.1, 0.6) * pitch
                if not spec.aligned:
                    c.grid0 = c.top
            else:
                c.bottom = by0 - 0.9 * em

    # figure (inside one column, or across two mid page) with its caption
    if spec.figure and not parsed:
        c, s = spec.figure_col, (1 if spec.figure == "col" else 2)
        fx0, fx1 = xs[c][0], xs[c + s - 1][1]
        fh = round((fx1 - fx0) * spec.figure_aspect)
        csz, cfont = round(em * 0.85), rng.choice(["kai", "sans", "hei"])
        cap = src.caption(rng.randrange(3)) if spec.caption else ""
        capext = (0.4 * em + csz) if cap else 0
        ctop, cbot = max(cl.top for cl in cols[c:c + s]), min(cl.bottom for cl in cols[c:c + s])
        fh = max(round(4 * em), min(fh, round(cbot - ctop - capext - 6 * pitch)))
        avail = cbot - ctop - fh - capext
        fy = ctop + spec.figure_pos * max(0.0, avail)
        if spec.aligned:
            fy = content_top + round((fy - content_top) / pitch) * pitch
            fy = min(max(fy, ctop), ctop + max(0.0, avail))
        fy = round(fy)
        fig = make_figure(round(fx1 - fx0), fh, spec.seed * 101 + c)
        img.paste(Image.fromarray(fig), (round(fx0), fy))
        geo["figure_box"] = [round(fx0), fy, round(fx0) + fig.shape[1], fy + fh]
        fblk = Blk("figure", c, [c, c + s], [], "", box=(round(fx0), fy, round(fx0) + fig.shape[1], fy + fh))
        cblk = None
        if cap:
            cap = cap if Typeset(cfont, csz).width(cap) <= fx1 - fx0 else cap[: int((fx1 - fx0) // csz) - 1]
            cw = Typeset(cfont, csz).width(cap)
            cbox = draw_run(img, cfont, csz, (fx0 + fx1 - cw) / 2, fy + fh + 0.4 * em, cap, INK)
            cblk = Blk("caption", c, [c, c + s], [(cap, cbox)], cap)

        def emit(fblk=fblk, cblk=cblk):
            flow_blocks.append(fblk)
            if cblk:
                flow_blocks.append(cblk)
        ob = [fy - 0.3 * em, fy + fh + capext + 0.3 * em, c, emit]
        for cl in cols[c:c + s]:
            cl.obstacles.append(ob)

    # body text
    if parsed:
        _set_verbatim(img, ts, cols, colw, pitch, parsed["columns"], flow_blocks)
    else:
        _flow_text(img, ts, cols, colw, pitch, em, spec, src, rng, flow_blocks)

    # column rules (interrupted by a figure crossing the gutter)
    if spec.rule:
        for i in range(n - 1):
            a, b = cols[i], cols[i + 1]
            x = round((a.x1 + b.x0) / 2)
            y0, y1 = max(a.top, b.top), min(a.bottom, b.bottom) + em
            cuts = sorted((ob[0], ob[1]) for ob in a.obstacles if ob in b.obstacles)
            for c0, c1 in cuts + [(y1, y1)]:
                if c0 > y0:
                    draw.rectangle([x - 1, round(y0), x, round(min(c0, y1))], fill=90)
                y0 = max(y0, c1)

    # footer: page number (maybe with magazine name)
    if spec.footer:
        fs = round(em * 0.9)
        ftext = spec.footer_text or rng.choice([str(page_no), str(page_no), f"{mag} {issue} {page_no}"])
        fw = Typeset(meta_font, fs).width(ftext)
        pos = rng.choice(["side", "side", "center"])
        fx = (X0 if page_no % 2 == 0 else X1 - fw) if pos == "side" else (X0 + X1 - fw) / 2
        ftop = H - mb + (mb - fs) * 0.45
        foot.append(Blk("footer", None, None, [(ftext, draw_run(img, meta_font, fs, fx, ftop, ftext, INK))], ftext))

    geo.update({"page_px": [W, H], "ncol": n, "em_px": em, "line_pitch_px": round(pitch, 2),
           "chars_per_line": cpl, "columns_px": [[round(a), round(b)] for a, b in xs],
           "column_tops_px": [round(c.top, 1) for c in cols],
           "margins_px": [round(xs[0][0]), round(mt), round(W - xs[-1][1]), round(mb)],
           "title_mode": "none" if not k else "full" if k == n else "partial",
           "fonts": {"body": body_font, "title": spec.title_font, "meta": meta_font}})
    return img, head + title_blocks + flow_blocks + side_blocks + foot, geo


def _new_body(ci: int, para: int, cont_prev: bool) -> Blk:
    return Blk("body", ci, [ci, ci + 1], [], "", extra={"para": para, "cont_prev": cont_prev, "cont_next": False})


def _set_verbatim(img, ts, cols, colw, pitch, columns, out):
    """Seed page: every given line is one printed line (no re-flow), justified unless it ends
    a paragraph (the next line starts with two ideographic spaces)."""
    flat = [(ci, j, line) for ci, lines in enumerate(columns[: len(cols)]) for j, line in enumerate(lines)]
    para, cur = -1, None
    for idx, (ci, j, line) in enumerate(flat):
        starts = line.startswith(IDEO_SPACE * 2)
        para += 1 if starts or idx == 0 else 0
        nxt = flat[idx + 1][2] if idx + 1 < len(flat) else None
        ends = nxt is not None and nxt.startswith(IDEO_SPACE * 2)
        if cur is None or cur.column != ci or starts:
            if cur is not None and not starts:
                cur.extra["cont_next"] = True
            cur = _new_body(ci, para, cont_prev=not starts and idx > 0)
            out.append(cur)
        y = cols[ci].top + j * pitch
        cur.lines.append((line, ts.draw_line(img, cols[ci].x0, y, line, colw, not ends, INK)))
    if cur is not None and flat and not (flat[-1][2].endswith("。")):
        cur.extra["cont_next"] = True


def _flow_text(img, ts, cols, colw, pitch, em, spec, src, rng, out):
    """Flow generated paragraphs (and headings) through the columns until the page is full."""
    cap_lines = sum(max(0.0, c.bottom - c.top - sum(o[1] - o[0] for o in c.obstacles)) for c in cols) / pitch
    flow = Flow(cols, pitch)
    placed, para, nhead = 0, 0, 0
    hstyle = rng.randrange(2)
    hfont = "sans_bold" if spec.body_font != "sans" else "serif_bold"
    hsz = round(em * 1.12)
    hh = (2 if spec.aligned else 1.8) * pitch
    cur = None
    while True:
        if (nhead < spec.headings and placed >= (nhead + 0.5) / (spec.headings + 0.7) * cap_lines
                and flow.fits_here(hh + pitch + em)):
            pos = flow.slot(hh - (pitch - em), hh + pitch + em)
            if pos is None:
                break
            ci, y, _ = pos
            htext = src.heading(nhead, hstyle)
            while ts.width(htext) > colw and len(htext) > 4:
                htext = htext[:-1]
            top = y + (hh - (pitch - em) - hsz) / 2
            out.append(Blk("heading", ci, [ci, ci + 1], [(htext, draw_run(img, hfont, hsz, cols[ci].x0, top, htext, INK))], htext))
            flow.y = flow.snap(ci, y + hh) if spec.aligned else y + hh
            nhead += 1
            placed += 2
            cur = None
        lines = ts.break_paragraph(src.paragraph(1, 5), colw)
        for j, line in enumerate(lines):
            pos = flow.slot(em)
            if pos is None:
                if cur is not None:
                    cur.extra["cont_next"] = True
                flow.finish()
                return
            ci, y, broke = pos
            if cur is None or broke or cur.column != ci or cur.extra["para"] != para:
                if cur is not None and cur.extra["para"] == para:
                    cur.extra["cont_next"] = True
                cur = _new_body(ci, para, cont_prev=j > 0)
                out.append(cur)
            cur.lines.append((line, ts.draw_line(img, cols[ci].x0, y, line, colw, j < len(lines) - 1, INK)))
            flow.y = y + pitch
            placed += 1
        para += 1
    flow.finish()


def render_horizontal(spec: PageSpec, text: str | None = None):
    """An upright page of horizontal lines (``pages.render_page`` renders any spec)."""
    spec.validate()
    if spec.spread:
        return _render_spread(spec, text)
    page, blocks, geo = compose(spec, text)
    spec = _safe_border(spec, blocks, *page.size)
    arr, m = degrade(np.asarray(page), spec)
    return Image.fromarray(arr, "L"), build_truth(spec, [blocks], [geo], m, arr.shape[1], arr.shape[0])


def _render_spread(spec: PageSpec, text):
    """Two facing pages in one image: the left page (even number, with the title) and the
    right page (continuing text, no title); a soft binding shadow down the middle."""
    left_no = spec.page_no - spec.page_no % 2
    src = corpus.TextSource(spec.seed, text if not spec.verbatim else None)
    pl, bl, gl = compose(spec, text, True, left_no, src=src)
    fc = spec.columns - (1 if spec.figure == "col" else 2) - spec.figure_col if spec.figure else 0
    rspec = replace(spec, seed=spec.seed + 1, figure_col=max(0, fc), sidebar=False)
    pr, br, gr = compose(rspec, text, False, left_no + 1, tuple(gl["magazine"]), src=src)
    W, H = pl.size
    arr = np.concatenate([np.asarray(pl), np.asarray(pr)], axis=1).astype(np.float32)
    xs = np.arange(2 * W, dtype=np.float32)
    arr *= (1 - 0.3 * np.exp(-(((xs - W) / 45.0) ** 2)))[None, :]
    for b in br:
        b.shift(W)
    gr = dict(gr, x_offset=W)
    spec = _safe_border(spec, bl + br, 2 * W, H)
    arr, m = degrade(arr.astype(np.uint8), spec)
    return Image.fromarray(arr, "L"), build_truth(spec, [bl, br], [gl, gr], m, arr.shape[1], arr.shape[0])


def _safe_border(spec: PageSpec, blocks, w: int, h: int) -> PageSpec:
    """Narrow the dark scanner band so that it never covers a block of the skewed page."""
    if not spec.border or spec.border_px <= 0:
        return spec
    m = skew_affine(w, h, spec.skew_deg)
    pts = np.array([[x, y, 1.0] for b in blocks for (x0, y0, x1, y1) in [b.bbox()]
                    for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]) @ m.T
    gap = {"left": pts[:, 0].min(), "right": w - pts[:, 0].max(),
           "top": pts[:, 1].min(), "bottom": h - pts[:, 1].max()}[spec.border]
    return replace(spec, border_px=int(max(0, min(spec.border_px, gap / 1.4))))
