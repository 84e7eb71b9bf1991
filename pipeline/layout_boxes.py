"""Layout from text boxes instead of pixels: gutters, glued-line splitting, blocks.

Input: text lines with boxes in page pixels (top-left origin), optionally
with the boxes of their characters or words. Output: our model's Blocks (no
order yet), so that ``readingorder.resolve_order`` and
``assemble.assemble_blocks`` work on them unchanged.

The steps live in their own modules: ``box_gutters`` finds the column
gutters, ``box_split`` cuts the lines that cross one (glued lines); this
module groups the pieces into columns and typed blocks and runs the text
path (``page_from_boxes``). Nothing about a particular page is assumed:
every length is measured in ems (the median height of the lines).
"""
from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from .box_gutters import (EDGE_TOL_EM, MIN_SUPPORT, Gutter, TextBox, char_weight, find_gutters,
                          lines_from_chars, median_em, text_runs)
from .box_split import learn_measure, split_line
from .model import BBox, Block, Line, Word

__all__ = ["TextBox", "Gutter", "BoxLayout", "find_gutters", "split_line",
           "layout_from_boxes", "char_weight", "lines_from_chars", "page_from_boxes"]


@dataclass
class BoxLayout:
    blocks: list[Block]
    columns: list[tuple[int, int]]
    gutters: list[Gutter]
    em: float
    n_split: int  # glued lines that were cut at a gutter


# ------------------------------------------------------------ blocks

def _columns(gutters: list[Gutter], lines: list[TextBox]) -> list[tuple[int, int]]:
    """Column x-ranges: between the text's outer edges and the gutters (merged
    over all stretches, so a page with two- and three-column parts gets the
    finest division)."""
    if not lines:
        return []
    left = min(ln.bbox[0] for ln in lines)
    right = max(ln.bbox[2] for ln in lines)
    cols, x = [], left
    for g in sorted(gutters, key=lambda g: g.mid):
        if g.e > x:
            cols.append((int(round(x)), int(round(g.e))))
            x = g.s
    cols.append((int(round(x)), int(round(right))))
    return cols


def _span(bb: tuple, cols: list[tuple[int, int]], em: float) -> tuple[int, int]:
    """Columns the box covers by more than half an em (or its centre column)."""
    hit = [i for i, (c0, c1) in enumerate(cols) if min(bb[2], c1) - max(bb[0], c0) > 0.5 * em]
    if not hit:
        cx = (bb[0] + bb[2]) / 2
        hit = [min(range(len(cols)), key=lambda i: abs((cols[i][0] + cols[i][1]) / 2 - cx))]
    return (hit[0], hit[-1] + 1)


def _to_line(tb: TextBox) -> Line:
    bb = BBox.from_list(tb.bbox)
    words = [Word(BBox.from_list(b), t, tb.conf) for b, t in tb.atoms if t.strip()]
    return Line(bbox=bb, text=tb.text, conf=tb.conf, words=words)


def _group(lines: list[TextBox], spans: list[tuple[int, int]], em: float) -> list[list[int]]:
    """Consecutive lines of one column span with similar height and normal
    leading form a block; a bigger gap or a size change starts a new one."""
    by_span: dict[tuple, list[int]] = {}
    for i in sorted(range(len(lines)), key=lambda i: (lines[i].bbox[1], lines[i].bbox[0])):
        by_span.setdefault(spans[i], []).append(i)
    gaps = []
    for idx in by_span.values():
        for a, b in zip(idx, idx[1:]):
            g = lines[b].bbox[1] - lines[a].bbox[3]
            if 0 <= g < 2 * em:
                gaps.append(g)
    lead = float(median(gaps)) if gaps else 0.6 * em
    out: list[list[int]] = []
    for idx in by_span.values():
        cur: list[int] = []
        for i in idx:
            if cur:
                p = lines[cur[-1]]
                hp, hn = p.height, lines[i].height
                gap = lines[i].bbox[1] - p.bbox[3]
                limit = max(lead * 1.6 + 0.1 * em, 0.3 * max(hp, hn))
                if gap > limit or not 0.75 <= hn / max(hp, 1e-6) <= 1.33 or gap < -0.5 * min(hp, hn):
                    out.append(cur)
                    cur = []
            cur.append(i)
        if cur:
            out.append(cur)
    return out


