"""Low-level layout geometry on the binary page: figures, rules, frames and
graphics (character runs and column gutters are in ``gaps``). Pure
functions over numpy arrays. The ink's components and the body character
height are measured in ``image.ink`` (also used before any layout, to find
a spread's fold); they are named here too, for the layout's callers."""
from __future__ import annotations

import cv2
import numpy as np

from ..image.ink import Components, char_height, component_stats, components  # noqa: F401  (geo.components etc.)
from ..disjoint import DisjointSets
from ..model import BBox


def find_figures(gray: np.ndarray, ch: float) -> list[BBox]:
    """Photo-like regions: large areas where most pixels are not paper.

    Text, even bold titles, leaves most of a two-character window blank;
    photographs and tinted drawings do not.
    """
    scale = 0.25
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    nonwhite = (small < 205).astype(np.float32)
    k = max(3, int(2 * ch * scale) | 1)
    dens = cv2.blur(nonwhite, (k, k))
    mask = (dens > 0.6).astype(np.uint8)
    ck = max(3, int(ch * scale))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((ck, ck), np.uint8))
    n, _, stats, _ = component_stats(mask)
    out = []
    # the density window blurs the edges by half its size; take it back
    pad = k / 2 - 1
    for x, y, w, h, _a in stats[1:]:
        # measured without the blur: the heavy strokes of a display title make
        # dense patches one stroke high, which the blur alone would make big
        if w - 2 * pad < 3 * ch * scale or h - 2 * pad < 3 * ch * scale:
            continue
        if float(dens[y:y + h, x:x + w].mean()) < 0.5:
            continue
        s = 1 / scale
        out.append(BBox(int((x + pad) * s), int((y + pad) * s),
                        int((x + w - pad) * s), int((y + h - pad) * s)))
    return out


def rule_masks(binary: np.ndarray, ch: float) -> tuple[np.ndarray, np.ndarray]:
    """Ink that belongs to long straight horizontal / vertical strokes: rules,
    box outlines, figure borders. No stroke of a body or title glyph is five
    body characters long, and dashes (two or three em) are shorter still."""
    n = max(9, int(5 * ch))
    g = max(3, int(0.15 * ch)) | 1   # bridge the breaks noise leaves in a thin line
    hor = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, np.ones((1, g), np.uint8))
    ver = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, np.ones((g, 1), np.uint8))
    hor = cv2.morphologyEx(hor, cv2.MORPH_OPEN, np.ones((1, n), np.uint8))
    ver = cv2.morphologyEx(ver, cv2.MORPH_OPEN, np.ones((n, 1), np.uint8))
    return hor, ver


def decorations(comps: Components, ch: float) -> list[BBox]:
    """The bands of dotted, dashed and ornamental rules.

    Such a rule is a row of many small marks (dots, dashes, diamonds,
    crosses) of about one size at an even step, with next to nothing of a
    glyph's size in the row. A row of text is full-size glyphs; an ellipsis
    is six dots beside them.
    """
    b = comps.boxes
    out: list[BBox] = []
    if not len(b):
        return out
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    small = (np.maximum(w, h) <= 0.5 * ch) & (comps.area >= 4)
    big = h >= 0.6 * ch
    cy = (b[:, 1] + b[:, 3]) / 2
    idx = np.nonzero(small)[0]
    idx = idx[np.argsort(cy[idx], kind="stable")]
    rows: list[list[int]] = []
    for i in idx:
        if rows and abs(cy[i] - cy[rows[-1][-1]]) <= 0.15 * ch:
            rows[-1].append(int(i))
        else:
            rows.append([int(i)])
    big_ix = np.nonzero(big)[0]
    for row in rows:
        row.sort(key=lambda i: b[i, 0])
        runs, cur = [], [row[0]]
        for i in row[1:]:
            if b[i, 0] - b[cur[-1], 2] <= 2.5 * ch:
                cur.append(i)
            else:
                runs.append(cur)
                cur = [i]
        runs.append(cur)
        for run in runs:
            if len(run) < 8:
                continue
            x0, x1 = b[run, 0].min(), b[run, 2].max()
            y0, y1 = b[run, 1].min(), b[run, 3].max()
            if x1 - x0 < 5 * ch:
                continue
            # an even step (where marks joined the rule they sit on, a multiple of it)
            steps = np.diff(b[run, 0]).astype(np.float64)
            step = float(np.median(steps))
            if step <= 0 or np.mean(np.abs(steps / step - np.round(steps / step)) <= 0.25) < 0.7:
                continue
            gy = (b[big_ix, 1] + b[big_ix, 3]) / 2
            beside = big_ix[(b[big_ix, 0] < x1) & (b[big_ix, 2] > x0)
                            & (gy > y0 - 0.3 * ch) & (gy < y1 + 0.3 * ch)]
            # (a glyph or two of the line below may have run into the marks)
            if (b[beside, 2] - b[beside, 0]).sum() <= 0.1 * (x1 - x0):
                out.append(BBox(int(x0), int(y0), int(x1), int(y1)))
    return out


