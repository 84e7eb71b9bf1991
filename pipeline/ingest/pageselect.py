"""Page selections on the command line: `--pages STEM:3,5-7 --pages OTHER`.

A selection names output documents (the folder stem under OUT/) and, after a
colon, page numbers and ranges. A bare stem selects all of its pages.
Ranges are kept as ranges: `STEM:1-100000000000` costs two numbers, not a
set of a hundred billion.
"""
from __future__ import annotations

from dataclasses import dataclass, field


class SelectionError(ValueError):
    pass


@dataclass
class PageSelection:
    # doc stem -> inclusive page ranges, or None for every page of that document
    docs: dict[str, list[tuple[int, int]] | None] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.docs)

    def matches(self, doc: str, page_number: int) -> bool:
        if doc not in self.docs:
            return False
        ranges = self.docs[doc]
        return ranges is None or any(a <= page_number <= b for a, b in ranges)

    def missing(self, doc: str, have: set[int]) -> list[tuple[int, int]]:
        """The selected pages of `doc` not in `have`, as merged ranges (empty
        when the whole document is selected: there is nothing to miss)."""
        gaps: list[tuple[int, int]] = []
        for a, b in self.docs.get(doc) or []:
            start = a
            for n in sorted(x for x in have if a <= x <= b):
                if start < n:
                    gaps.append((start, n - 1))
                start = n + 1
            if start <= b:
                gaps.append((start, b))
        merged: list[tuple[int, int]] = []
        for lo, hi in sorted(gaps):
            if merged and lo <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
            else:
                merged.append((lo, hi))
        return merged


def _numbers(text: str, spec: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        lo, sep, hi = part.partition("-")
        try:
            a = int(lo)
            b = int(hi) if sep else a
        except ValueError:
            raise SelectionError(f"bad page list in {spec!r}: {part!r} is not a number or range") from None
        if a < 1 or b < a:
            raise SelectionError(f"bad page range in {spec!r}: {part!r}")
        out.append((a, b))
    if not out:
        raise SelectionError(f"no page numbers after the colon in {spec!r}")
    return out


def parse_pages(specs: list[str] | tuple[str, ...]) -> PageSelection:
    """Parse `STEM`, `STEM:3`, `STEM:1,4-6`; the last colon separates, so stems
    may themselves contain colons."""
    sel = PageSelection()
    for spec in specs:
        stem, sep, nums = spec.rpartition(":")
        if not sep:
            stem, nums = spec, ""
        if not stem:
            raise SelectionError(f"missing document name in {spec!r} (use STEM:PAGES)")
        if not nums:
            sel.docs[stem] = None
            continue
        pages = _numbers(nums, spec)
        prev = sel.docs.get(stem, [])
        sel.docs[stem] = None if prev is None and stem in sel.docs else (prev or []) + pages
    return sel
