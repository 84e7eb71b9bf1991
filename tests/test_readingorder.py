"""Reading-order resolver: tiny synthetic layouts + hypothesis properties.

Coordinates are pixels, y down.  Unless a test says otherwise the page is
1000 px wide; two columns are x 50-480 / 520-950, three columns are
x 50-330 / 360-640 / 670-950.
"""
from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.model import BBox, Block
from pipeline.readingorder import FLAG_CYCLE, OrderResult, ResolveOptions, resolve_order, x_overlaps
from pipeline.readingorder.partial import _toposort

C2 = [(50, 480), (520, 950)]
C3 = [(50, 330), (360, 640), (670, 950)]


def blk(i, kind, x0, y0, x1, y1, **kw) -> Block:
    return Block(id=i, kind=kind, bbox=BBox(x0, y0, x1, y1), **kw)


def col(i, kind, c, y0, y1, cols=C3, last=None, **kw) -> Block:
    """A block in column c (0-based) or spanning columns c..last."""
    last = c if last is None else last
    return blk(i, kind, cols[c][0], y0, cols[last][1], y1, **kw)


def order(blocks, options=None) -> list[int]:
    res = resolve_order(blocks, options)
    assert [b.order for b in res.blocks] == list(range(len(blocks)))
    return [b.id for b in res.blocks]


def check_all_inputs(blocks, expected):
    """Expected order for the given input, its reverse, and a few shuffles."""
    assert order(blocks) == expected
    assert order(blocks[::-1]) == expected
    rng = random.Random(7)
    for _ in range(5):
        shuffled = blocks[:]
        rng.shuffle(shuffled)
        assert order(shuffled) == expected


# ------------------------------------------------------------- layouts

def test_two_columns():
    """
        +--------+ +--------+
        | 1      | | 3      |
        +--------+ |        |
        +--------+ +--------+
        | 2      | +--------+
        |        | | 4      |
        +--------+ +--------+
    """
    blocks = [col(1, "body", 0, 100, 400, C2), col(2, "body", 0, 420, 1300, C2),
              col(3, "body", 1, 100, 600, C2), col(4, "body", 1, 620, 1300, C2)]
    check_all_inputs(blocks, [1, 2, 3, 4])


def test_three_columns():
    """
        +----+ +----+ +----+
        | 1  | | 3  | | 5  |
        +----+ |    | |    |
        +----+ +----+ +----+
        | 2  | +----+ +----+
        |    | | 4  | | 6  |
        +----+ +----+ +----+
    """
    blocks = [col(1, "body", 0, 100, 500), col(2, "body", 0, 520, 1300),
              col(3, "body", 1, 100, 700), col(4, "body", 1, 720, 1300),
              col(5, "body", 2, 100, 600), col(6, "body", 2, 620, 1300)]
    check_all_inputs(blocks, [1, 2, 3, 4, 5, 6])


def test_three_columns_shared_baselines_many_blocks():
    """Every column cut into the same eight rows (paragraphs on shared baselines):

        +-10-+ +-20-+ +-30-+
        +-11-+ +-21-+ +-31-+
          ..     ..     ..
        +-17-+ +-27-+ +-37-+
    """
    blocks = [col(10 * (c + 1) + r, "body", c, 100 + 150 * r, 230 + 150 * r)
              for c in range(3) for r in range(8)]
    expected = [10 * (c + 1) + r for c in range(3) for r in range(8)]
    check_all_inputs(blocks, expected)


def test_slightly_skewed_columns_touching_are_still_columns():
    """Columns whose boxes overlap by a few pixels (skew) are not one column:

        +--------+-+--------+      1 = x 50..485, 3 = x 480..950
        | 1      | | 3      |
        +--------+ |        |
        +--------+-+--------+
        | 2      | | 4      |
        +--------+ +--------+
    """
    blocks = [blk(1, "body", 50, 100, 485, 600), blk(2, "body", 52, 620, 487, 1300),
              blk(3, "body", 480, 100, 950, 700), blk(4, "body", 482, 720, 952, 1300)]
    check_all_inputs(blocks, [1, 2, 3, 4])