def strokes(mask: np.ndarray) -> list[BBox]:
    """Boxes of the connected strokes of a ``rule_masks`` mask."""
    n, _, st, _ = component_stats(mask)
    return [BBox(int(x), int(y), int(x + w), int(y + h)) for x, y, w, h, _ in st[1:]]


def find_frames(hor: np.ndarray, ver: np.ndarray, ch: float, figures: list[BBox] = ()) -> list[BBox]:
    """Box outlines (sidebar frames): a long horizontal stroke at the top and one
    at the bottom with the same ends, joined by a vertical stroke at one end
    or both.

    Built from strokes rather than from one connected outline, so a column
    rule or a picture touching the box does not hide it. Boxes that are
    borders of pictures are left out.
    """
    hs = [s for s in strokes(hor) if s.width >= 4 * ch]
    vs = [s for s in strokes(ver) if s.height >= 1.5 * ch]
    tol = max(4, 0.8 * ch)
    out: list[BBox] = []
    for t in sorted(hs, key=lambda s: s.y0):
        for b in sorted(hs, key=lambda s: s.y0):
            if b.y0 - t.y1 < 1.5 * ch or abs(b.x0 - t.x0) > tol or abs(b.x1 - t.x1) > tol:
                continue
            y0, y1 = t.y0, b.y1
            x0, x1 = min(t.x0, b.x0), max(t.x1, b.x1)

            def side(x: int, own: bool = False) -> bool:
                """Vertical strokes at x cover the box's height; ``own``: and
                end at its corners, as a box's side does and a column rule
                running on past the box does not."""
                at = [v for v in vs if v.x0 - tol <= x <= v.x1 + tol
                      and min(v.y1, y1) > max(v.y0, y0)]
                if own and any(v.y0 < y0 - tol or v.y1 > y1 + tol for v in at):
                    return False
                cover = sum(min(v.y1, y1) - max(v.y0, y0) for v in at)
                return cover >= 0.75 * (y1 - y0)
            # one side may be lost (a light outline in a scanner's shadow
            # binarises away): top and bottom with the same ends and one side
            # of the box's own make a box
            if (side(x0) and side(x1)) or side(x0, own=True) or side(x1, own=True):
                box = BBox(x0, y0, x1, y1)
                if not any(box.x_overlap(f) * box.y_overlap(f) > 0.5 * min(box.area, f.area)
                           for f in figures):
                    out.append(box)
                break   # the nearest matching bottom closes this top
    # a box inside another (a double outline) is the same frame
    return [f for f in out if not any(g != f and g.x0 <= f.x0 and g.y0 <= f.y0 and g.x1 >= f.x1
                                      and g.y1 >= f.y1 for g in out)]


def thin_stroke_ink(comps: Components, hor: np.ndarray, ver: np.ndarray, ch: float) -> np.ndarray:
    """Per component: its pixels on thin rules (the ``rule_masks`` strokes less
    their parts thicker than a third of a character: a table's filled header
    band or a bar is no rule)."""
    t = max(3, int(0.35 * ch))
    thick = cv2.morphologyEx(hor, cv2.MORPH_OPEN, np.ones((t, 1), np.uint8)) | \
        cv2.morphologyEx(ver, cv2.MORPH_OPEN, np.ones((1, t), np.uint8))
    thin = ((hor | ver) > 0) & (thick == 0)
    return np.bincount(comps.labels[thin], minlength=len(comps.boxes) + 1)[1:]


