"""QA overlay content: outlines in the kind colours where the blocks are,
reading-order numbers and arrows, gutters, red shading on low-confidence
lines, and the legend. Pages are built by hand, so every position is known."""
import time

import cv2
import numpy as np
import pytest

from pipeline.model import BBox, Block, Line, Page
from pipeline.outputs.overlay import (ARROW_COLOUR, GUTTER_COLOUR, KIND_COLOURS, LOW_CONF, draw_overlay,
                              gutters, low_conf_lines)


def _line(x0, y0, x1, y1, conf, text="测试文字"):
    return Line(BBox(x0, y0, x1, y1), text, conf)


def two_column_page() -> tuple[Page, np.ndarray]:
    """2400 x 3000 page (overlay scale 1/2):

        +------------- title (0) --------------+
        | body (1)  |gutter| body (2)           |
        |  low-conf line at y 1000..1060        |
        |           |      | figure (3)         |
        +------------- footer (4) --------------+
    """
    W, H = 2400, 3000
    gray = np.full((H, W), 245, np.uint8)
    body_lines = [_line(200, y, 1100, y + 60, 90) for y in range(600, 2600, 100)]
    body_lines[4] = _line(200, 1000, 1100, 1060, 30)  # the one low-confidence line
    stripes = (np.arange(W) // 6) % 2 == 0
    for ln in body_lines:  # something text-like under the lines: 6 px bars, 6 px apart
        rows = gray[ln.bbox.y0 + 10: ln.bbox.y1 - 10, ln.bbox.x0: ln.bbox.x1]
        rows[:, stripes[ln.bbox.x0: ln.bbox.x1]] = 40
    blocks = [
        Block(0, "title", BBox(200, 200, 2200, 400), span=(0, 2), order=0,
              lines=[_line(200, 200, 2200, 400, 95)]),
        Block(1, "body", BBox(200, 600, 1100, 2600), span=(0, 1), order=1, lines=body_lines),
        Block(2, "body", BBox(1300, 600, 2200, 1500), span=(1, 2), order=2,
              lines=[_line(1300, y, 2200, y + 60, 92) for y in range(600, 1500, 100)]),
        Block(3, "figure", BBox(1300, 1700, 2200, 2600), span=(1, 2), order=3),
        Block(4, "footer", BBox(1100, 2800, 1300, 2860), span=(1, 2), order=4,
              lines=[_line(1100, 2800, 1300, 2860, 88, "12")]),
    ]
    page = Page("x.png", 1, W, H, columns=[(200, 1200), (1200, 2200)], blocks=blocks)
    return page, gray


def near(img, colour, tol=30):
    return np.all(np.abs(img.astype(int) - np.array(colour)) <= tol, axis=-1)


def ring(img, b: BBox, s=0.5, width=2):
    """Pixels on the block outline (scaled), a couple of pixels either side."""
    x0, y0, x1, y1 = (int(round(v * s)) for v in (b.x0, b.y0, b.x1, b.y1))
    parts = [img[y0 - width: y0 + width + 1, x0: x1], img[y1 - width - 1: y1 + width, x0: x1],
             img[y0: y1, x0 - width: x0 + width + 1], img[y0: y1, x1 - width - 1: x1 + width]]
    return parts


@pytest.fixture(scope="module")
def drawn():
    page, gray = two_column_page()
    return page, draw_overlay(page, gray)


def test_size_is_the_page_scaled_to_1200_wide(drawn):
    page, img = drawn
    assert img.shape == (1500, 1200, 3) and img.dtype == np.uint8


def test_each_block_outlined_in_its_kind_colour(drawn):
    page, img = drawn
    for b in page.blocks:
        parts = ring(img, b.bbox)
        # each side of the outline, not just somewhere: a side may be partly
        # hidden under an arrow or a number, never mostly
        for side in parts:
            hit = near(side, KIND_COLOURS[b.kind]).any(axis=0 if side.shape[0] < side.shape[1] else 1)
            assert hit.mean() > 0.7, (b.kind, hit.mean())
    # and the colours are where the blocks are, not elsewhere: body green is
    # absent from the empty band between title and columns
    assert not near(img[210:290, 150:1050], KIND_COLOURS["body"]).any()


def test_low_confidence_line_shaded_red_and_others_not(drawn):
    page, img = drawn
    assert [ln.conf for ln in low_conf_lines(page)] == [30]

    def redness(b: BBox):
        patch = img[b.y0 // 2 + 3: b.y1 // 2 - 3, b.x0 // 2 + 40: b.x1 // 2 - 10].astype(int)
        return float((patch[..., 2] - patch[..., 1]).mean())

    low = page.blocks[1].lines[4].bbox
    ok = page.blocks[1].lines[6].bbox
    assert redness(low) > 60
    assert abs(redness(ok)) < 10


def test_gutter_band_between_the_columns(drawn):
    page, img = drawn
    assert gutters(page) == [(1100, 1300)]
    band = img[400:1200, 560:640].astype(int)  # inside the gutter, at half scale
    blue = (band[..., 0] - band[..., 2]).mean()
    assert blue > 25, blue
    # outside the columns' rows (above the title's bottom) there is no band
    above = img[20:90, 560:640].astype(int)
    assert abs((above[..., 0] - above[..., 2]).mean()) < 5


def test_reading_order_numbers_and_arrows(drawn):
    page, img = drawn
    # a filled number tag in the kind colour with white digits at each block's
    # top-left: in the margin left of it where that is free (title, left
    # column, footer), else on its corner (right column, figure)
    tags = {}
    for b in page.blocks:
        x, y = b.bbox.x0 // 2, b.bbox.y0 // 2
        win = img[y - 20: y + 45, x - 50: x + 45]
        n, lab, stats, _ = cv2.connectedComponentsWithStats(near(win, KIND_COLOURS[b.kind]).astype(np.uint8))
        # the tag: the component whose box is small and mostly filled (not an outline)
        cand = [i for i in range(1, n) if stats[i, 2] < 45 and stats[i, 3] < 45
                and stats[i, 4] > 0.5 * stats[i, 2] * stats[i, 3] and stats[i, 4] > 150]
        assert len(cand) == 1, b.kind
        tx, ty, tw, th, _ = stats[cand[0]]
        tag = win[ty: ty + th, tx: tx + tw]
        assert near(tag, (255, 255, 255), 40).sum() > 15, b.kind  # the digits
        tags[b.id] = BBox(x - 50 + tx, y - 20 + ty, x - 50 + tx + tw, y - 20 + ty + th)
    assert tags[0].x1 <= 100 and tags[1].x1 <= 100  # title, left column: in the left margin
    assert 550 < tags[2].x0 and tags[2].x1 <= 650  # right column: in the (wide) gutter
    assert tags[4].x1 <= 550  # footer: beside it, to the left
    for i, tag in tags.items():  # no tag covers another block
        for b in page.blocks:
            if b.id != i:
                s = BBox(*(v // 2 for v in b.bbox.to_list()))
                assert not (tag.x_overlap(s) and tag.y_overlap(s)), (i, b.id)
    # arrows run from each block's centre to the next one's
    blocks = page.ordered_blocks()
    for a, b in zip(blocks, blocks[1:]):
        p = np.array([a.bbox.cx, a.bbox.cy]) / 2
        q = np.array([b.bbox.cx, b.bbox.cy]) / 2
        pts = [p + t * (q - p) for t in np.linspace(0.2, 0.8, 13)]
        dark = [near(img[int(y) - 1: int(y) + 2, int(x) - 1: int(x) + 2], ARROW_COLOUR, 40).any()
                for x, y in pts]
        assert np.mean(dark) > 0.8, (a.id, b.id)


def test_legend_names_every_colour(drawn):
    page, img = drawn
    # the caption and sidebar colours are on no block of this page: only the
    # legend holds them, one small box in the corner that hides the least of
    # the blocks (here bottom-right: the title spans the top)
    ys, xs = np.nonzero(near(img, KIND_COLOURS["caption"], 20) | near(img, KIND_COLOURS["sidebar"], 20))
    assert len(ys) > 40
    assert ys.min() > 1200 and xs.min() > 900
    legend = img[1200:, 900:]
    for colour in [KIND_COLOURS[k] for k in ("title", "heading", "body", "figure", "footer")] + \
            [GUTTER_COLOUR]:
        assert near(legend, colour, 10).sum() > 20, colour
    # its labels are dark text on white
    assert near(legend, (30, 30, 30), 40).sum() > 200


def test_page_is_faded_but_visible(drawn):
    page, img = drawn
    ink = img[600 // 2 + 8: 660 // 2 - 8, 500 // 2: 1000 // 2]
    assert 80 < ink.min() < 160  # text at 40 is lightened, not erased


def test_small_page_is_not_enlarged_and_empty_page_works():
    page = Page("x.png", 1, 600, 800)
    img = draw_overlay(page, np.full((800, 600), 255, np.uint8))
    assert img.shape == (800, 600, 3)
    page.columns = [(10, 300), (300, 590)]  # columns but no blocks: a bare boundary
    assert draw_overlay(page, np.full((800, 600), 255, np.uint8)).shape == (800, 600, 3)


def test_fast_on_a_full_size_page():
    page, _ = two_column_page()
    gray = np.random.default_rng(0).integers(0, 255, (3508, 2480), dtype=np.uint8)
    page.width, page.height = 2480, 3508
    t = time.perf_counter()
    draw_overlay(page, gray)
    assert time.perf_counter() - t < 0.5


def test_threshold_is_strict():
    page, _ = two_column_page()
    page.blocks[2].lines[0].conf = LOW_CONF
    page.blocks[2].lines[1].text = ""  # no text, no confidence: not shaded
    page.blocks[2].lines[1].conf = 0
    assert len(low_conf_lines(page)) == 1
