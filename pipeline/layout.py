"""Stage 2: columns and blocks.

Glyphs -> character runs (segments) -> text lines that never cross a gutter
-> column intervals -> blocks of consecutive lines within one column span ->
block kinds. Figures, rules and sidebar frames are found first and kept out
of the text.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from . import layout_geometry as geo
from .model import BBox, Block, Line
from .options import Options
from .preprocess import PageImage


@dataclass
class TextLine:
    bbox: BBox
    density: float = 0.0  # ink fraction, for telling bold headings from body
    span: tuple[int, int] = (0, 1)
    frame: int = -1        # index of the sidebar frame holding it, or -1


def _lines_from_segments(segs: np.ndarray, gutters: list[BBox]) -> list[BBox]:
    """Join character runs that sit on one text line, unless a gutter lies between."""
    n = len(segs)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    x0, y0, x1, y1 = (segs[:, i] for i in range(4))
    h = y1 - y0
    order = np.argsort(x0, kind="stable")
    for a in order:
        ov = np.minimum(y1[a], y1) - np.maximum(y0[a], y0)
        hmin = np.minimum(h[a], h)
        hmax = np.maximum(h[a], h)
        gap = x0 - x1[a]
        # "。《" leaves well over one em of white inside a line
        cand = np.nonzero((ov >= 0.5 * hmin) & (gap <= 1.6 * hmax)
                          & (x0 >= x0[a]) & (np.arange(n) != a))[0]
        for b in cand:
            if find(a) == find(b):
                continue
            gx0, gx1 = int(x1[a]), int(x0[b])
            gy0, gy1 = int(max(y0[a], y0[b])), int(min(y1[a], y1[b]))
            blocked = any(g.x0 < gx1 + 1 and g.x1 > gx0 - 1 and
                          min(g.y1, gy1) - max(g.y0, gy0) > 0.5 * (gy1 - gy0) for g in gutters)
            if not blocked:
                parent[find(b)] = find(a)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return [BBox(int(x0[g].min()), int(y0[g].min()), int(x1[g].max()), int(y1[g].max()))
            for g in groups.values()]


def _walled(g: BBox, segs: np.ndarray, ch: float, figures: list[BBox] = ()) -> list[BBox]:
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


def _separators(gutters: list[BBox], ch: float, page_h: int) -> list[tuple[float, int]]:
    """Column boundaries: x positions where gutters of enough total height line up.

    Pieces of one gutter found at different heights overlap in x (a wide
    gutter may be found as several side-by-side strips), so they are pooled
    by x-range, not by centre.
    """
    items = sorted(gutters, key=lambda g: g.x0)
    clusters: list[list[BBox]] = []
    reach = -1e9
    for g in items:
        if clusters and g.x0 <= reach + 0.5 * ch:
            clusters[-1].append(g)
            reach = max(reach, g.x1)
        else:
            clusters.append([g])
            reach = g.x1
    seps = []
    for c in clusters:
        total = sum(g.height for g in c)
        if total >= max(12 * ch, 0.1 * page_h):
            seps.append((float(np.average([g.cx for g in c], weights=[g.height for g in c])), total))
    return seps


def _columns(seps: list[tuple[float, int]], lines: list[TextLine], ch: float) -> list[tuple[int, int]]:
    """Column x-ranges between the separators.

    Magazine columns have (nearly) equal widths, so a separator that leaves
    a column much narrower than the widest one is more likely a chance
    alignment of white inside a column: the weaker of such a column's two
    separators is dropped until none is left.
    """
    if not lines:
        return []
    body = [ln.bbox for ln in lines if ln.frame < 0]
    left = min(b.x0 for b in body) if body else 0
    right = max(b.x1 for b in body) if body else 0
    inner = sorted((x, wt) for x, wt in seps if left + 2 * ch < x < right - 2 * ch)
    while True:
        edges = [(left, None)] + inner + [(right, None)]
        widths = [edges[i + 1][0] - edges[i][0] for i in range(len(edges) - 1)]
        narrow = [i for i, wd in enumerate(widths) if wd < 0.55 * max(widths)]
        if not narrow or not inner:
            break
        i = min(narrow, key=lambda k: widths[k])
        cands = [j for j in (i, i + 1) if edges[j][1] is not None]
        weakest = min(cands, key=lambda j: edges[j][1])
        inner.remove(edges[weakest])
    xs = [int(x) for x, _ in edges]
    return [(xs[i], xs[i + 1]) for i in range(len(xs) - 1)]


def _span(b: BBox, cols: list[tuple[int, int]], ch: float) -> tuple[int, int]:
    hit = [i for i, (c0, c1) in enumerate(cols)
           if min(b.x1, c1) - max(b.x0, c0) >= min(1.5 * ch, 0.3 * (c1 - c0), 0.6 * b.width)]
    if not hit:
        best = min(range(len(cols)), key=lambda i: abs((cols[i][0] + cols[i][1]) / 2 - b.cx))
        return (best, best + 1)
    return (hit[0], hit[-1] + 1)


def _group_blocks(lines: list[TextLine], others: list[BBox], ch: float) -> list[list[TextLine]]:
    """Consecutive lines with the same column span, similar size and normal
    leading form one block; a larger gap, a size change or anything lying
    between them starts a new one."""
    lines = sorted(lines, key=lambda ln: (ln.bbox.y0, ln.bbox.x0))
    gaps = []
    by_span: dict[tuple, list[TextLine]] = {}
    for ln in lines:
        by_span.setdefault((ln.span, ln.frame), []).append(ln)
    for group in by_span.values():
        for a, b in zip(group, group[1:]):
            g = b.bbox.y0 - a.bbox.y1
            if 0 <= g < 2 * ch and abs(a.bbox.height - b.bbox.height) < 0.2 * ch:
                gaps.append(g)
    lead = float(np.median(gaps)) if gaps else 0.6 * ch
    blocks: list[list[TextLine]] = []
    for group in by_span.values():
        cur: list[TextLine] = []
        for ln in group:
            if cur:
                prev = cur[-1]
                hp, hn = prev.bbox.height, ln.bbox.height
                gap = ln.bbox.y0 - prev.bbox.y1
                limit = max(lead * 1.6 + 0.1 * ch, 0.3 * max(hp, hn)) * max(1.0, min(hp, hn) / ch)
                similar = 0.75 <= hn / max(hp, 1) <= 1.33
                bold_change = abs(ln.density - prev.density) > 0.35 * max(ln.density, prev.density)
                lo, hi = prev.bbox.y1, ln.bbox.y0
                xs0, xs1 = min(prev.bbox.x0, ln.bbox.x0), max(prev.bbox.x1, ln.bbox.x1)
                between = any(o.y0 < hi and o.y1 > lo and o.x0 < xs1 and o.x1 > xs0 for o in others)
                if gap > limit or not similar or between or (bold_change and len(cur) <= 2):
                    blocks.append(cur)
                    cur = []
            cur.append(ln)
        if cur:
            blocks.append(cur)
    return blocks


def _kind(lines: list[TextLine], bbox: BBox, body_h: float, body_density: float,
          figures: list[BBox], all_boxes: list[BBox], page_h: int, ncols: int, ch: float) -> str:
    hb = float(np.median([ln.bbox.height for ln in lines]))
    dens = float(np.median([ln.density for ln in lines]))
    if lines[0].frame >= 0:
        return "sidebar"
    others = [b for b in all_boxes if b != bbox]
    if len(lines) == 1 and hb <= 1.4 * body_h and others:
        if bbox.y1 <= 0.12 * page_h and all(bbox.y1 <= o.y0 + 2 for o in others):
            return "header"
        if bbox.y0 >= 0.88 * page_h and all(bbox.y0 >= o.y1 - 2 for o in others):
            return "footer"
    for f in figures:
        near_below = 0 <= bbox.y0 - f.y1 <= 2.0 * ch
        near_above = 0 <= f.y0 - bbox.y1 <= 1.5 * ch
        if (near_below or near_above) and len(lines) <= 3 and f.x0 - ch <= bbox.cx <= f.x1 + ch \
                and bbox.width <= f.width + 2 * ch:
            return "caption"
    if hb >= 1.5 * body_h:
        return "title"
    if len(lines) <= 3 and (hb >= 1.15 * body_h or dens >= 1.3 * body_density):
        return "heading"
    if len(lines) <= 2 and lines[0].span[1] - lines[0].span[0] > 1 and ncols > 1:
        return "heading"
    return "body"


def analyse_layout(pimg: PageImage, options: Options) -> PageImage:
    """Stage 2: find columns and blocks; sets page.blocks (no text yet) and page.columns."""
    page = pimg.page
    binary = pimg.binary
    comps = geo.components(binary)
    ch = geo.char_height(comps)
    figures = geo.find_figures(pimg.gray, ch)
    b = comps.boxes
    w = b[:, 2] - b[:, 0]
    h = b[:, 3] - b[:, 1]
    vrule = (h >= 3 * ch) & (w <= 0.3 * ch)
    hrule = (w >= 3 * ch) & (h <= 0.3 * ch)
    tiny = (w < 0.12 * ch) & (h < 0.12 * ch)
    frames = [BBox(*map(int, b[i])) for i in np.nonzero((w >= 4 * ch) & (h >= 2 * ch))[0]
              if geo.is_frame(comps, int(i), ch)]
    in_fig = np.zeros(len(b), bool)
    for f in figures:
        cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
        in_fig |= (cx >= f.x0) & (cx < f.x1) & (cy >= f.y0) & (cy < f.y1)
    frame_set = {fr.to_list().__str__() for fr in frames}
    is_frame_comp = np.array([str(list(map(int, bb))) in frame_set for bb in b]) if len(b) else np.zeros(0, bool)
    text = ~(vrule | hrule | tiny | in_fig | is_frame_comp) & (h < 8 * ch)
    big = (w >= 8 * ch) & (h >= 8 * ch) & text
    text &= ~big
    mask = np.zeros(binary.shape, np.uint8)
    for x0, y0, x1, y1 in b[text]:
        mask[y0:y1, x0:x1] = 255
    segs = geo.segments(mask, ch)

    obstacles = [tuple(s) for s in segs] + [f.to_list() for f in figures] + [fr.to_list() for fr in frames]
    gutters = geo.tall_gaps(obstacles, binary.shape, ch)
    gutters = [p for g in gutters if g.width <= 4 * ch for p in _walled(g, segs, ch, figures)]
    rules = [BBox(*map(int, b[i])) for i in np.nonzero(vrule)[0]]
    # a vertical rule is a gutter whatever the white space beside it
    gutters += [BBox(r.x0 - 1, r.y0, r.x1 + 1, r.y1) for r in rules]

    line_boxes = _lines_from_segments(segs, gutters) if len(segs) else []
    integral = cv2.integral(binary // 255)
    lines = []
    for lb in line_boxes:
        if lb.height < 0.3 * ch and lb.width < 0.6 * ch:
            continue  # a stray speck, not a line
        ink = integral[lb.y1, lb.x1] - integral[lb.y0, lb.x1] - integral[lb.y1, lb.x0] + integral[lb.y0, lb.x0]
        frame = next((i for i, fr in enumerate(frames)
                      if fr.x0 <= lb.cx <= fr.x1 and fr.y0 <= lb.cy <= fr.y1), -1)
        lines.append(TextLine(lb, float(ink) / max(lb.area, 1), frame=frame))

    seps = _separators(gutters, ch, binary.shape[0])
    cols = _columns(seps, lines, ch)
    if options.columns and cols and len(cols) != options.columns:
        left, right = cols[0][0], cols[-1][1]
        step = (right - left) / options.columns
        cols = [(int(left + i * step), int(left + (i + 1) * step)) for i in range(options.columns)]
    for ln in lines:
        ln.span = _span(ln.bbox, cols, ch) if cols else (0, 1)

    groups = _group_blocks(lines, figures + frames, ch)
    heights = [ln.bbox.height for ln in lines if ln.frame < 0]
    body_h = float(np.median(heights)) if heights else ch
    dens = [ln.density for ln in lines if abs(ln.bbox.height - body_h) < 0.2 * body_h]
    body_density = float(np.median(dens)) if dens else 0.3
    boxes = [BBox.enclosing(ln.bbox for ln in g) for g in groups]
    all_boxes = boxes + figures
    blocks: list[Block] = []
    for g, bb in zip(groups, boxes):
        kind = _kind(g, bb, body_h, body_density, figures, all_boxes, binary.shape[0], len(cols), ch)
        span = g[0].span
        blocks.append(Block(id=0, kind=kind, bbox=bb, column=span[0], span=span,
                            lines=[Line(bbox=ln.bbox) for ln in sorted(g, key=lambda t: t.bbox.y0)]))
    for f in figures:
        span = _span(f, cols, ch) if cols else (0, 1)
        blocks.append(Block(id=0, kind="figure", bbox=f, column=span[0], span=span))
    blocks.sort(key=lambda bl: (bl.bbox.y0, bl.bbox.x0))
    for i, bl in enumerate(blocks):
        bl.id = i
    page.blocks = blocks
    page.columns = cols
    page.options.setdefault("layout", {})
    page.options["layout"] = {"char_height": round(ch, 1), "body_line_height": round(body_h, 1),
                              "gutters": len(gutters), "rules": len(rules), "frames": len(frames)}
    if not blocks:
        page.flags.append("no-text-found")
    return pimg
