"""Reading order for a page known by text boxes: the engine's own, where it is sound.

An OCR engine that segments the page itself (Tesseract) already reads it in
an order, usually a good one: it reads a column's lines together and takes
columns one after the other. Re-deriving the order from geometry alone
(``readingorder.resolve.resolve_order``) is right more often on tidy layouts and
wrong in other places (a figure's caption, a box across two columns), so
replacing a sound order with it can make things worse.

Whether the given order is sound is measured, not assumed:

* ``switches``: how often consecutive input lines belong to different
  blocks. Read block by block, that is the number of blocks less one; an
  engine that lists lines row by row across the page (RapidOCR, a PDF's text
  layer) switches at almost every line, and so does one that glued the lines
  of neighbouring columns (the pieces of a line cut at a gutter count as
  lines: each cut is a switch).

A sound order is kept as it is: a block of the engine's that the layout
cut at a gutter reads its columns one after the other, each where its first
line was. (Moving blocks to honour "above in the same column comes first"
was tried: it fixed one development page and hurt another, as a block the
engine read late, often a figure's labels, dragged the text below it along.)
Otherwise the resolver orders the page.
"""
from __future__ import annotations

from ..model import Block
from .resolve import resolve_order

__all__ = ["switches", "reads_by_block", "order_blocks", "keep_order"]

MAX_SWITCH_RATIO = 1.5   # switches per block boundary of an order read block by block


def switches(unit_of_piece: list[int]) -> int:
    """Consecutive pieces of input lines in different blocks (``unit_of_piece``:
    the block of each line, or of each piece of a line cut at gutters, in the
    input's order)."""
    return sum(a != b for a, b in zip(unit_of_piece, unit_of_piece[1:]))


def reads_by_block(unit_of_piece: list[int]) -> bool:
    n_units = len(set(unit_of_piece))
    return switches(unit_of_piece) <= MAX_SWITCH_RATIO * max(1, n_units - 1)


def keep_order(blocks: list[Block], rank: list[int]) -> list[Block]:
    """``blocks`` in the input's order (``rank``: each block's first input
    line), running heads first and feet last, as the resolver puts them."""
    place = {"header": 0, "footer": 2}
    idx = sorted(range(len(blocks)), key=lambda i: (place.get(blocks[i].kind, 1), rank[i]))
    out = [blocks[i] for i in idx]
    for i, b in enumerate(out):
        b.order = i
    return out


def order_blocks(blocks: list[Block], rank: list[int],
                 unit_of_piece: list[int]) -> tuple[list[Block], list[str], str]:
    """The blocks in reading order, the resolver's flags, and which order was
    used: "input" (the engine's, kept) or "geometry" (resolved)."""
    if reads_by_block(unit_of_piece):
        return keep_order(blocks, rank), [], "input"
    result = resolve_order(blocks)
    return result.blocks, result.flags, "geometry"
