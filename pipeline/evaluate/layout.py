"""Geometry-only scores of layout analysis and reading order, without OCR.

Each ground-truth line (its centre, mapped from the scan into the page's
deskewed pixels through ``Page.transform``) is looked up among the detected
blocks and their lines; its position in the detected reading order is
``(block order, line index in the block)``. Then:

- ``order``: the fraction of consecutive ground-truth text blocks (not
  running heads; at least ``MIN_BLOCK_CHARS`` characters, as in
  ``evaluate.order_score``) whose first lines come in the same order;
- ``line_order``: the same over consecutive ground-truth lines, so a column
  read in the wrong place costs as much as it would cost a reader;
- ``merged``: detected lines holding ground-truth lines of different blocks
  or several lines of one block (text read straight across a gutter);
- ``kinds``: per ground-truth kind (header, footer, caption, sidebar,
  figure, title), how many were detected as that kind;
- ``columns_ok``: whether the number of detected columns is the truth's.

A spread's truth (a ``pages`` list) is matched page by page when the
converter split it, else all of it against the one page.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from .text import MIN_BLOCK_CHARS, normalise
from ..model import RUNNING_KINDS, Block, Page
KIND_OF_TRUTH: dict[str, str] = {}   # truth kinds are ours, bar subtitle/author (not checked)
CHECKED_KINDS = ("header", "footer", "title", "caption", "figure", "sidebar")


@dataclass
class LayoutScore:
    name: str
    order: float
    line_order: float
    merged: int
    n_lines: int
    columns_ok: bool
    split_ok: bool = True     # a spread was split into as many pages as the truth has
    kinds: dict = field(default_factory=dict)   # truth kind -> [matched, total]
    flags: list = field(default_factory=list)


def truth_pages(truth: dict) -> list[dict]:
    """Per page of the image: ``{"blocks": [...], "ncol": n}``."""
    ncol = truth.get("layout", {}).get("ncol")
    if truth.get("pages"):
        return [{"blocks": p["blocks"], "ncol": ncol} for p in truth["pages"]]
    return [{"blocks": truth["blocks"], "ncol": ncol}]


def _to_page(page: Page) -> np.ndarray:
    m = np.vstack([np.asarray(page.transform, np.float64), [0, 0, 1]])
    return np.linalg.inv(m)[:2]


def _locate(x: float, y: float, blocks: list[Block], tol: float) -> tuple[Block, int] | None:
    hits = [b for b in blocks if b.bbox.x0 - tol <= x <= b.bbox.x1 + tol
            and b.bbox.y0 - tol <= y <= b.bbox.y1 + tol]
    if not hits:
        return None
    b = min(hits, key=lambda b: (not (b.bbox.x0 <= x <= b.bbox.x1 and b.bbox.y0 <= y <= b.bbox.y1),
                                 b.bbox.area))
    if not b.lines:
        return b, 0
    i = min(range(len(b.lines)), key=lambda k: (abs(b.lines[k].bbox.cy - y),
                                               abs(b.lines[k].bbox.cx - x)))
    return b, i


def _pairs(seq: list) -> float:
    if len(seq) < 2:
        return 1.0
    good = sum(1 for a, b in zip(seq, seq[1:]) if a is not None and b is not None and a < b)
    return good / (len(seq) - 1)


def score_layout(name: str, pages: list[Page], truth: dict) -> LayoutScore:
    tps = truth_pages(truth)
    split_ok = len(pages) == len(tps)
    if not split_ok:
        tps = [{"blocks": [b for t in tps for b in t["blocks"]], "ncol": tps[0]["ncol"]}]
        pages = pages[:1]
    block_pos, line_pos = [], []
    kinds: dict[str, list[int]] = {}
    hits: Counter = Counter()
    cols_ok = True
    flags: list[str] = []
    for pi, (page, tp) in enumerate(zip(pages, tps)):
        fwd = _to_page(page)
        blocks = sorted(page.blocks, key=lambda b: (b.order, b.id))
        flags += page.flags
        if tp["ncol"] is not None and len(page.columns) != tp["ncol"]:
            cols_ok = False
        for ti, tb in enumerate(tp["blocks"]):
            kind = KIND_OF_TRUTH.get(tb["kind"], tb["kind"])
            boxes = [ln["bbox"] for ln in tb.get("lines", [])] or [tb["bbox"]]
            found = []
            for bx in boxes:
                cx, cy = (bx[0] + bx[2]) / 2, (bx[1] + bx[3]) / 2
                x, y = fwd @ [cx, cy, 1.0]
                tol = max(4.0, 0.25 * (bx[3] - bx[1]))
                cand = [b for b in blocks if (b.kind == "figure") == (kind == "figure")]
                found.append(_locate(x, y, cand, tol))
            first = found[0]
            if kind in CHECKED_KINDS:
                k = kinds.setdefault(kind, [0, 0])
                k[1] += 1
                k[0] += first is not None and first[0].kind == kind
            if kind in RUNNING_KINDS:
                continue
            for f in found:
                pos = None
                if f is not None and f[0].kind not in RUNNING_KINDS:
                    pos = (pi, f[0].order, f[1])
                    if f[0].kind != "figure":
                        hits[(pi, f[0].id, f[1])] += 1
                line_pos.append(pos)
            text = tb.get("text") or ""
            if kind == "figure" or len(normalise(text)) >= MIN_BLOCK_CHARS:
                block_pos.append(line_pos[-len(found)])
    merged = sum(1 for key, n in hits.items() if n > 1)
    return LayoutScore(name=name, order=_pairs(block_pos), line_order=_pairs(line_pos),
                       merged=merged, n_lines=len(line_pos), columns_ok=cols_ok,
                       split_ok=split_ok, kinds=kinds, flags=flags)