def _graphic_items(comps: Components, rule: np.ndarray, figures: list[BBox], ch: float,
                   thin: np.ndarray | None) -> list[tuple[BBox, str]]:
    """What ``find_graphics`` clusters: the figures found ("photo") and the
    components outside them that are solid shapes, blots (bars, axes and
    grid joined) or strokes ("rule"), each with its box."""
    b = comps.boxes
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    inside = np.zeros(len(b), bool)
    for f in figures:
        inside |= (cx >= f.x0) & (cx < f.x1) & (cy >= f.y0) & (cy < f.y1)
    # filled shapes: no glyph, even a heavy title glyph, fills most of its box
    solid = (comps.area >= 0.8 * w * h) & (np.minimum(w, h) >= 0.4 * ch) & (np.maximum(w, h) >= 1.5 * ch)
    # bars, axes and grid joined into one shape: bigger than any glyph, and far
    # denser than a box outline (about 0.01-0.03 of its box; a bar chart of
    # light bars that binarise to their outlines still fills 0.09). Its thin
    # rules do not count: a page's frame of rules joined to one filled table
    # band is no chart. (``thin``: per component, ink on thin rules.)
    filled = comps.area - (thin if thin is not None else 0)
    blot = (w >= 5 * ch) & (h >= 5 * ch) & (filled >= 0.06 * w * h)
    cand = np.nonzero((solid | blot | rule) & ~inside)[0]
    return [(f, "photo") for f in figures] + \
        [(BBox(*map(int, b[i])), "blot" if blot[i] else "solid" if solid[i] else "rule") for i in cand]


def find_graphics(comps: Components, rule: np.ndarray, figures: list[BBox], ch: float,
                  thin: np.ndarray | None = None) -> list[BBox]:
    """Pictures including line art (charts, diagrams), which photo detection
    misses (most of their area is paper) or finds in pieces (each dark bar).

    Solid shapes (bars, the photo-like pieces already found, one shape that is
    bars, axes and grid at once) and long strokes (axes, borders) close to
    each other are clustered. A cluster with two solid shapes, or one with two
    strokes, or one big dense shape, is one picture: the box of its solid
    shapes, grown by the strokes that end near it (axes, a border), not by a
    column rule running past. A rule or box outline alone, or a bold 一 in a
    title, is not a picture. Returns the figures, old and new.
    """
    if not len(comps.boxes):
        return list(figures)
    items = _graphic_items(comps, rule, figures, ch, thin)
    pad = 1.5 * ch

    def near(a: BBox, c: BBox) -> bool:
        return a.x0 - pad < c.x1 and c.x0 - pad < a.x1 and a.y0 - pad < c.y1 and c.y0 - pad < a.y1
    # shapes cluster among themselves; a stroke belongs to every cluster it
    # comes near but joins none to another (a page frame of rules round a
    # photo and a table band is no one picture of both)
    shape_ix = [i for i, it in enumerate(items) if it[1] != "rule"]
    sets = DisjointSets(len(items))
    for k, i in enumerate(shape_ix):
        for j in shape_ix[k + 1:]:
            if near(items[i][0], items[j][0]):
                sets.union(i, j)
    rules = [it[0] for it in items if it[1] == "rule"]
    out = []
    for g in sets.groups(shape_ix):
        kinds = [items[i][1] for i in g]
        shapes = [items[i][0] for i in g]
        box = BBox.enclosing(shapes)
        strokes = [r for r in rules if any(near(r, s) for s in shapes)]
        n_solid, n_rule = len(shapes), len(strokes)
        if not ("blot" in kinds or n_solid >= 2 or (n_solid >= 1 and n_rule >= 2)):
            out += [items[i][0] for i in g if items[i][1] == "photo"]
            continue
        reach = max(3 * ch, 0.15 * max(box.width, box.height))
        grow = [r for r in strokes if r.x0 >= box.x0 - reach and r.x1 <= box.x1 + reach
                and r.y0 >= box.y0 - reach and r.y1 <= box.y1 + reach]
        box = BBox.enclosing([box] + grow)
        if "photo" in kinds or (box.width >= 5 * ch and box.height >= 4 * ch):
            out.append(box)
    return out


