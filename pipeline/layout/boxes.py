"""Layout from text boxes instead of pixels: gutters, glued-line splitting, blocks.

Input: text lines with boxes in page pixels (top-left origin), optionally
with the boxes of their characters or words. Output: our model's Blocks (no
order yet), so that ``readingorder.resolve_order`` and
``assemble.assemble_blocks`` work on them unchanged.

The steps live in their own modules: ``box_gutters`` finds the column
gutters, ``box_split`` cuts the lines that cross one (glued lines); this
module groups the pieces into columns and typed blocks (the text path on
them, order and text, is ``convert_boxes.page_from_boxes``). Nothing about a
particular page is assumed: every length is measured in ems (the median
height of the lines).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

from .box_gutters import MIN_SUPPORT, Gutter, find_gutters
from .box_text import char_weight, lines_from_chars, median_em, run_gap, text_runs
from .box_skew import estimate_tilt, unturn_box, upright
from .box_split import learn_measure, split_line, trim_overhang
from . import kind_rules as rules
from ..kinds import BlockKind
from ..model import BBox, Block, Line, TextBox, Word

__all__ = ["TextBox", "Gutter", "BoxLayout", "find_gutters", "split_line",
           "layout_from_boxes", "unturn_blocks", "char_weight", "lines_from_chars"]


START_TOL_EM = 0.6  # a line this close to where other lines start begins at a column start


@dataclass
class BoxLayout:
    blocks: list[Block]
    columns: list[tuple[int, int]]
    gutters: list[Gutter]
    em: float
    n_split: int         # glued lines that were cut at a gutter
    tilt: float = 0.0    # tangent of the page's skew; blocks and gutters are in the upright frame
    rank: list[int] = field(default_factory=list)           # per block: its first line piece, in input order
    unit_of_piece: list[int] = field(default_factory=list)  # per line piece, in input order: its block's id


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


def _overlap(a: tuple, b: tuple) -> float:
    return min(a[2], b[2]) - max(a[0], b[0])


def _leading(lines: list[TextBox], spans: list[tuple[int, int]], em: float) -> float:
    """The usual white between a line and the next one below it in the same column."""
    order = sorted(range(len(lines)), key=lambda i: lines[i].bbox[1])
    gaps = []
    for k, i in enumerate(order):
        a = lines[i].bbox
        below = [j for j in order[k + 1:k + 12] if spans[j] == spans[i]
                 and _overlap(a, lines[j].bbox) > 0 and lines[j].bbox[1] >= a[3] - 0.5 * em]
        if below:
            g = min(lines[j].bbox[1] for j in below) - a[3]
            if 0 <= g < 2 * em:
                gaps.append(g)
    return float(median(gaps)) if gaps else 0.6 * em


def _group(lines: list[TextBox], spans: list[tuple[int, int]], em: float,
           members: list[int] | None = None, lead: float | None = None) -> list[list[int]]:
    """Blocks of lines (indices into ``lines``, from ``members``): a line joins
    the block whose last line is just above it, in the same column span,
    overlapping it horizontally, of similar height and at the usual leading;
    otherwise it starts a block. (Two pages or columns side by side never share
    a block, even where no gutter was found between them.)"""
    members = list(range(len(lines))) if members is None else members
    lead = _leading(lines, spans, em) if lead is None else lead
    out: list[list[int]] = []
    for i in sorted(members, key=lambda i: (lines[i].bbox[1], lines[i].bbox[0])):
        n = lines[i]
        best, best_gap = None, None
        for blk in out:
            p = lines[blk[-1]]
            gap = n.bbox[1] - p.bbox[3]
            hp, hn = p.height, n.height
            limit = rules.gap_limit(lead, em, hp, hn)
            if (spans[blk[-1]] != spans[i] or gap > limit or gap < -0.5 * min(hp, hn)
                    or not 0.75 <= hn / max(hp, 1e-6) <= 1.33
                    or _overlap(p.bbox, n.bbox) < 0.5 * min(p.bbox[2] - p.bbox[0], n.bbox[2] - n.bbox[0])):
                continue
            if best_gap is None or gap < best_gap:
                best, best_gap = blk, gap
        if best is None:
            out.append([i])
        else:
            best.append(i)
    return out


def _units(pieces: list[TextBox], spans: list[tuple[int, int]], em: float) -> list[list[int]]:
    """The blocks: the engine's own blocks where it gave them (each cut where
    it crosses a column gutter, or where its lines part), else ``_group``'s."""
    lead = _leading(pieces, spans, em)
    by_block: dict[int, list[int]] = {}
    for i, p in enumerate(pieces):
        by_block.setdefault(p.block, []).append(i)
    out: list[list[int]] = []
    for blk, members in by_block.items():
        if blk < 0:
            out.extend(_group(pieces, spans, em, members, lead))
            continue
        for sp in dict.fromkeys(spans[i] for i in members):
            out.extend(_group(pieces, spans, em, [i for i in members if spans[i] == sp], lead))
    return out


