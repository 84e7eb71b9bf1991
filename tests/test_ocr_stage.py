"""The OCR stage around the engine: display type scaled to the line height the
engine reads best (boxes mapped back to page pixels), lines the engine skipped
read again one by one, and Tesseract's noise-row filter not losing a bold line."""
from pathlib import Path

import cv2
import numpy as np

from pipeline.model import BBox, Block, Line, Page, Word
from pipeline.recognition.stage import TesseractEngine, recognize_blocks
from pipeline.options import Options
from pipeline.image.preprocess import PageImage

DATA = Path(__file__).parent / "data"


class Recorder:
    """A fake engine: one line per call, "L<k>" for the k-th call, boxed over
    the top band of the crop; it can be told to return only the first of
    several lines, as Tesseract 5.5 sometimes does."""

    name = "fake"

    def __init__(self, max_line_px=None, first_only=False):
        self.max_line_px = max_line_px
        self.first_only = first_only
        self.calls: list[tuple[tuple[int, int], int]] = []

    def check(self):
        pass

    def recognize(self, crop, kind, n_lines):
        self.calls.append((crop.shape, n_lines))
        h, w = crop.shape
        band = h // max(1, n_lines)
        out = []
        for i in range(1 if self.first_only else n_lines):
            box = BBox(0, i * band, w, (i + 1) * band)
            out.append(Line(bbox=box, text=f"L{len(self.calls)}.{i}", conf=90.0,
                            words=[Word(box, f"L{len(self.calls)}.{i}", 90.0)]))
        return out


def _page_with(block: Block, h=800, w=1200) -> PageImage:
    page = Page(source="x.png", page_number=1, width=w, height=h, dpi=300)
    page.blocks = [block]
    gray = np.full((h, w), 255, np.uint8)
    return PageImage(page=page, gray=gray, binary=np.zeros_like(gray))


def _title(lines: list[tuple[int, int]], x0=100, x1=900) -> Block:
    """A title block with one layout line per (y0, y1)."""
    ls = [Line(bbox=BBox(x0, y0, x1, y1)) for y0, y1 in lines]
    return Block(id=0, kind="title", bbox=BBox.enclosing(ln.bbox for ln in ls), lines=ls)


def test_display_type_is_scaled_down_and_boxes_come_back_in_page_pixels():
    """
    +------------------------------+  one 120 px line of title type
    | TITLE TITLE TITLE TITLE      |  -> the engine sees it 36 px high
    +------------------------------+     and its box maps back to the page
    """
    eng = Recorder(max_line_px=36)
    pimg = recognize_blocks(_page_with(_title([(200, 320)])), eng, Options())
    (shape, n), = eng.calls
    assert n == 1
    # the crop (block + 30 px margin each side + 12 px pad) scaled by 36/120
    assert abs(shape[0] - round((120 + 2 * 30 + 24) * 36 / 120)) <= 1
    (ln,) = pimg.page.blocks[0].lines
    # the engine's word (the whole crop here) maps back to the page's pixels ...
    (w,) = ln.words
    assert abs(w.bbox.y0 - (200 - 30 - 12)) <= 4 and abs(w.bbox.y1 - (320 + 30 + 12)) <= 4
    assert abs(w.bbox.x0 - (100 - 30 - 12)) <= 4 and abs(w.bbox.x1 - (900 + 30 + 12)) <= 4
    # ... and the line is kept inside its block
    assert ln.bbox == pimg.page.blocks[0].bbox


def test_body_type_is_left_alone():
    eng = Recorder(max_line_px=36)
    blk = _title([(200, 236), (250, 286)])
    recognize_blocks(_page_with(blk), eng, Options())
    (shape, n), = eng.calls
    assert n == 2 and shape[0] == (286 - 200) + 2 * 9 + 24   # margin = line height // 4


def test_engine_without_a_preferred_height_gets_the_full_crop():
    eng = Recorder(max_line_px=None)
    recognize_blocks(_page_with(_title([(200, 320)])), eng, Options())
    (shape, _), = eng.calls
    assert shape[0] == 120 + 2 * 30 + 24


def test_lines_the_engine_skipped_are_read_alone_in_order():
    """
    +----------------+  line 1  <- returned by the block call
    |                |
    +----------------+  line 2  <- skipped: read again alone (psm 7 for Tesseract)
    """
    eng = Recorder(max_line_px=None, first_only=True)
    pimg = recognize_blocks(_page_with(_title([(200, 320), (360, 480)])), eng, Options())
    assert [n for _, n in eng.calls] == [2, 1]
    lines = pimg.page.blocks[0].lines
    assert [ln.text for ln in lines] == ["L1.0", "L2.0"]
    assert lines[0].bbox.y1 <= lines[1].bbox.y0 + 40 and 330 <= lines[1].bbox.cy <= 510


def test_no_second_call_when_every_line_came_back():
    eng = Recorder(max_line_px=None)
    recognize_blocks(_page_with(_title([(200, 320), (360, 480)])), eng, Options())
    assert len(eng.calls) == 1


def test_tesseract_reads_a_bold_title_line_its_noise_filter_would_drop():
    """A line of heavy display type from a generated title ("才发展通道"),
    already at the engine's line height."""
    img = cv2.imread(str(DATA / "bold-title-line.png"), cv2.IMREAD_GRAYSCALE)
    lines = TesseractEngine(Options()).recognize(img, "title", 1)
    assert "".join(ln.text for ln in lines).replace(" ", "") == "才发展通道"
