"""Text lines and columns: character runs joined into lines that never cross a
gutter, gutters (white channels walled by text), column separators and ranges.
Pure functions over boxes and numpy arrays."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..disjoint import DisjointSets
from ..model import BBox


@dataclass
class TextLine:
    bbox: BBox
    density: float = 0.0  # ink fraction, for telling bold headings from body
    span: tuple[int, int] = (0, 1)
    frame: int = -1        # index of the sidebar frame holding it, or -1


def lines_from_segments(segs: np.ndarray, gutters: list[BBox], ch: float,
                        seps: list[float] = (),
                        sep_spans: list[tuple[float, int, int, int]] = (),
                        pictures: list[BBox] = ()) -> list[BBox]:
    """Join character runs that sit on one text line, unless a gutter or a
    picture lies between (text never runs on across a picture: a stroke of a
    drawing poking out of its box beside a line is not that line's end).

    Runs up to 1.6 em apart join ("。《" leaves well over one em of white);
    runs of body-size type up to 4 em apart join too when no column
    separator lies between them: justification opens wide gaps in lines with
    Latin words or punctuation, and a character left alone at the end of a
    line would otherwise become a line of its own. The em is the smaller
    run's height, but at least most of a body character, so a title never
    reaches over to a column beside it and a lone comma still joins.

    ``sep_spans``: (x, top, bottom, width) of each column separator's white
    channel (``channel``). Between those heights two runs of body type with
    white across the separator about as wide as the channel are in two
    columns even where the channel was not found walled (beside the short
    last line of a paragraph): a narrow gutter is no wider than the white
    after a comma. The narrower gaps of a caption centred over two columns
    are not a gutter.
    """
    n = len(segs)
    sets = DisjointSets(n)
    find = sets.find

    x0, y0, x1, y1 = (segs[:, i] for i in range(4))
    h = y1 - y0
    sep = np.asarray(sorted(seps), dtype=np.float64)
    order = np.argsort(x0, kind="stable")
    for a in order:
        ov = np.minimum(y1[a], y1) - np.maximum(y0[a], y0)
        hmin = np.minimum(h[a], h)
        em = np.maximum(hmin, 0.8 * ch)
        gap = x0 - x1[a]
        body = np.maximum(h[a], h) <= 1.5 * ch
        cand = np.nonzero((ov >= 0.5 * hmin) & ((gap <= 1.6 * em) | (body & (gap <= 4 * em)))
                          & (x0 >= x0[a]) & (np.arange(n) != a))[0]
        for b in cand:
            if find(a) == find(b):
                continue
            gx0, gx1 = int(x1[a]), int(x0[b])
            # across a column separator only the gaps between the characters of a
            # spanning line of one type size (a title over the columns) are bridged
            sizes = max(h[a], h[b]) > 1.5 * min(h[a], h[b]) and min(h[a], h[b]) >= 0.5 * ch
            if (gx1 - gx0 > 1.6 * em[b] or sizes) and sep.size \
                    and np.any((sep > gx0 - 0.5 * ch) & (sep < gx1 + 0.5 * ch)):
                continue
            gy0, gy1 = int(max(y0[a], y0[b])), int(min(y1[a], y1[b]))
            if body[b] and gx1 - gx0 >= 0.25 * em[b] and any(
                    gx0 + 2 <= sx <= gx1 - 2 and sy0 <= (gy0 + gy1) / 2 <= sy1 and gx1 - gx0 >= 0.8 * sw
                    for sx, sy0, sy1, sw in sep_spans):
                continue
            blocked = any(g.x0 < gx1 + 1 and g.x1 > gx0 - 1 and
                          min(g.y1, gy1) - max(g.y0, gy0) > 0.5 * (gy1 - gy0) for g in gutters) or \
                any(p.x0 < gx1 and p.x1 > gx0 and min(p.y1, gy1) - max(p.y0, gy0) > 0.5 * (gy1 - gy0)
                    for p in pictures)
            if not blocked:
                sets.union(a, b)
    boxes = [BBox(int(x0[g].min()), int(y0[g].min()), int(x1[g].max()), int(y1[g].max()))
             for g in sets.groups(range(n))]
    return merge_fragments(boxes, ch)


def channel(x: float, gutters: list[BBox], segs: np.ndarray, ch: float) -> tuple[float, int, int, int]:
    """(x, top, bottom, width): how far the white channel of the column separator at
    ``x`` runs: from its gutter pieces up and down along the text beside it,
    until a run of characters crosses it (a title over the columns, a
    sidebar) or the text beside it stops (the white above a running foot);
    its width is that of its widest gutter piece."""
    pieces = [g for g in gutters if g.x0 - 1 <= x <= g.x1 + 1]
    if not pieces:
        return x, 0, 0, 0
    top, bottom = min(g.y0 for g in pieces), max(g.y1 for g in pieces)
    near = segs[(segs[:, 2] > x - 3 * ch) & (segs[:, 0] < x + 3 * ch)]
    crosses = (near[:, 0] < x + 2) & (near[:, 2] > x - 2)
    for y0, y1, c in sorted(zip(near[:, 1], near[:, 3], crosses), key=lambda r: r[0]):
        if y0 < bottom - 1:
            continue
        if c or y0 - bottom > 2 * ch:
            break
        bottom = max(bottom, int(y1))
    for y0, y1, c in sorted(zip(near[:, 1], near[:, 3], crosses), key=lambda r: -r[1]):
        if y1 > top + 1:
            continue
        if c or top - y1 > 2 * ch:
            break
        top = min(top, int(y0))
    return x, int(top), int(bottom), max(g.width for g in pieces)


def merge_fragments(lines: list[BBox], ch: float) -> list[BBox]:
    """Flat bits (the dots under 其 left alone, a dash, the top of a quote mark)
    join the line right above or below them; a speck with no line to join is
    dropped, and so is a long flat run (a dotted or dashed rule)."""
    big = [ln for ln in lines if ln.height >= 0.5 * ch]
    out = list(big)
    index = {id(b): i for i, b in enumerate(out)}
    for f in lines:
        if f.height >= 0.5 * ch:
            continue
        near = [b for b in big if b.x0 - 0.5 * ch <= f.cx <= b.x1 + 0.5 * ch
                and max(b.y0 - f.y1, f.y0 - b.y1) <= 0.35 * ch]
        if near:
            b = min(near, key=lambda b: max(b.y0 - f.y1, f.y0 - b.y1, 0))
            i = index[id(b)]
            out[i] = out[i].union(f)
        elif (f.height >= 0.3 * ch or f.width >= 0.6 * ch) and not (f.height < 0.4 * ch and f.width >= 3 * ch):
            # (a long flat run with no line to join is a dotted or dashed rule)
            out.append(f)
    return out


def walled(g: BBox, segs: np.ndarray, ch: float, figures: list[BBox] = ()) -> list[BBox]:
    """The parts of a white channel that have lines of text (or figures)
    running along both sides, as a gutter has; nothing when those are short,
    as beside a white pocket or between the big characters of a title.

    A wall may miss a line (a paragraph's short last line, an indent) but no
    more, so a channel that runs on up through the gaps of a spanning
    subtitle is cut back to where the columns are.
    """
    if len(segs) == 0:
        return []
    nseg = len(segs)
    if figures:  # a figure walls a gutter as well as text does
        segs = np.concatenate([segs, np.array([f.to_list() for f in figures], np.int32)])
    x0, y0, x1, y1 = (segs[:, i] for i in range(4))
    rows = ((np.minimum(y1, g.y1) - np.maximum(y0, g.y0)) > 0) & \
        (((y1 - y0) <= 1.6 * ch) | (np.arange(len(segs)) >= nseg))
    tol = 2.5 * ch
    max_break = int(3.2 * ch)

    def stretches(side) -> list[tuple[int, int]]:
        sel = rows & side
        spans = sorted(zip(np.maximum(y0[sel], g.y0).tolist(), np.minimum(y1[sel], g.y1).tolist()))
        out: list[list[int]] = []
        for a, b in spans:
            if out and a - out[-1][1] <= max_break:
                out[-1][1] = max(out[-1][1], b)
            else:
                out.append([a, b])
        return [(a, b) for a, b in out]

    left = stretches((x1 >= g.x0 - tol) & (x1 <= g.x0 + 2))
    right = stretches((x0 <= g.x1 + tol) & (x0 >= g.x1 - 2))
    parts = []
    for la, lb in left:
        for ra, rb in right:
            a, b = max(la, ra), min(lb, rb)
            if b - a >= 2.5 * ch:
                parts.append(BBox(g.x0, a, g.x1, b))
    if sum(p.height for p in parts) < 6 * ch:
        return []
    return parts


def separators(gutters: list[BBox], ch: float, page_h: int, rules: list[BBox] = (),
               min_width: float = 0.0) -> tuple[list[tuple[float, int]], list[BBox]]:
    """Column boundaries: x positions where gutters of enough total height line
    up; and the gutter pieces that make them up.

    Pieces of one gutter found at different heights overlap in x (a wide
    gutter may be found as several side-by-side strips), so they are pooled
    by x-range, not by centre. A piece that lines up with no boundary is
    white that happens to run down a few lines of justified text and the
    gaps of a centred subtitle: it separates nothing. Nor does white whose
    widest piece is narrower than ``min_width`` (unless a vertical rule, in
    ``rules``, stands in it): that is the gaps between the characters of
    letter-spaced text set on a grid, lined up down a column.
    """
    items = sorted(list(gutters) + list(rules), key=lambda g: g.x0)
    clusters: list[list[BBox]] = []
    reach = -1e9
    for g in items:
        if clusters and g.x0 <= reach + 0.5 * ch:
            clusters[-1].append(g)
            reach = max(reach, g.x1)
        else:
            clusters.append([g])
            reach = g.x1
    seps, kept = [], []
    for c in clusters:
        total = sum(g.height for g in c)
        wide = max(g.width for g in c) >= min_width or any(g in rules for g in c)
        if total >= max(12 * ch, 0.1 * page_h) and wide:
            seps.append((float(np.average([g.cx for g in c], weights=[g.height for g in c])), total))
            kept.extend(c)
    return seps, kept


# weight (walled gutter height, in characters) above which a separator is never a chance alignment
STRONG_SEPARATOR = 30


def columns(seps: list[tuple[float, int]], lines: list[TextLine], ch: float,
            reach: list[tuple[float, int, int, int]] = ()) -> list[tuple[int, int]]:
    """Column x-ranges between the separators.

    Magazine columns have (nearly) equal widths, so a separator that leaves
    a column much narrower than the widest one is more likely a chance
    alignment of white inside a column: the weaker of such a column's two
    separators is dropped until none is left. Not a separator walled over
    ``STRONG_SEPARATOR`` lines or more, which no chance alignment is: the
    gutter beside a report's narrow sidebar column. Not where the two separators
    never run at the same height (``reach``: each separator's channel,
    ``channel``): then they are the gutters of two stories set on different
    grids, one above the other, and the narrow range between them is where
    the two grids differ; the page's columns are the finest division of both.
    """
    if not lines:
        return []
    body = [ln.bbox for ln in lines if ln.frame < 0]
    left = min(b.x0 for b in body) if body else 0
    right = max(b.x1 for b in body) if body else 0
    extent = {x: (top, bottom) for x, top, bottom, _w in reach if bottom > top}

    def together(a: float | None, b: float | None) -> bool:
        if a is None or b is None or a not in extent or b not in extent:
            return True
        (t0, b0), (t1, b1) = extent[a], extent[b]
        return min(b0, b1) - max(t0, t1) > 2 * ch
    inner = sorted((x, wt) for x, wt in seps if left + 2 * ch < x < right - 2 * ch)
    while True:
        edges = [(left, None)] + inner + [(right, None)]
        widths = [edges[i + 1][0] - edges[i][0] for i in range(len(edges) - 1)]
        sep_x = [x if wt is not None else None for x, wt in edges]
        narrow = [i for i, wd in enumerate(widths) if wd < 0.55 * max(widths)
                  and together(sep_x[i], sep_x[i + 1])
                  and any(edges[j][1] is not None and edges[j][1] < STRONG_SEPARATOR * ch for j in (i, i + 1))]
        if not narrow or not inner:
            break
        i = min(narrow, key=lambda k: widths[k])
        cands = [j for j in (i, i + 1) if edges[j][1] is not None and edges[j][1] < STRONG_SEPARATOR * ch]
        weakest = min(cands, key=lambda j: edges[j][1])
        inner.remove(edges[weakest])
    xs = [int(x) for x, _ in edges]
    return [(xs[i], xs[i + 1]) for i in range(len(xs) - 1)]


def crossings(b: BBox, reach: list[tuple[float, int, int, int]], ch: float) -> int:
    """How many column separators the box runs across at its own height: the
    columns it spans there (a title over the columns crosses them; a line
    of one story does not cross the gutter of another story above it)."""
    return sum(1 for x, top, bottom, _w in reach
               if b.x0 + ch < x < b.x1 - ch and min(b.y1, bottom) - max(b.y0, top) > 0)


def span_of(b: BBox, cols: list[tuple[int, int]], ch: float) -> tuple[int, int]:
    hit = [i for i, (c0, c1) in enumerate(cols)
           if min(b.x1, c1) - max(b.x0, c0) >= min(1.5 * ch, 0.3 * (c1 - c0), 0.6 * b.width)]
    if not hit:
        best = min(range(len(cols)), key=lambda i: abs((cols[i][0] + cols[i][1]) / 2 - b.cx))
        return (best, best + 1)
    return (hit[0], hit[-1] + 1)
