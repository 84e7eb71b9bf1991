"""Page selections on the command line: `--pages STEM:3,5-7 --pages OTHER`.

A selection names output documents (the folder stem under OUT/) and, after a
colon, page numbers and ranges. A bare stem selects all of its pages.
"""
from __future__ import annotations

from dataclasses import dataclass, field


class SelectionError(ValueError):
    pass


@dataclass
class PageSelection:
    # doc stem -> page numbers, or None for every page of that document
    docs: dict[str, set[int] | None] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.docs)

    def matches(self, doc: str, page_number: int) -> bool:
        if doc not in self.docs:
            return False
        pages = self.docs[doc]
        return pages is None or page_number in pages


def _numbers(text: str, spec: str) -> set[int]:
    out: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        lo, sep, hi = part.partition("-")
        try:
            a = int(lo)
            b = int(hi) if sep else a
        except ValueError:
            raise SelectionError(f"bad page list in {spec!r}: {part!r} is not a number or range") from None
        if a < 1 or b < a:
            raise SelectionError(f"bad page range in {spec!r}: {part!r}")
        out.update(range(a, b + 1))
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
        prev = sel.docs.get(stem, set())
        sel.docs[stem] = None if prev is None and stem in sel.docs else (prev or set()) | pages
    return sel
