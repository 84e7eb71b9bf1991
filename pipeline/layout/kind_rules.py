"""The rules both layout engines type blocks and break them by: the pixel
layout (``layout.pixels``) and the box layout (``layout.boxes``, for text
layers and other engines' OCR). One place for their thresholds, so that a
page typed through either engine is typed alike; each engine adds what only
its input shows (ink density for bold, frames, the detector's regions).

Lengths are in the page's body line height (``body``); positions in shares
of the page's height.
"""
from __future__ import annotations

from ..kinds import BlockKind
from ..model import BBox

RUNNING_TOP = 0.12    # a running head ends above this share of the page's height
RUNNING_FOOT = 0.88   # a running foot starts below it
RUNNING_MAX = 1.4     # a running head's line is at most this many body heights tall
TITLE_MIN = 1.5       # lines this many body heights tall are a title
HEADING_MIN = 1.15    # a few lines (HEADING_LINES at most) this tall are a heading
HEADING_LINES = 3
LEAD_FACTOR = 1.6     # a gap over this many times the page's leading (plus LEAD_EM) ends a block
LEAD_EM = 0.1
LEAD_SIZE = 0.3       # ... unless it is under this share of the taller line's height


def at_top(bbox: BBox, page_h: float) -> bool:
    """Where a running head sits: within the top of the page."""
    return bbox.y1 <= RUNNING_TOP * page_h


def at_foot(bbox: BBox, page_h: float) -> bool:
    """Where a running foot sits: within the foot of the page."""
    return bbox.y0 >= RUNNING_FOOT * page_h


def size_kind(h: float, n_lines: int, body: float) -> BlockKind | None:
    """"title" or "heading" by the size of a block's lines (``h``: their
    median height), None for text of body size."""
    if h >= TITLE_MIN * body:
        return "title"
    if n_lines <= HEADING_LINES and h >= HEADING_MIN * body:
        return "heading"
    return None


def gap_limit(lead: float, em: float, h_above: float, h_below: float) -> float:
    """The widest white between two lines of one block: the page's leading
    (``lead``) with some slack, or a share of the taller line for display type."""
    return max(lead * LEAD_FACTOR + LEAD_EM * em, LEAD_SIZE * max(h_above, h_below))