def test_title_over_all_columns():
    """
        +--------------------+
        | 0 title            |
        +--------------------+
        +----+ +----+ +----+
        | 1  | | 2  | | 3  |
        +----+ +----+ +----+
    """
    blocks = [col(0, "title", 0, 80, 200, last=2), col(1, "body", 0, 240, 1300),
              col(2, "body", 1, 240, 1300), col(3, "body", 2, 240, 1300)]
    check_all_inputs(blocks, [0, 1, 2, 3])


def test_title_over_two_of_three_columns_third_from_top():
    """Column 3 starts at the top of the page beside the title:

        +-------------+ +----+
        | 0 title     | | 5  |
        +-------------+ |    |
        +----+ +----+   |    |
        | 1  | | 3  |   |    |
        +----+ +----+   |    |
        +----+ +----+   |    |
        | 2  | | 4  |   |    |
        +----+ +----+   +----+
    """
    blocks = [col(0, "title", 0, 80, 250, last=1),
              col(1, "body", 0, 280, 700), col(2, "body", 0, 720, 1300),
              col(3, "body", 1, 280, 800), col(4, "body", 1, 820, 1300),
              col(5, "body", 2, 80, 1300)]
    check_all_inputs(blocks, [0, 1, 2, 3, 4, 5])


def test_spanning_title_mid_page_splits_into_rows():
    """A second story's title across both columns: stories read one after the other.

        +--------+ +--------+
        | 1      | | 2      |
        +--------+ +--------+
        +-------------------+
        | 3 title           |
        +-------------------+
        +--------+ +--------+
        | 4      | | 5      |
        +--------+ +--------+
    """
    blocks = [col(1, "body", 0, 100, 600, C2), col(2, "body", 1, 100, 600, C2),
              col(3, "title", 0, 640, 760, C2, last=1),
              col(4, "body", 0, 800, 1300, C2), col(5, "body", 1, 800, 1300, C2)]
    check_all_inputs(blocks, [1, 2, 3, 4, 5])


def test_figure_inside_a_column_with_caption():
    """
        +--------+ +--------+
        | 1      | | 5      |
        +--------+ |        |
        +--------+ |        |
        | 2 fig  | |        |
        +--------+ |        |
        +--------+ |        |
        | 3 cap  | |        |
        +--------+ |        |
        +--------+ |        |
        | 4      | |        |
        +--------+ +--------+
    """
    blocks = [col(1, "body", 0, 100, 400, C2), col(2, "figure", 0, 420, 800, C2),
              col(3, "caption", 0, 810, 860, C2), col(4, "body", 0, 880, 1300, C2),
              col(5, "body", 1, 100, 1300, C2)]
    check_all_inputs(blocks, [1, 2, 3, 4, 5])


def test_table_caption_above_the_table_text_below_it():
    """A table carries its caption above it; the paragraph right under it
    stays running text after the table, not its caption.
        +-------------------+
        | 1                 |
        +-------------------+
        +-----3 cap---------+
        +-------------------+
        | 2 table           |
        +-------------------+
        +-------------------+
        | 4 cap-like, below |
        +-------------------+
    """
    blocks = [blk(1, "body", 0, 0, 1000, 300), blk(2, "table", 0, 400, 1000, 900),
              blk(3, "caption", 300, 340, 700, 380), blk(4, "caption", 0, 920, 1000, 1000)]
    check_all_inputs(blocks, [1, 3, 2, 4])