def _kind(tbs: list[TextBox], bb: BBox, boxes: list[BBox], body_em: float, page_h: float,
          ncols: int, span: tuple[int, int], top_of_columns: float | None) -> str:
    h = median(t.height for t in tbs)
    others = [o for o in boxes if o != bb]
    if len(tbs) == 1 and h <= 1.4 * body_em and others:
        if bb.y1 <= 0.12 * page_h and all(bb.y1 <= o.y0 + 2 for o in others):
            return "header"
        if bb.y0 >= 0.88 * page_h and all(bb.y0 >= o.y1 - 2 for o in others):
            return "footer"
    if h >= 1.5 * body_em:
        return "title"
    if len(tbs) <= 3 and h >= 1.15 * body_em:
        return "heading"
    # masthead lines (author, kicker) above the columns: not part of a column's text
    if top_of_columns is not None and len(tbs) <= 3 and bb.y1 <= top_of_columns:
        return "heading"
    if len(tbs) <= 2 and span[1] - span[0] > 1 and ncols > 1:
        return "heading"
    return "body"


def layout_from_boxes(lines: list[TextBox], width: float, height: float) -> BoxLayout:
    """Lines with boxes -> gutters, split lines, columns and typed blocks (ids
    top-to-bottom, no reading order yet)."""
    lines = [ln for ln in lines if ln.text.strip() and ln.bbox[2] > ln.bbox[0]]
    if not lines:
        return BoxLayout([], [], [], 0.0, 0)
    em = median_em(lines)
    gutters = find_gutters(lines, em)
    starts = [r[0] for ln in lines for r in text_runs(ln, em)]
    crossing = []
    for ln in lines:
        # only inside a gutter's stretch, and only lines that begin where text
        # begins elsewhere (a column start or indent): a centred title is left whole
        gs = [g for g in gutters if ln.bbox[1] < g.y1 + em and ln.bbox[3] > g.y0 - em
              and ln.height < 1.5 * em
              and sum(abs(x - ln.bbox[0]) <= EDGE_TOL_EM * em for x in starts) >= MIN_SUPPORT]
        crossing.append(gs)
    measure = learn_measure(list(zip(lines, crossing)), lines, gutters, em)
    pieces: list[TextBox] = []
    n_split = 0
    for ln, gs in zip(lines, crossing):
        out = split_line(ln, gs, measure) if gs else [ln]
        n_split += len(out) > 1
        pieces.extend(out)
    cols = _columns(gutters, pieces)
    spans = [_span(p.bbox, cols, em) for p in pieces]
    groups = _group(pieces, spans, em)
    body = [p.height for p, sp in zip(pieces, spans) if sp[1] - sp[0] == 1] or [p.height for p in pieces]
    body_em = float(median(body))
    boxes = [BBox.enclosing(BBox.from_list(pieces[i].bbox) for i in g) for g in groups]
    top_cols = min((g.y0 for g in gutters), default=None)
    blocks = []
    for g, bb in zip(groups, boxes):
        tbs = [pieces[i] for i in g]
        span = spans[g[0]]
        kind = _kind(tbs, bb, boxes, body_em, height, len(cols), span,
                     top_cols - 0.5 * em if top_cols is not None else None)
        blocks.append(Block(id=0, kind=kind, bbox=bb, column=span[0], span=span,
                            lines=[_to_line(t) for t in tbs],
                            conf=sum(t.conf for t in tbs) / len(tbs)))
    blocks.sort(key=lambda b: (b.bbox.y0, b.bbox.x0))
    for i, b in enumerate(blocks):
        b.id = i
    return BoxLayout(blocks, cols, gutters, em, n_split)


def page_from_boxes(lines: list[TextBox], *, source: str, page_number: int, width: float,
                    height: float, dpi: int, engine: str, options: dict | None = None):
    """The whole text path without pixels: layout, reading order, block text -> Page."""
    from .assemble import assemble_blocks
    from .model import Page
    from .readingorder import resolve_order

    lay = layout_from_boxes(lines, width, height)
    page = Page(source=str(source), page_number=page_number, width=int(round(width)),
                height=int(round(height)), dpi=dpi, columns=lay.columns, engine=engine,
                options=dict(options or {}))
    result = resolve_order(lay.blocks)
    page.blocks = result.blocks
    page.flags.extend(result.flags)
    if lay.n_split:
        page.flags.append(f"glued-lines-split: {lay.n_split}")
    if not page.blocks:
        page.flags.append("no-text-found")
    page.diagnostics["layout"] = {"char_height": round(lay.em, 1), "gutters": len(lay.gutters),
                              "source": "boxes"}
    assemble_blocks(page)
    for b in page.blocks:
        if b.lines:
            b.conf = sum(ln.conf for ln in b.lines) / len(b.lines)
    return page
