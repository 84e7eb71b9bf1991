"""A page whose layout cannot be made sense of still gets text, from the best
of its other layouts (never one band over the whole page), and says so in
its flags; sanity checks on layouts."""
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import pipeline.convert as convert
from pipeline.text.assemble import page_text
from pipeline.ingest.files import SourcePage
from pipeline.layout.check import check_layout
from pipeline.layout.fallback import FLAG_FALLBACK
from pipeline.model import BBox, Block, Line, Page, Word
from pipeline.options import Options
from pipeline.image.preprocess import PageImage
from pipeline.synth.families import family_spec
from pipeline.synth.pages import render_page


class KindEngine:
    name = "kind"

    def check(self):
        pass

    def recognize(self, crop, kind, n_lines):
        box = BBox(0, 0, crop.shape[1], crop.shape[0])
        return [Line(box, kind, 90.0, [Word(box, kind, 90.0)])]


@lru_cache(maxsize=None)
def _page():
    img, _ = render_page(replace(family_spec("3col-narrow", 0), skew_deg=0.0))
    return SourcePage(Path("p.png"), 1, np.asarray(img), 300)


def _text_width(page) -> int:
    text = [b for b in page.blocks if b.is_text]
    return max(b.bbox.x1 for b in text) - min(b.bbox.x0 for b in text)


def test_layout_error_falls_back_to_tesseracts_own_layout(monkeypatch):
    """The geometry crashed: the page gets Tesseract's own segmentation,
    ordered by our resolver, never one band over the whole page."""
    def broken(pimg, options, *args):
        raise RuntimeError("no idea")
    monkeypatch.setattr(convert, "analyse_layout", broken)
    page = convert.convert_page(_page(), Options(), KindEngine()).page
    flag = next(f for f in page.flags if f.startswith(FLAG_FALLBACK))
    assert "no idea" in flag and "used tesseract" in flag
    text = [b for b in page.blocks if b.is_text]
    assert len(text) >= 3 and all(b.lines for b in text)
    assert sorted(b.order for b in page.blocks) == list(range(len(page.blocks)))
    assert page_text(page).strip()


def test_nonsense_layout_is_mended_where_it_fails(monkeypatch):
    """The same text found twice (a block copied over another): the two are
    merged, the rest of the page keeps its columns."""
    real = convert.analyse_layout

    def twice(pimg, options, *args):
        pimg = real(pimg, options, *args)
        b = next(b for b in pimg.page.blocks if b.kind == "body")
        pimg.page.blocks.append(Block(id=999, kind="body", bbox=b.bbox, span=b.span,
                                      lines=list(b.lines)))
        return pimg
    monkeypatch.setattr(convert, "analyse_layout", twice)
    page = convert.convert_page(_page(), Options(), KindEngine()).page
    flag = next(f for f in page.flags if f.startswith(FLAG_FALLBACK))
    assert "share" in flag and "used mended (1 merge(s))" in flag
    body = [b for b in page.blocks if b.kind == "body"]
    # three columns, each body block inside one of them: nothing glued across a gutter
    assert len(body) >= 3 and all(b.bbox.width < _text_width(page) / 2 for b in body)
    assert page_text(page).strip()


def test_good_layout_has_no_flags():
    pimg = convert.analyse_page(_page(), Options())
    assert not [f for f in pimg.page.flags if "layout" in f]
    assert check_layout(pimg) == []


def _pimg(blocks, columns=((0, 500), (520, 1000)), glyphs=()):
    page = Page("x", 1, 1000, 1000, columns=list(columns), blocks=blocks)
    g = np.array(glyphs, float).reshape(-1, 2)
    pimg = PageImage(page, np.zeros((10, 10), np.uint8), np.zeros((10, 10), np.uint8), glyphs=g)
    # the gutters between the columns, as the geometry reports them: (x, top, bottom, width)
    pimg.geometry = SimpleNamespace(reach=[((a[1] + b[0]) / 2, 0, 1000, b[0] - a[1])
                                           for a, b in zip(columns, columns[1:])])
    return pimg


def _body(i, x0, y0, x1, y1, n=3, span=(0, 1)):
    h = (y1 - y0) // n
    return Block(i, "body", BBox(x0, y0, x1, y1), span=span,
                 lines=[Line(BBox(x0, y0 + k * h, x1, y0 + (k + 1) * h)) for k in range(n)])


def test_checks_name_the_problem():
    """
        +------+ +------+
        |  0   | |  1   |      a body block across the gutter (2) and glyphs
        |   +--+-+--+   |      outside every block are suspect, not nonsense
        +---|--2----|---+
            +-------+
    """
    blocks = [_body(0, 0, 0, 500, 300), _body(1, 520, 0, 1000, 300),
              _body(2, 300, 310, 700, 400, span=(0, 2))]
    problems = check_layout(_pimg(blocks, glyphs=[(100, 100), (600, 100), (350, 350), (900, 900)]))
    assert any("across a column gutter" in p for p in problems)
    assert any("lie in no block" in p for p in problems)
    assert not any(p.startswith("nonsense") for p in problems)


def test_no_columns_or_no_blocks_is_nonsense():
    assert check_layout(_pimg([_body(0, 0, 0, 500, 300)], columns=()))[0].startswith("nonsense")
    many = [(x, y) for x in range(0, 1000, 50) for y in range(0, 200, 50)]
    assert check_layout(_pimg([], glyphs=many))[0].startswith("nonsense")
    assert check_layout(_pimg([])) == []   # a blank page is fine
