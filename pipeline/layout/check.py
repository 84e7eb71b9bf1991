"""Sanity checks on a page's layout.

A layout that reads one line as part of two blocks, reads the same ink
twice, or loses much of the text would give worse text than no layout
analysis at all. Such a page gets the best of its other layouts instead
(``layout_fallback``), and the reason is recorded in ``page.flags``.

``check_layout`` returns problems; those starting with ``"nonsense"`` are
severe (the caller falls back), the others are kept as flags.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from .lines import crossings
from ..image.ink import char_height, components
from ..image.preprocess import PageImage
from ..model import BBox, Block


def _glyph_centres(binary: np.ndarray) -> np.ndarray:
    """Centres of glyph-sized components (when layout analysis did not get that far)."""
    comps = components(binary)
    b = comps.boxes
    if not len(b):
        return np.zeros((0, 2))
    ch = char_height(comps)
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    glyph = (h >= 0.3 * ch) & (h <= 2.5 * ch) & (w <= 3 * ch) & (comps.area >= 8)
    return np.stack([(b[glyph, 0] + b[glyph, 2]) / 2, (b[glyph, 1] + b[glyph, 3]) / 2], axis=1)


def _inside(pts: np.ndarray, boxes: list[BBox]) -> np.ndarray:
    hit = np.zeros(len(pts), bool)
    for bb in boxes:
        hit |= (pts[:, 0] >= bb.x0) & (pts[:, 0] < bb.x1) & (pts[:, 1] >= bb.y0) & (pts[:, 1] < bb.y1)
    return hit


def shared_glyphs(text: list[Block], pts: np.ndarray) -> Iterator[tuple[int, Block, Block]]:
    """Each pair of text blocks whose boxes overlap, in order, with the number
    of glyph centres (``pts``, (n, 2)) in their overlap."""
    for i, a in enumerate(text):
        for b in text[i + 1:]:
            if a.bbox.overlap_area(b.bbox) <= 0:
                continue
            inter = a.bbox.intersection(b.bbox)
            yield (int(_inside(pts, [inter]).sum()) if len(pts) else 0), a, b


def check_layout(pimg: PageImage) -> list[str]:
    """Problems with the page's blocks, worst first (see the module docstring)."""
    page = pimg.page
    text = [b for b in page.blocks if b.is_text]
    pts = pimg.glyphs if pimg.glyphs is not None else _glyph_centres(pimg.binary)
    problems: list[str] = []
    if not text:
        if len(pts) >= 50:
            problems.append(f"nonsense: no text block on a page with {len(pts)} glyphs")
        return problems
    if not page.columns:
        problems.append("nonsense: no columns found")
    # blocks sharing ink: text read twice when it is a few characters, nonsense when more
    shared = [(n, a.id, b.id) for n, a, b in shared_glyphs(text, pts) if n]
    if shared:
        n, a, b = max(shared)
        sev = "nonsense: " if n >= 8 else ""
        problems.append(f"{sev}blocks {a} and {b} share {n} glyph(s)")
    if len(pts):
        lost = 1.0 - float(_inside(pts, [b.bbox for b in page.blocks]).mean())
        if lost > 0.3:
            problems.append(f"nonsense: {lost:.0%} of the glyphs lie in no block")
        elif lost > 0.05:
            problems.append(f"{lost:.0%} of the glyphs lie in no block")
    crossing = sum(1 for a in text for ln in a.lines for b in text
                   if b is not a and ln.bbox.overlap_area(b.bbox) > 0.5 * max(1, ln.bbox.area))
    if crossing:
        problems.append(f"{crossing} line(s) overlap another block")
    reach = getattr(pimg.geometry, "reach", None) or []
    ch = float(page.diagnostics.get("layout", {}).get("char_height", 0) or 20.0)
    wide = [b.id for b in text if b.kind == "body" and len(b.lines) >= 3
            and sum(crossings(ln.bbox, reach, ch) > 0 for ln in b.lines) > len(b.lines) / 2]
    if wide:
        problems.append(f"body block {wide[0]} runs across a column gutter")
    return problems
