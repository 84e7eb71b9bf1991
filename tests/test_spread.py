"""Two-page spreads: found, split left then right, each half's coordinates
mapped back to the whole scan; single pages (portrait or landscape) left whole."""
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from pipeline.convert import convert_source, layout_source
from pipeline.evaluate.layout import score_layout
from pipeline.ingest.files import SourcePage
from pipeline.model import BBox, Line, Word
from pipeline.options import Options
from pipeline.image.spread import compose, find_fold, split_spread
from pipeline.synth.families import family_spec
from pipeline.synth.pages import render_page


@lru_cache(maxsize=None)
def _render(spec):
    img, truth = render_page(spec)
    return np.asarray(img), truth


def _spread(**kw):
    return replace(family_spec("spread", 0), **kw)


@pytest.mark.parametrize("kw", [{}, dict(skew_deg=2.5, border="left", border_px=60),
                                dict(skew_deg=-2.9, border="top", border_px=60)],
                         ids=["plain", "skew-left-border", "skew-top-border"])
def test_fold_is_found_between_the_pages(kw):
    arr, truth = _render(_spread(**kw))
    cut = find_fold(arr, dpi=300)
    assert cut is not None
    # the cut runs between the last text of the left page and the first of the right one
    left = max(b["bbox"][2] for b in truth["pages"][0]["blocks"])
    right = min(b["bbox"][0] for b in truth["pages"][1]["blocks"])
    halves = split_spread(arr, dpi=300)
    assert [h.part for h in halves] == ["L", "R"]
    x_scan = [h.to_scan @ [0, h.image.shape[0] / 2, 1] for h in halves]
    assert x_scan[1][0] > left - 40 and x_scan[1][0] < right + 40


@pytest.mark.parametrize("family,mm", [("4col", (297.0, 210.0)), ("2col", (297.0, 210.0)),
                                       ("3col-narrow", (210.0, 297.0))])
def test_single_pages_are_not_split(family, mm):
    spec = replace(family_spec(family, 1), page_mm=mm, title_span=1 if family == "2col" else 0)
    arr, _ = _render(spec)
    assert find_fold(arr, dpi=300) is None
    assert split_spread(arr, dpi=300) is None


def test_half_to_scan_maps_pixels_back():
    arr, _ = _render(_spread(skew_deg=1.5))
    for h in split_spread(arr, dpi=300):
        # sample pixels of the half and read them back from the scan through the affine
        ys, xs = np.mgrid[200:h.image.shape[0] - 200:97, 200:h.image.shape[1] - 200:89]
        pts = np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)], axis=1) @ h.to_scan.T
        inside = (pts[:, 0] >= 0) & (pts[:, 0] < arr.shape[1] - 1) & (pts[:, 1] >= 0) & (pts[:, 1] < arr.shape[0] - 1)
        got = arr[np.round(pts[inside, 1]).astype(int), np.round(pts[inside, 0]).astype(int)].astype(int)
        want = h.image[ys.ravel()[inside], xs.ravel()[inside]].astype(int)
        assert np.median(np.abs(got - want)) <= 12


def test_compose_is_outer_after_inner():
    a = np.array([[1.0, 0, 10], [0, 1.0, 5]])
    b = np.array([[0.0, -1, 0], [1, 0.0, 0]])
    p = np.array([3.0, 7.0, 1.0])
    inner = b @ p
    assert np.allclose(compose(a, b) @ p, a @ [*inner, 1.0])


def test_spread_layout_reads_left_page_then_right_page():
    arr, truth = _render(_spread(skew_deg=0.8))
    pages = [p.page for p in layout_source(SourcePage(Path("spread.png"), 1, arr, 300), Options())]
    assert [p.part for p in pages] == ["L", "R"]
    s = score_layout("spread", pages, truth)
    assert s.split_ok and s.columns_ok
    assert s.order == 1.0 and s.merged == 0


class KindEngine:
    """Fake OCR: every block reads as its kind, so page text shows what went where."""
    name = "kind"

    def check(self):
        pass

    def recognize(self, crop, kind, n_lines):
        box = BBox(0, 0, crop.shape[1], crop.shape[0])
        return [Line(box, kind, 90.0, [Word(box, kind, 90.0)])]


def test_convert_source_gives_two_pages_mapped_to_the_scan():
    arr, truth = _render(_spread(skew_deg=-1.2))
    pimgs = convert_source(SourcePage(Path("spread.png"), 1, arr, 300), Options(), KindEngine())
    assert [p.page.part for p in pimgs] == ["L", "R"]
    for pimg, tp in zip(pimgs, truth["pages"]):
        page = pimg.page
        m = np.asarray(page.transform)
        # every ground-truth block of this page lies where this page's blocks map to
        boxes = [b.bbox for b in page.blocks if b.kind == "body"]
        corners = np.array([[bb.x0, bb.y0, 1] for bb in boxes] + [[bb.x1, bb.y1, 1] for bb in boxes]) @ m.T
        gx0 = min(b["bbox"][0] for b in tp["blocks"])
        gx1 = max(b["bbox"][2] for b in tp["blocks"])
        assert corners[:, 0].min() >= gx0 - 30 and corners[:, 0].max() <= gx1 + 30
        for kind in ("header", "footer"):   # each page keeps its own running heads
            want = sum(b["kind"] == kind for b in tp["blocks"])
            assert sum(b.kind == kind for b in page.blocks) == want