def test_figure_across_two_of_three_columns_mid_page():
    """The figure must not split the article into two rows:

        +----+ +----+ +----+
        | 1  | | 3  | | 7  |
        +----+ +----+ |    |
        +-----------+ |    |
        | 5 figure  | |    |
        +-----------+ |    |
        +-----------+ |    |
        | 6 caption | |    |
        +-----------+ |    |
        +----+ +----+ |    |
        | 2  | | 4  | |    |
        +----+ +----+ +----+
    """
    blocks = [col(1, "body", 0, 100, 450), col(2, "body", 0, 900, 1300),
              col(3, "body", 1, 100, 450), col(4, "body", 1, 900, 1300),
              col(5, "figure", 0, 480, 800, last=1), col(6, "caption", 0, 820, 870, last=1),
              col(7, "body", 2, 100, 1300)]
    check_all_inputs(blocks, [1, 5, 6, 2, 3, 4, 7])


def test_figure_at_top_of_column_goes_before_first_block_below():
    """
        +--------+ +--------+
        | 1 fig  | | 4      |
        +--------+ |        |
        +--------+ |        |
        | 2 cap  | |        |
        +--------+ |        |
        +--------+ |        |
        | 3      | |        |
        +--------+ +--------+
    """
    blocks = [col(3, "body", 0, 600, 1300, C2), col(4, "body", 1, 100, 1300, C2),
              col(1, "figure", 0, 100, 500, C2), col(2, "caption", 0, 510, 560, C2)]
    check_all_inputs(blocks, [1, 2, 3, 4])


def test_figure_uses_column_info_when_present():
    """Figure 9 is wider than the middle column and pokes 30 px into column 0;
    the layout says it belongs to column 1 (0-based), so it goes after block 3.
    Geometry alone (use_columns=False) would put it into column 0's flow.

        +----+ +----+ +----+
        | 1  | | 3  | | 5  |
        +----+ +----+ |    |
        +----+ +-9--+ |    |
        | 2  | +----+ |    |
        |    | | 4  | |    |
        +----+ +----+ +----+
    """
    blocks = [col(1, "body", 0, 100, 400, span=(0, 1)), col(2, "body", 0, 420, 1300, span=(0, 1)),
              col(3, "body", 1, 100, 400, span=(1, 2)), col(4, "body", 1, 720, 1300, span=(1, 2)),
              col(5, "body", 2, 100, 1300, span=(2, 3)),
              blk(9, "figure", 300, 420, 640, 700, span=(1, 2))]
    check_all_inputs(blocks, [1, 2, 3, 9, 4, 5])
    assert order(blocks, ResolveOptions(use_columns=False)) == [1, 9, 2, 3, 4, 5]


def test_caption_without_figure_is_main_flow():
    """
        +--------+ +--------+
        | 1      | | 3      |
        +--------+ +--------+
        +--------+
        | 2 cap  |
        +--------+
    """
    blocks = [col(1, "body", 0, 100, 600, C2), col(2, "caption", 0, 620, 660, C2),
              col(3, "body", 1, 100, 600, C2)]
    check_all_inputs(blocks, [1, 2, 3])


def test_header_and_footer():
    """
        +-1 hdr-+       +-2 hdr-+
        +--------+ +--------+
        | 3      | | 4      |
        +--------+ +--------+
        +-5 ftr-+       +-6 ftr-+
    """
    blocks = [blk(1, "header", 50, 30, 300, 60), blk(2, "header", 700, 34, 950, 58),
              col(3, "body", 0, 100, 1300, C2), col(4, "body", 1, 100, 1300, C2),
              blk(5, "footer", 50, 1340, 200, 1370), blk(6, "footer", 800, 1338, 950, 1372)]
    check_all_inputs(blocks, [1, 2, 3, 4, 5, 6])


def test_sidebar_at_bottom_across_columns():
    """The sidebar comes after the columns and before the footer:

        +----+ +----+ +----+
        | 1  | | 2  | | 3  |
        +----+ +----+ +----+
        +--------------------+
        | 4 sidebar          |
        +--------------------+
        +-5 ftr-+
    """
    blocks = [col(1, "body", 0, 100, 900), col(2, "body", 1, 100, 900),
              col(3, "body", 2, 100, 900), col(4, "sidebar", 0, 950, 1300, last=2),
              blk(5, "footer", 50, 1340, 200, 1370)]
    check_all_inputs(blocks, [1, 2, 3, 4, 5])


