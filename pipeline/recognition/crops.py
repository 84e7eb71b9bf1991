"""Helpers every recogniser shares: words to a line, crops scaled to the
line height an engine reads best."""
from __future__ import annotations

import cv2
import numpy as np

from ..model import BBox, Line, Word


def _line(words: list[Word]) -> Line:
    return Line(bbox=BBox.enclosing(w.bbox for w in words), text=" ".join(w.text for w in words),
                conf=float(np.mean([w.conf for w in words])), words=words)


def _fit_line_height(crop: np.ndarray, line_px: float, limit: int | None,
                     least: int | None = None) -> tuple[np.ndarray, float]:
    """The crop scaled so its text lines are at most ``limit`` px high (and, when
    they are under ``least``, up to ``limit``), and the scale."""
    if limit and line_px > limit * 1.1:
        f = limit / line_px
        return cv2.resize(crop, None, fx=f, fy=f, interpolation=cv2.INTER_AREA), f
    if least and limit and 0 < line_px < least:
        f = limit / line_px
        return cv2.resize(crop, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC), f
    return crop, 1.0
