"""The one data model of the whole flow: page, block, line, word.

Coordinates: integer pixels, origin at the top-left corner of the page image
*after* deskew, x to the right, y down, boxes half-open ``[x0, x1) x [y0, y1)``.
``Page.transform`` maps these coordinates back to the original scan.
Every class round-trips through ``to_dict``/``from_dict`` (plain JSON types).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from .kinds import (ASIDE_KINDS, BLOCK_KINDS, DIRECTIONS, HEADING_KINDS, MAIN_KINDS, PICTURE_KINDS,
                    PROSE_KINDS, RUNNING_KINDS, TEXT_KINDS, BlockKind, Direction)


class Flag(str):
    """A note a stage raised on a page: a ``code`` (what happened, e.g.
    "layout-fallback"; the codes that doubt the text are in
    ``text.plausibility.DOUBT_CODES``) and a free ``detail``.

    A flag *is* its serialised form, "code: detail" (or "code" alone), the
    string written to the page's JSON and the manifest: stages build it from
    its parts and readers take ``.code``/``.detail`` instead of parsing, while
    everything that stores, joins or prints flags keeps working on strings."""

    def __new__(cls, code: str, detail: object = "") -> "Flag":
        detail = str(detail)
        return super().__new__(cls, f"{code}: {detail}" if detail else code)

    @classmethod
    def parse(cls, s: str) -> "Flag":
        """The flag written as ``s`` (a flag as read back from JSON)."""
        code, _, detail = s.partition(":")
        return cls(code.strip(), detail.strip())

    @property
    def code(self) -> str:
        return self.partition(":")[0].strip()

    @property
    def detail(self) -> str:
        return self.partition(":")[2].strip()

    def __getnewargs__(self) -> tuple[str, str]:
        # pickled across processes (worker -> runner) by its parts
        return self.code, self.detail


@dataclass(frozen=True)
class BBox:
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def area(self) -> int:
        return max(0, self.width) * max(0, self.height)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def union(self, other: "BBox") -> "BBox":
        return BBox(min(self.x0, other.x0), min(self.y0, other.y0),
                    max(self.x1, other.x1), max(self.y1, other.y1))

    def shift(self, dx: int, dy: int) -> "BBox":
        return BBox(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)

    def intersection(self, other: "BBox") -> "BBox":
        """The part both boxes cover; with no positive width or height (and
        no area) when they do not meet."""
        return BBox(max(self.x0, other.x0), max(self.y0, other.y0),
                    min(self.x1, other.x1), min(self.y1, other.y1))

    def contains(self, other: "BBox", slack: float = 0) -> bool:
        """``other`` lies within this box grown by ``slack`` on every side."""
        return (self.x0 - slack <= other.x0 and other.x1 <= self.x1 + slack
                and self.y0 - slack <= other.y0 and other.y1 <= self.y1 + slack)

    def overlap_area(self, other: "BBox") -> int:
        return self.x_overlap(other) * self.y_overlap(other)

    def x_overlap(self, other: "BBox") -> int:
        return max(0, min(self.x1, other.x1) - max(self.x0, other.x0))

    def y_overlap(self, other: "BBox") -> int:
        return max(0, min(self.y1, other.y1) - max(self.y0, other.y0))

    def to_list(self) -> list[int]:
        return [self.x0, self.y0, self.x1, self.y1]

    @classmethod
    def from_list(cls, v) -> "BBox":
        x0, y0, x1, y1 = (int(round(float(c))) for c in v)
        return cls(x0, y0, x1, y1)

    @classmethod
    def enclosing(cls, boxes) -> "BBox":
        boxes = list(boxes)
        if not boxes:
            raise ValueError("no boxes to enclose")
        out = boxes[0]
        for b in boxes[1:]:
            out = out.union(b)
        return out


@dataclass
class Word:
    bbox: BBox
    text: str
    conf: float  # 0..100, as Tesseract reports it

    def to_dict(self) -> dict:
        return {"bbox": self.bbox.to_list(), "text": self.text, "conf": round(self.conf, 2)}

    @classmethod
    def from_dict(cls, d: dict) -> "Word":
        return cls(BBox.from_list(d["bbox"]), d["text"], float(d["conf"]))


@dataclass
class Line:
    bbox: BBox
    text: str = ""
    conf: float = 0.0
    words: list[Word] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"bbox": self.bbox.to_list(), "text": self.text, "conf": round(self.conf, 2),
                "words": [w.to_dict() for w in self.words]}

    @classmethod
    def from_dict(cls, d: dict) -> "Line":
        return cls(BBox.from_list(d["bbox"]), d.get("text", ""), float(d.get("conf", 0.0)),
                   [Word.from_dict(w) for w in d.get("words", [])])


@dataclass
class Block:
    id: int
    kind: BlockKind
    bbox: BBox
    span: tuple[int, int] | None = None  # [first column, last column + 1)
    order: int = -1                     # reading-order index, set by the resolver
    lines: list[Line] = field(default_factory=list)
    text: str = ""                      # cleaned, paragraph-joined text of the block
    conf: float = 0.0
    # "ltr": horizontal lines read left to right, top to bottom; "ttb-rtl":
    # vertical columns read top to bottom, columns right to left (`lines` are
    # the columns, in reading order)
    direction: Direction = "ltr"

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {self.kind!r}")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"unknown text direction {self.direction!r}")

    @property
    def column(self) -> int | None:
        """The left-most column the block sits in (written to the JSON as
        "column" for its readers)."""
        return self.span[0] if self.span else None

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "bbox": self.bbox.to_list(),
                "column": self.column, "span": list(self.span) if self.span else None,
                "order": self.order, "conf": round(self.conf, 2), "text": self.text,
                "direction": self.direction, "lines": [ln.to_dict() for ln in self.lines]}

    @classmethod
    def from_dict(cls, d: dict) -> "Block":
        span = d.get("span")
        return cls(id=int(d["id"]), kind=d["kind"], bbox=BBox.from_list(d["bbox"]),
                   span=tuple(span) if span else None,
                   order=int(d.get("order", -1)),
                   lines=[Line.from_dict(x) for x in d.get("lines", [])],
                   text=d.get("text", ""), conf=float(d.get("conf", 0.0)),
                   direction=d.get("direction", "ltr"))


@dataclass
class TextBox:
    """One text line as an engine or a PDF gives it, before any layout (float
    page pixels, as given). ``atoms``: (box, text)
    of its characters or words when known, left to right; ``block``: the
    engine's own block (paragraph) the line came in, -1 when it gave none."""
    bbox: tuple[float, float, float, float]
    text: str
    atoms: list[tuple[tuple[float, float, float, float], str]] = field(default_factory=list)
    conf: float = 100.0
    block: int = -1

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]


