"""Run options: one frozen dataclass, unknown keys rejected, fingerprinted."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields, replace


@dataclass(frozen=True)
class Options:
    dpi: int = 300                 # rasterisation resolution for PDF pages
    lang: str = "chi_sim"          # Tesseract language(s)
    engine: str = "tesseract"
    psm: int | None = None         # force a Tesseract page-segmentation mode per block
    columns: int | None = None     # force the number of body columns (None: detect)
    deskew: bool = True
    max_skew: float = 5.0          # degrees searched either way when deskewing
    keep_headers: bool = False     # running headers/footers in the main text
    ocr_timeout: float = 120.0     # seconds for one engine call
    max_pixels: int = 200_000_000  # refuse larger images (decompression bombs)
    text_layer: str = "auto"       # PDFs: use the text layer (auto|never|only)
    # regions from: the page's geometry alone; the learned detector's regions
    # (the geometry only cuts lines inside them); or both, the detector typing
    # what the geometry finds, with the best-measured fallback (auto)
    layout: str = "auto"
    orient: bool = True            # find and undo a scan turned by 90, 180 or 270 degrees

    LAYOUTS = ("auto", "geometric", "learned")

    def __post_init__(self) -> None:
        for problem in _problems(self):
            raise ValueError(problem)

    @classmethod
    def from_dict(cls, d: dict) -> "Options":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown option(s): {', '.join(unknown)}")
        return cls(**d)

    def to_dict(self) -> dict:
        return asdict(self)

    def with_(self, **changes) -> "Options":
        self.from_dict(changes)  # validates names
        return replace(self, **changes)

    def fingerprint(self) -> str:
        """Hash of everything that changes a page's result."""
        d = self.to_dict()
        d.pop("ocr_timeout", None)
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]


DPI_RANGE = (50, 2400)   # below, Tesseract reads nothing useful; above, no scanner
TEXT_LAYER = ("auto", "never", "only")


def _problems(o: Options):
    """Values that would run but give garbage or puzzling failures, as messages
    naming the command-line option."""
    def is_int(v) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    lo, hi = DPI_RANGE
    if not is_int(o.dpi) or not lo <= o.dpi <= hi:
        yield f"--dpi must be a whole number from {lo} to {hi} (got {o.dpi!r})"
    if o.psm is not None and (not is_int(o.psm) or not 0 <= o.psm <= 13):
        yield f"--psm must be a Tesseract page-segmentation mode, 0 to 13 (got {o.psm!r})"
    if o.columns is not None and (not is_int(o.columns) or o.columns < 1):
        yield f"--columns must be 1 or more (got {o.columns!r})"
    if not isinstance(o.lang, str) or not o.lang or any(c.isspace() for c in o.lang):
        yield f"--lang must name Tesseract models, e.g. chi_sim or chi_sim+eng (got {o.lang!r})"
    if not isinstance(o.engine, str) or not o.engine.strip():
        yield "--engine must not be empty"
    if o.text_layer not in TEXT_LAYER:
        yield f"--text-layer must be one of {', '.join(TEXT_LAYER)} (got {o.text_layer!r})"
    if o.layout not in Options.LAYOUTS:
        yield f"--layout must be one of {', '.join(Options.LAYOUTS)} (got {o.layout!r})"
    if not isinstance(o.max_skew, (int, float)) or not 0 <= o.max_skew <= 45:
        yield f"max_skew must be from 0 to 45 degrees (got {o.max_skew!r})"
    if not isinstance(o.ocr_timeout, (int, float)) or o.ocr_timeout <= 0:
        yield f"ocr_timeout must be positive (got {o.ocr_timeout!r})"
    if not is_int(o.max_pixels) or o.max_pixels <= 0:
        yield f"max_pixels must be positive (got {o.max_pixels!r})"


def split_lang(lang: str) -> tuple[str, str]:
    """``--lang`` as (models for horizontal text, Tesseract's vertical models):
    chi_tra_vert -> ("chi_tra", "chi_tra_vert"); chi_sim+eng -> ("chi_sim+eng", "")."""
    parts = lang.split("+")
    vert = [p for p in parts if p.endswith("_vert")]
    hor = [p[:-5] if p.endswith("_vert") else p for p in parts]
    return "+".join(dict.fromkeys(hor)), "+".join(vert)
