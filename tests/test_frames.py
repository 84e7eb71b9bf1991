"""Sidebar frames from rule strokes (pipeline.layout.geometry.find_frames)."""
import numpy as np

from pipeline.layout.geometry import find_frames, rule_masks

CH = 30.0


def _page(strokes, h=1200, w=1600) -> np.ndarray:
    """Binary page (ink 255) with the given (x0, y0, x1, y1) strokes drawn."""
    b = np.zeros((h, w), np.uint8)
    for x0, y0, x1, y1 in strokes:
        b[y0:y1, x0:x1] = 255
    return b


def _frames(strokes):
    hor, ver = rule_masks(_page(strokes), CH)
    return find_frames(hor, ver, CH)


TOP, BOTTOM = (100, 600, 1400, 603), (100, 1000, 1400, 1003)
LEFT, RIGHT = (100, 600, 103, 1003), (1397, 600, 1400, 1003)


def test_four_sided_box():
    (f,) = _frames([TOP, BOTTOM, LEFT, RIGHT])
    assert abs(f.x0 - 100) <= 2 and abs(f.x1 - 1400) <= 2 and abs(f.y0 - 600) <= 2 and abs(f.y1 - 1003) <= 2


def test_box_with_one_side_lost_is_still_a_box():
    """
    +-----------------+     the right side binarised away (a light outline
    |                       in the scanner's shadow): top and bottom with the
    +-----------------+     same ends and one side are enough
    """
    (f,) = _frames([TOP, BOTTOM, LEFT])
    assert abs(f.x0 - 100) <= 2 and abs(f.x1 - 1400) <= 2


def test_rules_above_and_below_with_a_column_rule_between_are_no_box():
    """
    -------------------     a rule under the masthead, one over the footer,
            |               and a column rule between them: no side at an end
    -------------------
    """
    assert _frames([TOP, BOTTOM, (750, 600, 753, 1003)]) == []


def test_top_and_bottom_alone_are_no_box():
    assert _frames([TOP, BOTTOM]) == []


def test_a_column_rule_running_past_is_no_side():
    """
            |                 a column rule from the top of the page to the
    --------|--------         foot passes the ends of two rules: without a
            |                 side of their own they are no box
    --------|--------
            |
    """
    rule = (97, 100, 100, 1150)          # at the left ends, running far past them
    assert _frames([TOP, BOTTOM, rule]) == []