def test_sidebar_beside_text_and_figure_inside_sidebar():
    """Sidebars read after the main flow; a figure inside a sidebar follows it:

        +--------+ +--------+
        | 1      | | 3 side |
        +--------+ |+-4--+  |
        +--------+ |+----+  |
        | 2      | +--------+
        +--------+
    """
    blocks = [col(1, "body", 0, 100, 500, C2), col(2, "body", 0, 520, 1300, C2),
              col(3, "sidebar", 1, 100, 900, C2), blk(4, "figure", 560, 300, 900, 600)]
    check_all_inputs(blocks, [1, 2, 3, 4])


def test_side_heading_inside_a_column():
    """A heading set to the left of its paragraph inside column 1:

        +--------------+ +------+
        | 1            | | 5    |
        +--------------+ |      |
        +--+ +---------+ |      |
        |2 | | 3       | |      |
        +--+ +---------+ |      |
        +--------------+ |      |
        | 4            | |      |
        +--------------+ +------+
    """
    blocks = [col(1, "body", 0, 100, 400, C2), blk(2, "heading", 50, 420, 140, 470),
              blk(3, "body", 160, 420, 480, 700), col(4, "body", 0, 720, 1300, C2),
              col(5, "body", 1, 100, 1300, C2)]
    check_all_inputs(blocks, [1, 2, 3, 4, 5])


def test_heading_inside_a_column():
    """
        +--------+ +--------+
        | 1      | | 4      |
        +--------+ +--------+
        +-2 hd---+ +-5 hd---+
        +--------+ +--------+
        | 3      | | 6      |
        +--------+ +--------+
    """
    blocks = [col(1, "body", 0, 100, 600, C2), col(2, "heading", 0, 620, 670, C2),
              col(3, "body", 0, 690, 1300, C2), col(4, "body", 1, 100, 600, C2),
              col(5, "heading", 1, 620, 670, C2), col(6, "body", 1, 690, 1300, C2)]
    check_all_inputs(blocks, [1, 2, 3, 4, 5, 6])


def test_empty_and_single():
    assert resolve_order([]) == OrderResult([], [])
    b = blk(3, "body", 0, 0, 10, 10)
    res = resolve_order([b])
    assert res.blocks == [b] and b.order == 0 and res.flags == []


def test_x_overlap_tolerance():
    a, b = BBox(0, 0, 400, 10), BBox(395, 20, 800, 30)
    assert not x_overlaps(a, b)
    assert x_overlaps(a, BBox(300, 20, 800, 30))
    assert x_overlaps(BBox(0, 0, 400, 10), BBox(100, 20, 104, 30))  # narrow, inside


def test_cycle_is_broken_deterministically():
    # 0 -> 1 -> 2 -> 0 (left-of edges), 3 free: the free node first, then the
    # cycle by key.
    none = [set(), set(), set(), set()]
    out, cycle = _toposort([(5,), (1,), (2,), (9,)], none, [{1}, {2}, {0}, set()])
    assert cycle and out == [3, 1, 2, 0]
    # Same cycle, but 2 -> 0 is an "above" edge, which is never the one broken:
    # 0 has the smallest key but must wait for 2.
    out, cycle = _toposort([(1,), (5,), (2,), (9,)], [set(), set(), {0}, set()],
                           [{1}, {2}, set(), set()])
    assert cycle and out == [3, 2, 0, 1]
    out, cycle = _toposort([(0,), (1,)], [{1}, set()], [set(), set()])
    assert not cycle and out == [0, 1]


def test_cycle_in_staircase_is_broken_and_flagged():
    """A staircase: each block x-overlaps the next one up, while 1 is left of 4
    with nothing bridging them, so 4 < 3 < 2 < 1 < 4 is a cycle.  The top block
    (smallest key) is taken first and the page is flagged.

                    +-4-+
              +-3---+-+
        +-2-------+
         +1+
         | |
         +-+
    """
    blocks = [blk(1, "body", 20, 160, 60, 260), blk(2, "body", 0, 120, 180, 160),
              blk(3, "body", 140, 40, 240, 60), blk(4, "body", 220, 0, 300, 20)]
    res = resolve_order(blocks)
    assert res.flags == [FLAG_CYCLE]
    check_all_inputs(blocks, [4, 3, 2, 1])


