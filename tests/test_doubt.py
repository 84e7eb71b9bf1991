"""Which pages magscan doubts (pipeline/text/plausibility.py), and the page-file writing
that a failing page must not leave half done (pipeline/outputs/files.py)."""
import pytest

from pipeline.text.plausibility import confidence_shortfall, doubts, gutter_crossing, implausibility, text_missed
from pipeline.outputs.files import TEMP_SUFFIX, atomic_write_text, remove_stale_temps, staged
from pipeline.model import BBox, Block, Line, Page

TEXT = "加强和改进产业工人队伍思想政治建设"


def two_column_page(lines_across: int, lines_within: int, conf=90.0) -> Page:
    """Columns x 100-900 and 1000-1800 (gutter 900-1000); lines 40 px high."""
    lines, y = [], 100
    for _ in range(lines_across):
        lines.append(Line(BBox(120, y, 1780, y + 40), TEXT, conf))
        y += 60
    for _ in range(lines_within):
        lines.append(Line(BBox(120, y, 880, y + 40), TEXT, conf))
        lines.append(Line(BBox(1020, y, 1780, y + 40), TEXT, conf))
        y += 60
    block = Block(0, "body", BBox(100, 100, 1800, y), lines=lines)
    page = Page("x.png", 1, 1900, 2600, columns=[(100, 950), (950, 1800)], blocks=[block])
    # the layout's separator: the gutter's white channel, x 950, over the whole page
    page.diagnostics["layout"] = {"separators": [[950.0, 0, 2600, 100]]}
    return page


def test_lines_within_their_columns_are_plausible():
    assert gutter_crossing(two_column_page(0, 10)) is None
    assert gutter_crossing(two_column_page(2, 10)) is None  # a title across both columns


def test_most_lines_across_a_gutter_are_implausible():
    flag = gutter_crossing(two_column_page(12, 2))
    assert flag and flag.startswith("text-implausible:") and "12 of 16 lines" in flag


def test_no_gutter_no_judgement():
    page = two_column_page(12, 0)
    page.diagnostics["layout"]["separators"] = []
    assert gutter_crossing(page) is None


def test_a_gutter_counts_only_where_it_runs():
    """Lines across x 950 above the separator's channel (a title, a story
    set on another grid) do not cross it."""
    page = two_column_page(12, 2)
    page.diagnostics["layout"]["separators"] = [[950.0, 900, 2600, 100]]
    assert gutter_crossing(page) is None


def lines_page(confs_and_texts) -> Page:
    lines = [Line(BBox(100, 100 + 60 * i, 900, 140 + 60 * i), t, c)
             for i, (c, t) in enumerate(confs_and_texts)]
    return Page("x.png", 1, 1000, 1000, blocks=[Block(0, "body", BBox(100, 100, 900, 900),
                                                      lines=lines)])


def test_most_text_far_below_the_pages_good_lines_is_implausible():
    page = lines_page([(92, TEXT)] * 3 + [(45, TEXT)] * 5)
    flag = confidence_shortfall(page)
    assert flag and "62% of the text" in flag and "(confidence 92)" in flag


@pytest.mark.parametrize("lines", [
    [(92, TEXT)] * 8,                           # a clean page
    [(60, TEXT)] * 8,                           # uniformly poor: --below-confidence's job
    [(92, TEXT)] * 6 + [(40, TEXT)] * 2,        # a few bad lines
    [(92, TEXT)] * 6 + [(20, "一")] * 10,       # many bad lines, little text in them
    [(92, TEXT)] + [(40, TEXT)] * 2,            # too few lines to judge
])
def test_confidence_check_leaves_ordinary_pages_alone(lines):
    assert confidence_shortfall(lines_page(lines)) is None


def test_doubt_codes():
    flags = ["layout-fallback: nonsense: no columns found", "layout-suspect: 2 line(s) overlap",
             "order-cycle-broken", "text-implausible: 12 of 16 lines run across a column gutter",
             "ocr-error: a body block of 3 line(s): No text returned", "cropped-border:1,2,3x4"]
    assert doubts(flags) == [flags[0], flags[3], flags[4]]
    assert implausibility(two_column_page(12, 2))


def test_staged_writes_leave_nothing_when_the_page_fails(tmp_path):
    with pytest.raises(OSError):
        with staged() as stage:
            atomic_write_text(tmp_path / "page-0001.txt", "text")
            atomic_write_text(tmp_path / "page-0001.json", "{}")
            raise OSError(28, "No space left on device")
            stage.commit()
    assert list(tmp_path.iterdir()) == []
    with staged() as stage:
        atomic_write_text(tmp_path / "page-0001.txt", "text")
        assert not (tmp_path / "page-0001.txt").exists()  # not before the page is whole
        stage.commit()
    assert [p.name for p in tmp_path.iterdir()] == ["page-0001.txt"]


def test_stale_temp_cleanup_takes_only_magscan_names(tmp_path):
    ours = tmp_path / f".page-0001.json.a1b2_c3d{TEMP_SUFFIX}"
    theirs = [tmp_path / ".notes.tmp", tmp_path / f"x{TEMP_SUFFIX}", tmp_path / ".a.tmp",
              tmp_path / f".page-0001.json.short{TEMP_SUFFIX}"]
    for f in [ours, *theirs]:
        f.write_text("x")
    assert remove_stale_temps([tmp_path]) == 1
    assert not ours.exists() and all(f.exists() for f in theirs)


def _page_after_orientation(n_lines: int, confident_words: int | None, part: str = "") -> Page:
    page = two_column_page(0, n_lines)
    page.part = part
    page.diagnostics["orientation"] = {"angle": 0, "method": "upright-read",
                                       "confident_words": confident_words}
    return page


def test_a_page_reading_less_than_its_orientation_crop_is_implausible():
    """Handwriting on ruled paper (a real study note) was taken for one
    line-art picture: the page read 1 character, recorded done without a
    flag, while the orientation crop had read 9 words with confidence."""
    empty = _page_after_orientation(0, 9)
    flag = text_missed(empty)
    assert flag and flag.startswith("text-implausible:") and "9 confident words" in flag
    assert flag in implausibility(empty)
    # the page gave its text back: 2 columns x 17 characters a line
    assert text_missed(_page_after_orientation(1, 9)) is None
    # a crop of a few confident marks (a photo's texture) says nothing
    assert text_missed(_page_after_orientation(0, 3)) is None
    # not read at all (--no-orient), or a spread's half (its crop may lie on the other half)
    assert text_missed(_page_after_orientation(0, None)) is None
    assert text_missed(_page_after_orientation(0, 20, part="L")) is None
