"""Reading order for a page known by text boxes: the engine's own, where it is sound.

An OCR engine that segments the page itself (Tesseract) already reads it in
an order, usually a good one: it reads a column's lines together and takes
columns one after the other. Re-deriving the order from geometry alone
(``readingorder.resolve_order``) is right more often on tidy layouts and
wrong in other places (a figure's caption, a box across two columns), so
replacing a sound order with it can make things worse.

Whether the given order is sound is measured, not assumed:

* ``switches``: how often consecutive input lines belong to different
  blocks. Read block by block, that is the number of blocks less one; an
  engine that lists lines row by row across the page (RapidOCR, a PDF's text
  layer) switches at almost every line;
* a line the layout had to cut at a gutter (two columns' lines glued into
  one) means the engine read across the columns there.

A sound order is kept, changed only where it contradicts the geometry that
is certain: a block above another in the same column is read before it.
Otherwise the resolver orders the page.
"""
from __future__ import annotations

import heapq

from .model import Block
from .readingorder import resolve_order, x_overlaps

__all__ = ["switches", "reads_by_block", "order_blocks", "keep_order"]

MAX_SWITCH_RATIO = 1.5   # switches per block boundary of an order read block by block


def switches(unit_of_line: list[int]) -> int:
    """Consecutive input lines in different blocks (``unit_of_line``: the
    block of each input line, in the input's order)."""
    return sum(a != b for a, b in zip(unit_of_line, unit_of_line[1:]))


def reads_by_block(unit_of_line: list[int], n_split: int) -> bool:
    n_units = len(set(unit_of_line))
    return n_split == 0 and switches(unit_of_line) <= MAX_SWITCH_RATIO * max(1, n_units - 1)


def keep_order(blocks: list[Block], rank: list[int]) -> list[Block]:
    """``blocks`` in the input's order (``rank``: each block's first input
    line), moved only as far as "above, in the same column, comes first"
    requires; running heads first and feet last, as the resolver does."""
    heads = [i for i, b in enumerate(blocks) if b.kind == "header"]
    feet = [i for i, b in enumerate(blocks) if b.kind == "footer"]
    rest = [i for i in range(len(blocks)) if i not in set(heads) | set(feet)]
    out: list[Block] = []
    for part in (heads, rest, feet):
        above = _above_in_column([blocks[i] for i in part])
        indeg = [0] * len(part)
        for succ in above:
            for j in succ:
                indeg[j] += 1
        heap = [(rank[part[k]], k) for k in range(len(part)) if indeg[k] == 0]
        heapq.heapify(heap)
        while heap:
            _, k = heapq.heappop(heap)
            out.append(blocks[part[k]])
            for j in above[k]:
                indeg[j] -= 1
                if indeg[j] == 0:
                    heapq.heappush(heap, (rank[part[j]], j))
    for i, b in enumerate(out):
        b.order = i
    return out


def _above_in_column(blocks: list[Block]) -> list[set[int]]:
    """Successors by index: ``j`` in ``out[i]`` when both blocks lie in the same
    column span, overlap horizontally and ``i`` is above ``j`` (its middle
    above ``j``'s top, its foot above ``j``'s middle: a fragment beside a
    block's first lines is not above it). Blocks of
    different spans (a caption across two columns, say) are not constrained:
    where such a block goes is what engines and the resolver disagree on."""
    out: list[set[int]] = [set() for _ in blocks]
    for i, a in enumerate(blocks):
        for j, b in enumerate(blocks):
            if i != j and a.span == b.span and x_overlaps(a.bbox, b.bbox) \
                    and a.bbox.cy < b.bbox.y0 and a.bbox.y1 <= b.bbox.cy:
                out[i].add(j)
    return out


def order_blocks(blocks: list[Block], rank: list[int], unit_of_line: list[int],
                 n_split: int) -> tuple[list[Block], list[str], str]:
    """The blocks in reading order, the resolver's flags, and which order was
    used: "input" (the engine's, kept) or "geometry" (resolved)."""
    if reads_by_block(unit_of_line, n_split):
        return keep_order(blocks, rank), [], "input"
    result = resolve_order(blocks)
    return result.blocks, result.flags, "geometry"