def test_options_tolerance_changes_overlap():
    a, b = BBox(0, 0, 400, 10), BBox(380, 20, 800, 30)
    assert not x_overlaps(a, b)
    assert x_overlaps(a, b, ResolveOptions(overlap_frac=0.01, overlap_px=1))


# ------------------------------------------------------------- properties

MAIN = ("title", "heading", "body")
ALL = ("title", "heading", "body", "caption", "header", "footer", "figure", "sidebar")


@st.composite
def grid_pages(draw, kinds=MAIN):
    """Non-overlapping boxes on a grid of columns x rows; a box may span
    several adjacent columns; ids are a random permutation.  Returns
    (blocks, grid cells) where cells[id] = (first col, last col + 1)."""
    ncols, nrows = draw(st.integers(1, 4)), draw(st.integers(1, 6))
    cw, rh, gap = 200, 100, 20
    cells = []
    for r in range(nrows):
        c = 0
        while c < ncols:
            span = draw(st.integers(1, ncols - c))
            if draw(st.integers(0, 3)):  # occupied 3 times in 4
                j = [draw(st.integers(0, 8)) for _ in range(4)]
                bb = BBox(c * (cw + gap) + j[0], r * (rh + gap) + j[1],
                          (c + span) * (cw + gap) - gap - j[2], (r + 1) * (rh + gap) - gap - j[3])
                cells.append((bb, (c, c + span), draw(st.sampled_from(kinds))))
            c += span
    ids = draw(st.permutations(list(range(len(cells)))))
    blocks = [Block(i, kind, bb) for i, (bb, _, kind) in zip(ids, cells)]
    return blocks, {i: cols for i, (_, cols, _) in zip(ids, cells)}


def assert_permutation(blocks, res):
    assert sorted(b.id for b in res.blocks) == sorted(b.id for b in blocks)
    assert {id(b) for b in res.blocks} == {id(b) for b in blocks}
    assert len(res.blocks) == len(blocks)
    assert [b.order for b in res.blocks] == list(range(len(blocks)))


@settings(max_examples=200, deadline=None)
@given(grid_pages(), st.randoms(use_true_random=False))
def test_property_main_flow(page, rnd):
    blocks, cells = page
    res = resolve_order(blocks)
    assert_permutation(blocks, res)
    assert set(res.flags) <= {FLAG_CYCLE}  # staircases on the grid can form cycles
    first = [b.id for b in res.blocks]
    shuffled = blocks[:]
    rnd.shuffle(shuffled)
    assert [b.id for b in resolve_order(shuffled).blocks] == first
    pos = {i: k for k, i in enumerate(first)}
    for a in blocks:
        for b in blocks:
            (a0, a1), (b0, b1) = cells[a.id], cells[b.id]
            if a0 < b1 and b0 < a1 and a.bbox.y1 <= b.bbox.y0:  # same column, a above
                assert pos[a.id] < pos[b.id]


@settings(max_examples=200, deadline=None)
@given(grid_pages(kinds=ALL), st.randoms(use_true_random=False))
def test_property_all_kinds(page, rnd):
    blocks, _ = page
    res = resolve_order(blocks)
    assert_permutation(blocks, res)
    first = [b.id for b in res.blocks]
    shuffled = blocks[:]
    rnd.shuffle(shuffled)
    assert [b.id for b in resolve_order(shuffled).blocks] == first
    kinds = [b.kind for b in res.blocks]
    n_head = kinds.count("header")
    n_foot = kinds.count("footer")
    assert set(kinds[:n_head]) <= {"header"}
    assert set(kinds[len(kinds) - n_foot:]) <= {"footer"}


