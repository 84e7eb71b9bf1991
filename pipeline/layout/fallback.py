"""When a page's layout fails its own checks: other layouts of the same page,
measured on the page, the best one kept. Never one block over the whole page.

The old fallback read the page as bands of lines across its full width: on a
real page with two columns that glues every line of one column to the line
beside it, far worse than the plain Tesseract it replaces. Now, in turn:

1. the layout mended where it fails: text blocks that share glyphs are one
   block (merged, repeatedly, until none overlap), a local repair that
   leaves the rest of the page as it was;
2. if that still makes no sense, candidates: the learned detector's text
   regions holding the geometry's lines (``learned``), and Tesseract's own
   page segmentation (``tesseract``: its blocks and lines, from the API
   without recognition). Each is measured by the same evidence
   (``Evidence``: glyphs in no block, glyphs in two blocks, lines running
   across a column gutter the geometry found) and the one with the least is
   used; the reading order comes from our resolver either way.

The page is flagged ``layout-fallback`` with the reason and the layout used,
so ``status`` and ``rerun --flagged`` find it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..kinds import BlockKind
from ..model import BBox, Block, Flag, Line
from .check import _glyph_centres, shared_glyphs
from .regions import Region, RegionKind

FLAG_FALLBACK = "layout-fallback"
# the block kind of each of the detector's region kinds
TEXT_REGIONS: dict[RegionKind, BlockKind] = {
    "text": "body", "reference": "body", "title": "title", "figure_caption": "caption",
    "table_caption": "caption", "header": "header", "footer": "footer"}
PICTURE_REGIONS: dict[RegionKind, BlockKind] = {"figure": "figure", "table": "table", "equation": "equation"}


@dataclass(frozen=True)
class Evidence:
    lost: float       # share of the glyphs in no text block
    shared: float     # share of the glyphs in two text blocks or more
    crossing: float   # share of the text lines that run across a column gutter

    @property
    def cost(self) -> float:
        return self.lost + 2 * self.shared + self.crossing

    def __str__(self) -> str:
        return f"lost {self.lost:.0%}, shared {self.shared:.0%}, crossing {self.crossing:.0%}"


def _hits(pts: np.ndarray, box: BBox) -> np.ndarray:
    return (pts[:, 0] >= box.x0) & (pts[:, 0] < box.x1) & (pts[:, 1] >= box.y0) & (pts[:, 1] < box.y1)


def evidence(blocks: list[Block], glyphs: np.ndarray,
             reach: list[tuple[float, int, int, int]], ch: float) -> Evidence:
    """How well ``blocks`` hold the page's glyphs (centres, (n, 2)) and keep
    their lines out of the column gutters (``reach``: the geometry's column
    separators as (x, top, bottom, width))."""
    text = [b for b in blocks if b.is_text]
    if len(glyphs):
        count = np.zeros(len(glyphs), np.int32)
        for b in text:
            count += _hits(glyphs, b.bbox)
        pictures = np.zeros(len(glyphs), bool)
        for b in blocks:
            if not b.is_text:
                pictures |= _hits(glyphs, b.bbox)
        lost = float(((count == 0) & ~pictures).mean())
        shared = float((count >= 2).mean())
    else:
        lost = shared = 0.0
    lines = [ln.bbox for b in text for ln in b.lines] or [b.bbox for b in text]
    crossing = 0
    for ln in lines:
        if any(ln.x0 + ch < x < ln.x1 - ch and min(ln.y1, bottom) - max(ln.y0, top) > 0.5 * ln.height
               for x, top, bottom, _w in reach):
            crossing += 1
    return Evidence(lost, shared, crossing / max(1, len(lines)))


def merge_overlaps(blocks: list[Block], glyphs: np.ndarray, min_shared: int = 1) -> int:
    """Text blocks that share glyphs become one block (its lines, top to
    bottom), until no two do; returns the number of merges."""
    merges = 0
    while True:
        text = [b for b in blocks if b.is_text]
        pair = next(((a, b) for n, a, b in shared_glyphs(text, glyphs)
                     if not len(glyphs) or n >= min_shared), None)
        if pair is None:
            return merges
        a, b = pair
        keep, gone = (a, b) if a.bbox.area >= b.bbox.area else (b, a)
        keep.bbox = keep.bbox.union(gone.bbox)
        keep.lines = sorted(keep.lines + gone.lines, key=lambda ln: (ln.bbox.y0, ln.bbox.x0))
        if keep.kind != gone.kind and "body" in (keep.kind, gone.kind):
            keep.kind = "body"
        blocks.remove(gone)
        merges += 1


def _regions_kept(regions: list[Region], kinds, min_score: float) -> list[Region]:
    """The detector's regions of ``kinds``, strongest first, without the ones
    lying mostly inside a stronger one already kept."""
    kept: list[Region] = []
    for r in sorted((r for r in regions if r.kind in kinds and r.score >= min_score),
                    key=lambda r: -r.score):
        if any(r.bbox.overlap_area(k.bbox) >= 0.5 * r.bbox.area for k in kept):
            continue
        kept.append(r)
    return kept


def learned_blocks(regions: list[Region], lines: list[BBox], body_h: float,
                   min_score: float = 0.3) -> list[Block]:
    """The detector's text regions as blocks, each holding the geometry's lines
    whose centre lies in it (cut to the region where a line runs out of it:
    two columns glued into one line are parted at the region's edge); its
    pictures as pictures; lines in no region as blocks of one line."""
    texts = _regions_kept(regions, TEXT_REGIONS, min_score)
    pics = _regions_kept(regions, PICTURE_REGIONS, 0.5)
    out: list[Block] = []
    taken: set[int] = set()
    for r in texts:
        mine = []
        for i, ln in enumerate(lines):
            if i in taken or not (r.bbox.x0 <= ln.cx < r.bbox.x1 and r.bbox.y0 <= ln.cy < r.bbox.y1):
                continue
            taken.add(i)
            mine.append(BBox(max(ln.x0, r.bbox.x0), ln.y0, min(ln.x1, r.bbox.x1), ln.y1))
        if not mine:
            continue
        kind = TEXT_REGIONS[r.kind]
        if kind == "title":
            kind = "title" if float(np.median([m.height for m in mine])) >= 1.3 * body_h else "heading"
        out.append(Block(id=0, kind=kind, bbox=BBox.enclosing(mine),
                         lines=[Line(bbox=m) for m in sorted(mine, key=lambda m: m.y0)]))
    for r in pics:
        if not any(r.bbox.overlap_area(b.bbox) > 0.3 * b.bbox.area for b in out):
            out.append(Block(id=0, kind=PICTURE_REGIONS[r.kind], bbox=r.bbox))
    for i, ln in enumerate(lines):
        if i not in taken and not any(ln.overlap_area(b.bbox) >= 0.5 * ln.area for b in out):
            out.append(Block(id=0, kind="body", bbox=ln, lines=[Line(bbox=ln)]))
    return _numbered(out)


def tesseract_blocks(layout: list[tuple]) -> list[Block]:
    """Tesseract's page segmentation (``tesseract.page_layout``) as blocks."""
    out = []
    for kind, box, lines in layout:
        bb = BBox(*box)
        if kind in PICTURE_REGIONS.values():
            out.append(Block(id=0, kind=kind, bbox=bb))
        elif lines:
            ls = [BBox(*lb) for lb in lines]
            out.append(Block(id=0, kind=kind, bbox=BBox.enclosing([bb] + ls),
                             lines=[Line(bbox=b) for b in sorted(ls, key=lambda b: b.y0)]))
    return _numbered(out)


def _numbered(blocks: list[Block]) -> list[Block]:
    blocks.sort(key=lambda b: (b.bbox.y0, b.bbox.x0))
    for i, b in enumerate(blocks):
        b.id = i
        b.span = (0, 1)
    return blocks


def fall_back(pimg, regions: list[Region] | None, reason: str, lang: str, timeout: float) -> str:
    """Replace the page's failed layout by the best candidate (see the module
    docstring); returns the name of the one used. ``pimg``: a
    ``preprocess.PageImage`` whose ``page.blocks`` failed the checks."""
    import copy

    from ..recognition import tesseract

    page = pimg.page
    geom = pimg.geometry
    glyphs = pimg.glyphs if pimg.glyphs is not None and len(pimg.glyphs) else _glyph_centres(pimg.binary)
    reach = list(getattr(geom, "reach", []) or [])
    ch = float(page.diagnostics.get("layout", {}).get("char_height", 0) or 20.0)
    body_h = float(getattr(geom, "body_h", 0) or ch)
    candidates: list[tuple[str, list[Block]]] = []
    if page.blocks:
        mended = copy.deepcopy(page.blocks)
        n = merge_overlaps(mended, glyphs)
        candidates.append((f"mended ({n} merge(s))", mended))
    if regions and geom is not None:
        candidates.append(("learned", learned_blocks(regions, [ln.bbox for ln in geom.lines], body_h)))
    try:
        candidates.append(("tesseract", tesseract_blocks(tesseract.page_layout(pimg.gray, lang, timeout))))
    except Exception as e:  # noqa: BLE001 - a candidate that cannot be made is no candidate
        page.flags.append(Flag("layout-candidate-failed", f"tesseract: {type(e).__name__}: {e}"))
    scored = [(evidence(blocks, glyphs, reach, ch), name, blocks) for name, blocks in candidates
              if any(b.is_text for b in blocks)]
    if not scored:
        page.blocks = []
        page.flags.append(Flag(FLAG_FALLBACK, f"{reason}; no layout found"))
        return "none"
    ev, label, blocks = min(scored, key=lambda s: s[0].cost)
    name = label.split(" ")[0]
    page.blocks = _numbered(blocks)
    if not page.columns:
        page.columns = [(0, page.width)]
    for b in page.blocks:
        b.span = (0, 1)
    others = "; ".join(f"{n}: {e}" for e, n, _b in scored if n != label)
    page.flags.append(Flag(FLAG_FALLBACK, f"{reason}; used {label} ({ev})" + (f"; beside {others}" if others else "")))
    return name


def use_learned(pimg, regions: list[Region]) -> None:
    """``--layout learned``: the detector's regions are the blocks; the geometry
    only gives the lines inside them (and the lines no region holds)."""
    geom = pimg.geometry
    lines = [ln.bbox for ln in geom.lines] if geom is not None else []
    body_h = float(getattr(geom, "body_h", 0) or 20.0)
    pimg.page.blocks = learned_blocks(regions, lines, body_h)
