"""Text on dark panels and lines beside full-bleed pictures: geometry met on a
real magazine page (white text on a dark page, a photo bled to the foot)."""
from __future__ import annotations

import numpy as np

from pipeline.image.panels import TextPart, _join_stacked, read_panel
from pipeline.layout.lines import TextLine
from pipeline.layout.pixel_kinds import block_kind
from pipeline.model import BBox

GROUND, INK = 35, 225


def _glyph(img, x, y, s, broken=0):
    """A hollow square glyph ``s`` px high; ``broken`` 1 or 2: in two
    stacked pieces of unequal height (short over tall, or tall over short),
    as 星 is 日 over 生 where a scan breaks it."""
    cuts = {0: [(0, s)], 1: [(0, s // 3), (s // 3 + 2, s)], 2: [(0, 2 * s // 3), (2 * s // 3 + 2, s)]}
    for a, b in cuts[broken]:
        img[y + a:y + b, x:x + s - 2] = INK
        if b - a > 8:
            img[y + a + 3:y + b - 3, x + 3:x + s - 5] = GROUND


def _panel_page(broken_line: int | None):
    """White text on a dark ground, 9 lines of 16 glyphs; one line's glyphs in pieces.

        +--------------------------+
        |  ############## line 0   |
        |  ##############          |
        |  # # # # # # #   <- broken_line: glyphs in two stacked pieces
        |  ##############          |
        +--------------------------+
    """
    s, pitch = 26, 40
    img = np.full((60 + 9 * pitch + 60, 700), GROUND, np.uint8)
    for i in range(9):
        for j in range(16):
            _glyph(img, 60 + j * (s + 6), 60 + i * pitch, s, 1 + j % 2 if i == broken_line else 0)
    grain = np.random.default_rng(5).normal(0, 6, img.shape)
    img = np.clip(img + grain, 0, 255).astype(np.uint8)
    return img, BBox(0, 0, img.shape[1], img.shape[0]), (60, 60 + 9 * pitch - (pitch - s))


def test_a_line_of_broken_glyphs_does_not_split_the_panels_text():
    img, box, (top, bottom) = _panel_page(broken_line=4)
    parts = read_panel(img, box).parts
    assert len(parts) == 1, parts
    assert parts[0].on_dark
    assert parts[0].bbox.y0 <= top and parts[0].bbox.y1 >= bottom, (parts[0].bbox, top, bottom)


def test_stacked_parts_join_only_when_close_aligned_and_alike():
    r = 20.0
    a = TextPart(BBox(100, 100, 500, 400), True)
    near = TextPart(BBox(100, 430, 500, 600), True)          # 1.5 rows below
    far = TextPart(BBox(100, 700, 500, 800), True)           # 5 rows below
    beside = TextPart(BBox(600, 430, 900, 600), True)        # no x overlap
    light = TextPart(BBox(100, 430, 500, 600), False)        # dark text in a light box
    assert [p.bbox for p in _join_stacked([a, near], r)] == [BBox(100, 100, 500, 600)]
    assert len(_join_stacked([a, far], r)) == 2
    assert len(_join_stacked([a, beside], r)) == 2
    assert len(_join_stacked([a, light], r)) == 2


def _kind(line: BBox, others: list[BBox], figures: list[BBox], page_h=2000):
    return block_kind([TextLine(line, 0.2)], line, 30.0, 0.2, figures, [line] + others, page_h, 0, 30.0)


def test_a_folio_beside_a_picture_bled_to_the_foot_is_the_running_foot():
    """
        +----------+  +--------+
        |  photo   |  |  text  |
        |  bled    |  +--------+
        |  to the  |
        |  foot    |      [115]   <- folio: below all text, beside the photo
        +----------+
    """
    photo, body, folio = BBox(0, 50, 700, 1990), BBox(740, 100, 1300, 1500), BBox(1180, 1930, 1240, 1950)
    assert _kind(folio, [photo, body], [photo]) == "footer"
    # under a picture it spans, a line is the picture's, not the page's foot
    low_photo = BBox(1000, 50, 1300, 1990)
    assert _kind(folio, [low_photo, body], [low_photo]) != "footer"
    # beside text that runs as low, it is that text's last line
    low_text = BBox(740, 100, 1100, 1960)
    assert _kind(folio, [photo, low_text], [photo]) != "footer"