def test_author_line_over_the_middle_column_opens_the_page():
    """
        +---------TITLE---------+
                 [author]
        +-----+  +-----+  +-----+
        | c1  |  | c2  |  | c3  |
        +-----+  +-----+  +-----+
    The author line sits over column 2 only, but belongs to the masthead.
    """
    from pipeline.model import BBox, Block
    blocks = [Block(0, "title", BBox(0, 0, 300, 40)), Block(1, "heading", BBox(110, 50, 190, 70)),
              Block(2, "body", BBox(0, 100, 90, 400)), Block(3, "body", BBox(105, 100, 195, 400)),
              Block(4, "body", BBox(210, 100, 300, 400))]
    order = [b.id for b in resolve_order(blocks).blocks]
    assert order == [0, 1, 2, 3, 4]


def test_title_over_first_two_columns_with_author_under_the_second():
    """Column 3 starts at the top beside the title; the author line hangs
    under the title over column 2 only; all of the masthead comes first:

        +-------------+ +----+
        | 0 title     | | 5  |
        +-------------+ |    |
               +-6-+    |    |
        +----+ +----+   |    |
        | 1  | | 3  |   |    |
        +----+ +----+   |    |
        +----+ +----+   |    |
        | 2  | | 4  |   |    |
        +----+ +----+   +----+
    """
    blocks = [col(0, "title", 0, 80, 250, last=1), blk(6, "heading", 400, 270, 560, 300),
              col(1, "body", 0, 330, 700), col(2, "body", 0, 720, 1300),
              col(3, "body", 1, 330, 800), col(4, "body", 1, 820, 1300),
              col(5, "body", 2, 80, 1300)]
    check_all_inputs(blocks, [0, 6, 1, 2, 3, 4, 5])


def test_heading_sitting_on_its_text_is_not_masthead():
    """A broker report (realpages report-sidebar): under the titles, the
    sidebar opens with a title (1) and the main column with its heading (2)
    level with it, half a line over its text and three lines under the
    titles. The heading opens the main column, read after the sidebar:

        +-------- 0 title --------+
        +-1 title-+    +2+
        +---------+    +--------+
        | 3       |    | 4      |
        +---------+    +--------+
    """
    blocks = [col(0, "title", 0, 80, 130, C2, last=1), col(1, "title", 0, 230, 270, C2),
              blk(2, "heading", 520, 230, 600, 262), col(3, "body", 0, 330, 1300, C2),
              col(4, "body", 1, 278, 1300, C2)]
    check_all_inputs(blocks, [0, 1, 3, 2, 4])
    # the same heading closer to the titles than to its text is a subtitle line
    blocks[1:3] = [col(1, "title", 0, 150, 190, C2), blk(2, "heading", 520, 150, 600, 182)]
    blocks[3:] = [col(3, "body", 0, 330, 1300, C2), col(4, "body", 1, 330, 1300, C2)]
    check_all_inputs(blocks, [0, 1, 2, 3, 4])


def test_short_line_level_with_the_column_tops_is_not_masthead():
    """The two characters that end column 1's last paragraph at the top of
    column 2 (7) read after column 1, though they sit under the title:

        +--------------------+
        | 0 title            |
        +--------------------+
              +-6 author-+
        +--------+ +7-+
        | 1      | +--+
        |        | +--------+
        |        | | 3      |
        +--------+ +--------+
    """
    blocks = [col(0, "title", 0, 80, 200, C2, last=1), blk(6, "heading", 300, 230, 700, 260),
              col(1, "body", 0, 300, 1300, C2), blk(7, "heading", 520, 302, 580, 330),
              col(3, "body", 1, 360, 1300, C2)]
    check_all_inputs(blocks, [0, 6, 1, 7, 3])


