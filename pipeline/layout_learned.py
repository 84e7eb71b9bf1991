"""The learned detector's regions, checked against the page's own geometry.

The detector (``regions``) proposes and types; the geometry cuts columns and
lines; the resolver orders. A proposal is taken only where the page agrees:

- a table, figure or equation that a more confident text or title region of
  the same detector lies mostly inside is the detector contradicting itself
  (on a real broker report it put a table at 0.54 over a column of running
  text that it had found as text at 0.98) and is dropped;
- a figure must hold little that looks like text: the glyph-sized ink of a
  column of exercises is not a picture, the tick labels of a chart are;
- tables, figures and equations then keep their ink out of the running text,
  so table cells never make page columns and chart labels never join a
  paragraph;
- header, footer, title and caption regions only retype blocks the geometry
  found, and only where the geometry allows it (a header has nothing of the
  body above it).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .layout_geometry import Components
from .model import BBox, Block
from .regions import Region

# a proposal acted on alone (a table taken out of the text) needs this score;
# weaker ones count only where the geometry agrees
SURE = 0.5
# a figure over this much text-height ink is text (running text covers 0.3 to 0.6)
TEXT_COVER = 0.2
# ... or whose ink is mostly in glyph-sized pieces (a chart's is in its bars,
# axes and lines; a photo's in large blots)
GLYPH_SHARE = 0.7
# a learned picture may add the labels, legend and axes round a picture the
# geometry found, not many times its area
MAX_GROWTH = 4.0
TEXTY = frozenset({"text", "title", "reference"})
PICTURES = frozenset({"table", "figure", "equation"})


@dataclass
class Learned:
    figures: list[BBox] = field(default_factory=list)    # pictures, the geometry's included
    tables: list[BBox] = field(default_factory=list)
    equations: list[BBox] = field(default_factory=list)
    typed: list[Region] = field(default_factory=list)    # header, footer, title, caption regions
    dropped: list[str] = field(default_factory=list)     # why proposals were not taken

    @property
    def away(self) -> list[BBox]:
        """Everything whose ink stays out of the running text."""
        return self.figures + self.tables + self.equations


def _inter(a: BBox, b: BBox) -> int:
    return a.x_overlap(b) * a.y_overlap(b)


def contradicted(r: Region, regions: list[Region]) -> Region | None:
    """A more confident text-like region of the detector lying mostly inside ``r``,
    big enough to matter (not one cell's text inside a table) and clearly
    smaller than ``r``: a picture region that swallows a column of text.
    (Where the two cover the same ground, the detector wavers between two
    readings of it, and the geometry decides.)"""
    for t in regions:
        if t.kind in TEXTY and t.score > r.score and 0.15 * r.bbox.area <= t.bbox.area <= 0.7 * r.bbox.area \
                and _inter(t.bbox, r.bbox) >= 0.5 * t.bbox.area:
            return t
    return None


def _runs_in(box: BBox, segs: np.ndarray, ch: float) -> np.ndarray:
    """Character runs of about body height whose centre lies in ``box``."""
    if not len(segs):
        return segs
    cx, cy = (segs[:, 0] + segs[:, 2]) / 2, (segs[:, 1] + segs[:, 3]) / 2
    h = segs[:, 3] - segs[:, 1]
    sel = (cx >= box.x0) & (cx < box.x1) & (cy >= box.y0) & (cy < box.y1) & (h >= 0.5 * ch) & (h <= 1.6 * ch)
    return segs[sel]


def text_cover(box: BBox, segs: np.ndarray, ch: float) -> float:
    """Share of ``box`` covered by runs of characters of about body height:
    high over running text (its lines less their leading), low over photos,
    line art and the sparse labels of a chart."""
    runs = _runs_in(box, segs, ch)
    if not len(runs) or box.area <= 0:
        return 0.0
    return float(((runs[:, 2] - runs[:, 0]) * (runs[:, 3] - runs[:, 1])).sum()) / box.area


def cell_rows(box: BBox, segs: np.ndarray, ch: float) -> tuple[float, int]:
    """(share of text rows in ``box`` that hold a gap of two characters or more
    between runs, number of rows). Table rows are cells with white between
    them; lines of running text are unbroken runs (justification opens gaps
    of an em at most)."""
    runs = _runs_in(box, segs, ch)
    if not len(runs):
        return 0.0, 0
    runs = runs[np.argsort((runs[:, 1] + runs[:, 3]) / 2, kind="stable")]
    rows: list[list[np.ndarray]] = []
    for r in runs:
        cy = (r[1] + r[3]) / 2
        if rows and abs(cy - np.mean([(q[1] + q[3]) / 2 for q in rows[-1]])) <= 0.5 * ch:
            rows[-1].append(r)
        else:
            rows.append([r])
    gapped = 0
    for row in rows:
        xs = sorted((int(q[0]), int(q[2])) for q in row)
        reach = xs[0][1]
        for x0, x1 in xs[1:]:
            if x0 - reach >= 2 * ch:
                gapped += 1
                break
            reach = max(reach, x1)
    return gapped / len(rows), len(rows)


def glyph_ink_share(box: BBox, comps: Components, ch: float) -> float:
    """Share of the ink in ``box`` that belongs to glyph-sized components. Over
    text, nearly all of it (however dense or small the type, and wherever rows
    of it touch); over a photo, line art or the bars and axes of a chart, most
    ink is in components far bigger than a character."""
    b = comps.boxes
    if not len(b):
        return 0.0
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    inside = (b[:, 0] >= box.x0) & (b[:, 2] <= box.x1) & (b[:, 1] >= box.y0) & (b[:, 3] <= box.y1)
    ink = float(comps.area[inside].sum())
    if ink <= 0:
        return 0.0
    glyph = inside & (h <= 1.6 * ch) & (w <= 3 * ch)
    return float(comps.area[glyph].sum()) / ink


def accept(regions: list[Region], segs: np.ndarray, comps: Components, figures: list[BBox],
           ch: float) -> Learned:
    """Check the detector's proposals against the page (see the module docstring).
    ``segs``: the page's character runs; ``comps``: its ink components;
    ``figures``: the pictures the geometry found itself."""
    out = Learned()
    geo_figs = list(figures)
    for r in regions:
        if r.kind not in PICTURES:
            if r.kind in ("header", "footer", "title", "figure_caption", "table_caption") \
                    and r.score >= SURE:
                out.typed.append(r)
            continue
        t = contradicted(r, regions)
        if t is not None:
            out.dropped.append(f"{r.kind} {r.bbox.to_list()} ({r.score:.2f}): {t.kind} "
                               f"{t.bbox.to_list()} ({t.score:.2f}) inside")
            continue
        if r.kind == "figure":
            hit = [f for f in geo_figs if _inter(f, r.bbox) >= 0.3 * f.area]
            found = sum(_inter(f, r.bbox) for f in hit)
            if hit and r.bbox.area > MAX_GROWTH * found:
                # a region many times the picture the geometry found in it (a
                # whole broadsheet page for its one photo): keep the geometry's
                out.dropped.append(f"figure {r.bbox.to_list()} ({r.score:.2f}): "
                                   f"{r.bbox.area / found:.0f}x the picture inside")
                continue
            # what the detector adds to the pictures the geometry found must not be text
            cover = text_cover(r.bbox, segs, ch)
            share = 0.0 if found >= 0.8 * r.bbox.area else glyph_ink_share(r.bbox, comps, ch)
            if cover >= TEXT_COVER or share >= GLYPH_SHARE or (not hit and r.score < SURE):
                out.dropped.append(f"figure {r.bbox.to_list()} ({r.score:.2f}): text cover "
                                   f"{cover:.2f}, glyph ink {share:.2f}")
                continue
            out.figures.append(BBox.enclosing([r.bbox] + hit))
            geo_figs = [f for f in geo_figs if f not in hit]
        elif r.kind == "table":
            share, n = cell_rows(r.bbox, segs, ch)
            if n >= 2 and (share >= 0.5 or (r.score >= SURE and share >= 0.25)):
                out.tables.append(r.bbox)
            else:
                out.dropped.append(f"table {r.bbox.to_list()} ({r.score:.2f}): "
                                   f"{share:.0%} of {n} rows in cells")
        elif r.score >= SURE:
            out.equations.append(r.bbox)
    out.figures += geo_figs
    # a picture inside another (a table's chart, a figure's own panel) is that one
    for name in ("figures", "tables", "equations"):
        boxes = getattr(out, name)
        setattr(out, name, [b for b in boxes if not any(
            o is not b and _inter(o, b) >= 0.8 * b.area and o.area > b.area
            for o in out.away)])
    return out


def _inside(b: BBox, r: BBox, frac: float = 0.6) -> bool:
    return _inter(b, r) >= frac * max(1, b.area)


def retype(blocks: list[Block], learned: Learned, body_h: float, page_h: int) -> list[str]:
    """Kinds from the detector's typed regions where the geometry allows them;
    returns what changed, for the page's diagnostics."""
    text = [b for b in blocks if b.is_text]
    notes = []
    for b in text:
        if b.kind in ("sidebar", "header", "footer"):
            continue
        hits = [r for r in learned.typed if _inside(b.bbox, r.bbox)]
        if not hits:
            continue
        r = max(hits, key=lambda r: r.score)
        new = None
        others = [o for o in text if o is not b and o.bbox.x_overlap(b.bbox) > 0 and o.kind not in
                  ("header", "footer")]
        if r.kind == "header" and len(b.lines) <= 2 and b.bbox.y1 <= 0.2 * page_h \
                and not any(o.bbox.y1 <= b.bbox.y0 for o in others):
            new = "header"
        elif r.kind == "footer" and len(b.lines) <= 3 and b.bbox.y0 >= 0.8 * page_h \
                and not any(o.bbox.y0 >= b.bbox.y1 for o in others):
            new = "footer"
        elif r.kind == "title" and b.kind == "body" and len(b.lines) <= 3:
            h = float(np.median([ln.bbox.height for ln in b.lines])) if b.lines else body_h
            new = "title" if h >= 1.3 * body_h else "heading"
        elif r.kind in ("figure_caption", "table_caption") and b.kind in ("body", "heading") \
                and len(b.lines) <= 4 and any(
                    0 <= max(p.y0 - b.bbox.y1, b.bbox.y0 - p.y1) <= 3 * body_h
                    and p.x_overlap(b.bbox) > 0 for p in learned.away):
            new = "caption"
        if new and new != b.kind:
            notes.append(f"block {b.id} {b.kind}->{new} ({r.kind} {r.score:.2f})")
            b.kind = new
    return notes
