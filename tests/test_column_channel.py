"""Lines never cross a narrow gutter, even where the gutter was not found
walled (pipeline.layout.lines.channel and lines_from_segments)."""
import numpy as np

from pipeline.layout.lines import channel, lines_from_segments
from pipeline.model import BBox

CH = 40.0


def _runs(rows):
    return np.array(rows, dtype=np.int64).reshape(-1, 4)


def test_two_columns_twenty_pixels_apart_stay_two_lines():
    """
    |left column line....|  |right column line...|   a 20 px gutter, less than the
                         ^ separator at x=490        white after a comma
    """
    segs = _runs([(100, 500, 480, 540), (500, 500, 880, 540)])
    joined = lines_from_segments(segs, [], CH, [490.0])
    assert len(joined) == 1                       # no gutter piece here: one line
    split = lines_from_segments(segs, [], CH, [490.0], [(490.0, 0, 1000, 20)])
    assert sorted((b.x0, b.x1) for b in split) == [(100, 480), (500, 880)]


def test_a_caption_centred_over_two_columns_stays_one_line():
    """A caption's 8 px gap between two characters at the separator is no
    20 px gutter."""
    segs = _runs([(380, 500, 482, 530), (490, 500, 600, 530)])
    assert len(lines_from_segments(segs, [], CH, [486.0], [(486.0, 0, 1000, 20)])) == 1


def test_a_title_over_the_columns_still_joins():
    """A 100 px title with a gap at the separator is one line."""
    segs = _runs([(100, 200, 470, 300), (510, 200, 880, 300)])
    assert len(lines_from_segments(segs, [], CH, [490.0], [(490.0, 0, 1000, 20)])) == 1


def test_channel_runs_along_the_text_and_stops_at_a_crossing_title_and_a_far_foot():
    """
    ===== title crossing x=490 =====        y 100-200   (stops the channel going up)
    |line|   |line|                          y 300-340
    |line|  ||line|   <- gutter piece        y 360-800
    |line|   |line|                          y 820-860   (the channel runs on)
                                             white
    foot  foot                               y 1300      (too far: not the channel)
    """
    segs = _runs([(100, 100, 880, 200), (100, 300, 480, 340), (500, 300, 880, 340),
                  (100, 820, 480, 860), (500, 820, 880, 860), (300, 1300, 480, 1330),
                  (500, 1300, 700, 1330)])
    x, top, bottom, width = channel(490.0, [BBox(480, 360, 500, 800)], segs, CH)
    assert x == 490.0 and top == 300 and bottom == 860 and width == 20


def test_lined_up_gaps_between_letter_spaced_characters_are_no_separator():
    """
    字 字 字 字     8 px of white between grid-set characters lines up down the
    字 字 字 字     column for its whole height: no column boundary there, while
    字 字|字 字     a 14 px gutter (0.05 inch at 300 dpi) and a ruled one are
    """
    from pipeline.layout.lines import separators
    ch, page_h = 28.0, 3500
    gaps = [BBox(314, 300, 322, 1500), BBox(316, 1600, 324, 2900)]
    seps, kept = separators(gaps, ch, page_h, min_width=min(0.35 * ch, 12))
    assert seps == [] and kept == []
    gutter = [BBox(1558, 300, 1572, 2900)]
    seps, kept = separators(gutter, ch, page_h, min_width=min(0.35 * ch, 12))
    assert [round(x) for x, _ in seps] == [1565] and kept == gutter
    rule = [BBox(900, 300, 904, 2900)]
    seps, _ = separators([], ch, page_h, rule, min_width=min(0.35 * ch, 12))
    assert [round(x) for x, _ in seps] == [902]