def test_mid_page_title_with_text_above_it_is_not_masthead():
    """A title lower down in column 2, under the first story's text there,
    starts a second story: read after column 1, not first.

        +--------+ +--------+
        | 1      | | 2      |
        |        | +--------+
        |        | +--------+
        |        | | 3 title|
        |        | +--------+
        |        | +--------+
        |        | | 4      |
        +--------+ +--------+
    """
    blocks = [col(1, "body", 0, 100, 1300, C2), col(2, "body", 1, 100, 500, C2),
              col(3, "title", 1, 540, 640, C2), col(4, "body", 1, 680, 1300, C2)]
    check_all_inputs(blocks, [1, 2, 3, 4])


def test_sidebar_at_the_top_is_read_after_the_columns():
    """A boxed sidebar over columns 1-2 at the top of the page, the columns
    running on under it: the columns first, then the sidebar.

        +--------------+ +----+
        | 4 sidebar    | | 3  |
        +--------------+ |    |
        +----+ +----+    |    |
        | 1  | | 2  |    |    |
        +----+ +----+    +----+
    """
    blocks = [col(4, "sidebar", 0, 100, 400, last=1), col(1, "body", 0, 440, 1300),
              col(2, "body", 1, 440, 1300), col(3, "body", 2, 100, 1300)]
    check_all_inputs(blocks, [1, 2, 3, 4])


def test_caption_follows_its_figure_in_the_column_flow():
    """A figure across columns 2-3 with its caption under it: the pair is read
    where the figure sits in column 2's flow, before the text below it.

        +----+ +----+ +----+
        | 1  | | 2  | | 5  |
        |    | +----+ +----+
        |    | +-----------+
        |    | | 6 figure  |
        |    | +-----------+
        |    | +-7 caption-+
        |    | +----+ +----+
        |    | | 3  | | 4  |
        +----+ +----+ +----+
    """
    blocks = [col(1, "body", 0, 100, 1300), col(2, "body", 1, 100, 400),
              col(5, "body", 2, 100, 400), col(6, "figure", 1, 430, 800, last=2, span=(1, 3)),
              col(7, "caption", 1, 810, 850, last=2), col(3, "body", 1, 880, 1300),
              col(4, "body", 2, 880, 1300)]
    check_all_inputs(blocks, [1, 2, 6, 7, 3, 5, 4])


def test_a_caption_set_on_its_picture_goes_with_it_whatever_else_lies_on_the_picture():
    """A photo bled down the left column, a caption printed on its dark band
    and a scrap of text read off the photo between them; the article runs down
    the right column.  The caption is the photo's, read after the article.

        +---------------+ +--------+
        | 1 photo       | | 2      |
        |   [4 scrap]   | |        |   (4: a few glyphs of the photo, boxed)
        | [3 caption  ] | |        |
        |               | +--------+
        +---------------+
    """
    blocks = [col(1, "figure", 0, 50, 1900, C2, span=(0, 1)), col(2, "body", 1, 100, 1300, C2, span=(1, 2)),
              blk(3, "caption", 100, 1300, 450, 1360), blk(4, "sidebar", 200, 1150, 240, 1220)]
    assert order(blocks) == [2, 4, 1, 3]


def test_a_figure_under_full_width_text_follows_that_text():
    """Text over both columns, then a figure in the left column beside text in
    the right: the figure is read after the full-width text above it, not
    after an earlier block of its own column.

        +--------------------------+
        | 1 body over both columns |
        +--------------------------+
        +--------+
        | 2 body |
        +--------+
        +--------------------------+
        | 3 body over both columns |
        +--------------------------+
        +--------+ +--------+
        | 4 fig  | | 5 body |
        +--------+ +--------+
    """
    blocks = [col(1, "body", 0, 100, 200, C2, last=1, span=(0, 2)), col(2, "body", 0, 220, 260, C2, span=(0, 1)),
              col(3, "body", 0, 300, 500, C2, last=1, span=(0, 2)), col(4, "figure", 0, 520, 900, C2, span=(0, 1)),
              col(5, "body", 1, 520, 900, C2, span=(1, 2))]
    assert order(blocks) == [1, 2, 3, 4, 5]
