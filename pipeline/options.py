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

    LAYOUTS = ("auto", "geometric", "learned")

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
