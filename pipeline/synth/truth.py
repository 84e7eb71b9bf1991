"""Ground truth in the dev-page format (``/work/shared/devpages``), and writing a page's files:
``NAME.png``, ``NAME.gt.txt`` (reading-order text, one block per line, header first, footer
last), ``NAME.gt_body.txt`` (without header/footer) and ``NAME.gt.json``.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

IDEO_SPACE = "\u3000"
NON_BODY = ("header", "footer")


@dataclass
class Blk:
    """A block on the clean page: boxes are (x0, y0, x1, y1) floats before degradation."""
    kind: str
    column: int | None
    span: list | None
    lines: list = field(default_factory=list)        # [(text, box)]
    text: str = ""
    box: tuple | None = None                          # figures: the picture's box
    extra: dict = field(default_factory=dict)

    def shift(self, dx: float) -> None:
        sh = lambda b: (b[0] + dx, b[1], b[2] + dx, b[3])
        self.lines = [(t, sh(b)) for t, b in self.lines]
        if self.box is not None:
            self.box = sh(self.box)

    def bbox(self) -> tuple:
        if self.box is not None:
            return self.box
        bs = [b for _, b in self.lines]
        return (min(b[0] for b in bs), min(b[1] for b in bs), max(b[2] for b in bs), max(b[3] for b in bs))

    def final_text(self) -> str:
        if self.kind == "body" or (self.kind == "sidebar" and self.extra.get("role") == "text"):
            return "".join(t for t, _ in self.lines).lstrip(IDEO_SPACE)
        return self.text


def _quad(m: np.ndarray, box) -> list[list[float]]:
    x0, y0, x1, y1 = box
    pts = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=np.float64)
    q = pts @ np.asarray(m, dtype=np.float64).T
    return [[round(float(x), 1), round(float(y), 1)] for x, y in q]


def _enclose(q, w: int, h: int) -> list[int]:
    xs, ys = [p[0] for p in q], [p[1] for p in q]
    return [max(0, math.floor(min(xs))), max(0, math.floor(min(ys))),
            min(w, math.ceil(max(xs))), min(h, math.ceil(max(ys)))]


def block_dict(b: Blk, order: int, m, w: int, h: int) -> dict:
    q = _quad(m, b.bbox())
    d = {"order": order, "kind": b.kind, "column": b.column, "span": b.span,
         "bbox": _enclose(q, w, h), "quad": q,
         "bbox_unrotated": [round(float(v), 1) for v in b.bbox()], "text": b.final_text(),
         "lines": [{"text": t, "bbox": _enclose(_quad(m, lb), w, h)} for t, lb in b.lines]}
    d.update(b.extra)
    return d


def gt_text(blocks: list[dict], body_only: bool = False) -> str:
    keep = [b["text"] for b in blocks if b["text"] and not (body_only and b["kind"] in NON_BODY)]
    return "".join(t + "\n" for t in keep)


def build_truth(spec, pages: list[list[Blk]], geos: list[dict], m, w: int, h: int) -> dict:
    """Truth for one page (or a spread: pages read left then right)."""
    m = np.asarray(m, dtype=np.float64)
    blocks, per_page = [], []
    for pi, (blks, geo) in enumerate(zip(pages, geos)):
        local = []
        for b in blks:
            d = block_dict(b, len(blocks), m, w, h)
            if len(pages) > 1:
                d["page"] = pi
            blocks.append(d)
            local.append(dict(d, order=len(local)))
        per_page.append({"page": pi, "x_offset": geo.get("x_offset", 0), "geometry": geo,
                         "blocks": local})
    layout = spec.to_dict()
    geo0 = geos[0]
    n = spec.columns
    layout.update(
        title_span=spec.title_cols, sidebar_span=list(spec.side_span) if spec.sidebar else None,
        ncol=n, gutter_rule=spec.rule, grid_aligned=spec.aligned, body_pt=spec.body_pt,
        title_mode=geo0["title_mode"], chars_per_line=geo0["chars_per_line"],
        line_pitch_px=geo0["line_pitch_px"], margins_px=geo0["margins_px"],
        columns_px=geo0["columns_px"], fonts=geo0["fonts"],
        figure_span=([spec.figure_col, spec.figure_col + (1 if spec.figure == "col" else 2)]
                     if spec.figure and not spec.verbatim else None),
        figure_box=geo0.get("figure_box"), sidebar_box=geo0.get("sidebar_box"))
    truth = {
        "width": w, "height": h, "dpi": spec.dpi, "skew_deg": spec.skew_deg,
        "affine": [[round(float(v), 6) for v in row] for row in m],
        "layout": layout,
        "degradations": {"skew_deg": spec.skew_deg, "noise_sigma": spec.noise, "blur_sigma": spec.blur,
                         "jpeg_quality": spec.jpeg, "illumination": spec.lighting,
                         "paper_tone": spec.paper,
                         "dark_border": {"edge": spec.border, "width_px": spec.border_px} if spec.border else None},
        "blocks": blocks,
    }
    if len(pages) > 1:
        truth["pages"] = per_page
    return truth


def write_truth(outdir, name: str, truth: dict) -> dict:
    """Write NAME.gt.txt, NAME.gt_body.txt and NAME.gt.json; returns the JSON written."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    truth = {"page_id": name, "image": f"{name}.png", **truth}
    (out / f"{name}.gt.txt").write_text(gt_text(truth["blocks"]), encoding="utf-8")
    (out / f"{name}.gt_body.txt").write_text(gt_text(truth["blocks"], True), encoding="utf-8")
    (out / f"{name}.gt.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
                                         encoding="utf-8")
    return truth


def write_page(outdir, name: str, img, truth: dict) -> Path:
    """Write NAME.png (8-bit grey) and the truth files."""
    write_truth(outdir, name, truth)
    path = Path(outdir) / f"{name}.png"
    img.convert("L").save(path, optimize=False, compress_level=6)
    return path