@dataclass
class Page:
    """One page of one input document, from image to ordered text."""
    source: str                 # input file path as given
    page_number: int            # 1-based within the source document
    width: int
    height: int
    dpi: int = 300
    deskew_angle: float = 0.0   # degrees the scan was rotated by to straighten it
    # 2x3 affine from this page's pixel coordinates back to the original scan's
    transform: list[list[float]] = field(default_factory=lambda: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    columns: list[tuple[int, int]] = field(default_factory=list)  # x ranges of body columns
    blocks: list[Block] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)  # e.g. Flag("layout-fallback", why)
    engine: str = ""
    options: dict[str, Any] = field(default_factory=dict)       # the run options, as given
    # what the layout measured and decided (body size, gutters, the detector's
    # regions taken and dropped, the layout used), for reviewers and tests
    diagnostics: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    # "" for a whole scan; "L"/"R" for the halves of a two-page spread
    part: str = ""
    # degrees (0, 90, 180, 270) the scan was turned clockwise to stand upright
    # before anything else; the coordinates are those of the upright page
    orientation: int = 0
    # the page's main text direction: "ltr" or "ttb-rtl" (set in vertical columns)
    direction: Direction = "ltr"
    lang: str = ""              # the recognition language(s) the page was read with

    def ordered_blocks(self) -> list[Block]:
        return sorted(self.blocks, key=lambda b: (b.order, b.id))

    def text(self, keep_headers: bool | None = None) -> str:
        """The page's main text in reading order, one paragraph a line: what
        its page-NNNN.txt holds. Running heads and feet and footnotes are in
        it with ``keep_headers`` (None: as the run that made the page was
        asked, ``options["keep_headers"]``); tables and pictures never."""
        from .text.assemble import page_text   # the text stage reads the model only for types
        if keep_headers is None:
            keep_headers = bool(self.options.get("keep_headers", False))
        return page_text(self, keep_headers)

    @property
    def mean_conf(self) -> float:
        lines = [ln for b in self.blocks for ln in b.lines if ln.text]
        if not lines:
            return 0.0
        return sum(ln.conf for ln in lines) / len(lines)

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["columns"] = [list(c) for c in self.columns]
        d["blocks"] = [b.to_dict() for b in self.ordered_blocks()]
        d["flags"] = [str(f) for f in self.flags]
        d["deskew_angle"] = round(self.deskew_angle, 3)
        d["mean_conf"] = round(self.mean_conf, 2)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Page":
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        kw["columns"] = [tuple(c) for c in d.get("columns", [])]
        kw["blocks"] = [Block.from_dict(b) for b in d.get("blocks", [])]
        kw["flags"] = [Flag.parse(f) for f in d.get("flags", [])]
        return cls(**kw)


__all__ = ["BBox", "Word", "Line", "Block", "Page", "Flag", "TextBox", "BlockKind", "Direction", "BLOCK_KINDS",
           "TEXT_KINDS", "PICTURE_KINDS", "RUNNING_KINDS", "ASIDE_KINDS", "MAIN_KINDS", "HEADING_KINDS",
           "PROSE_KINDS", "DIRECTIONS"]
