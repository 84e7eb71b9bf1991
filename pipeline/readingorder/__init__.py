"""Stage 5: the reading order of a page's blocks.

``resolve``: the order from geometry (figures, captions, sidebars and the
masthead placed around the main flow), on the partial order of ``partial``;
``input_order``: for a page known by text boxes (a PDF text layer, an OCR
engine's output), the engine's own order where it is sound, else the
resolved one.
"""
from .partial import ResolveOptions, partial_order, x_overlaps
from .resolve import FLAG_CYCLE, OrderResult, resolve_order

__all__ = ["ResolveOptions", "OrderResult", "resolve_order", "partial_order",
           "x_overlaps", "FLAG_CYCLE"]