def _kind(tbs: list[TextBox], bb: BBox, boxes: list[BBox], body_em: float, page_h: float,
          ncols: int, span: tuple[int, int], top_of_columns: float | None) -> BlockKind:
    h = median(t.height for t in tbs)
    others = [o for o in boxes if o != bb]
    # a running head or foot stands apart: white of half a line or more
    # between it and all the text (a column's last line does not)
    apart = 0.5 * body_em
    if len(tbs) == 1 and h <= rules.RUNNING_MAX * body_em and others:
        if rules.at_top(bb, page_h) and all(bb.y1 <= o.y0 - apart for o in others):
            return "header"
        if rules.at_foot(bb, page_h) and all(bb.y0 >= o.y1 + apart for o in others):
            return "footer"
    by_size = rules.size_kind(h, len(tbs), body_em)
    if by_size:
        return by_size
    # masthead lines (author, kicker) above the columns: not part of a column's text
    if top_of_columns is not None and len(tbs) <= rules.HEADING_LINES and bb.y1 <= top_of_columns:
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
    tilt = estimate_tilt(lines, em)
    lines = upright(lines, tilt)
    em = median_em(lines)
    gutters = find_gutters(lines, em)
    gap = run_gap(lines, em)
    starts = [r[0] for ln in lines for r in text_runs(ln, em, gap)]
    crossing = []
    for ln in lines:
        # only inside a gutter's stretch, and only lines that begin where text
        # begins elsewhere (a column start or indent): a centred title is left
        # whole. The tolerance allows for an opening bracket or quote, whose
        # ink starts half an em into its cell.
        # (A line with atoms shows whether it is white at the gutter: that decides.)
        gs = [g for g in gutters if ln.bbox[1] < g.y1 + em and ln.bbox[3] > g.y0 - em
              and ln.height < 1.5 * em
              and (len(ln.atoms) > 1
                   or sum(abs(x - ln.bbox[0]) <= START_TOL_EM * em for x in starts) >= MIN_SUPPORT)]
        crossing.append(gs)
    measure = learn_measure(list(zip(lines, crossing)), lines, gutters, em)
    pieces: list[TextBox] = []
    n_split = 0
    for ln, gs in zip(lines, crossing):
        out = split_line(ln, gs, measure) if gs else [ln]
        n_split += len(out) > 1
        out = [trim_overhang(p, gutters) for p in out]
        pieces.extend(out)
    cols = _columns(gutters, pieces)
    spans = [_span(p.bbox, cols, em) for p in pieces]
    groups = _units(pieces, spans, em)
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
        blocks.append(Block(id=0, kind=kind, bbox=bb, span=span,
                            lines=[_to_line(t) for t in tbs],
                            conf=sum(t.conf for t in tbs) / len(tbs)))
    unit = [0] * len(pieces)
    for u, g in enumerate(groups):
        for i in g:
            unit[i] = u
    ranks = [min(g) for g in groups]  # pieces are in input order, a cut line's left to right
    by_y = sorted(range(len(blocks)), key=lambda k: (blocks[k].bbox.y0, blocks[k].bbox.x0))
    new_id = {k: i for i, k in enumerate(by_y)}
    for k in by_y:
        blocks[k].id = new_id[k]
    return BoxLayout([blocks[k] for k in by_y], cols, gutters, em, n_split, tilt,
                     [ranks[k] for k in by_y], [new_id[u] for u in unit])


def _unturn(bb: BBox, tilt: float) -> BBox:
    return BBox.from_list([int(round(v)) for v in unturn_box(bb.to_list(), tilt)])


def unturn_blocks(blocks: list[Block], tilt: float) -> None:
    """Boxes from the upright frame the layout worked in back to page pixels."""
    if not tilt:
        return
    for b in blocks:
        for ln in b.lines:
            ln.bbox = _unturn(ln.bbox, tilt)
            for w in ln.words:
                w.bbox = _unturn(w.bbox, tilt)
        if b.lines:
            b.bbox = BBox.enclosing(ln.bbox for ln in b.lines)
