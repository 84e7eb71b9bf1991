"""Marks chi_sim cannot read: □ ■ ▲ ● ◎ opening a line, and the unbroken ——
rule. Shapes are rendered in every CJK face the generator uses, sharp and
blurred, next to the Han characters that look most like them."""
import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.recognition.markers import MARKERS, classify, find_dashes, find_marker
from pipeline.model import BBox, Block, Line, Page
from pipeline.recognition.stage import TesseractEngine, recognize_blocks
from pipeline.options import Options
from pipeline.image.preprocess import PageImage
from pipeline.synth.typeset import FONT_FILES as FONTS

FACES = ["serif", "kai", "sans", "noto_serif", "sans_bold", "hei"]
LOOKALIKES = "口日回向生业时中田国图四"


def _render(text: str, face: str, px: int, blur: bool = False, pad: int = 20) -> np.ndarray:
    """Gray image (paper 255) of one line of text."""
    path, idx = FONTS[face]
    font = ImageFont.truetype(path, px, index=idx)
    im = Image.new("L", (int(px * (len(text) + 2)), px * 2), 255)
    ImageDraw.Draw(im).text((pad, px // 3), text, font=font, fill=0)
    g = np.asarray(im)
    if blur:
        g = cv2.GaussianBlur(g, (3, 3), 0.8)
    return g


def _ink(g: np.ndarray) -> np.ndarray:
    """Binarised as a scan is (Otsu), so a thin blurred outline stays ink."""
    _, b = cv2.threshold(g, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return b > 0


def _glyph(ch: str, face: str, px: int, blur: bool) -> np.ndarray:
    ink = _ink(_render(ch, face, px, blur))
    ys, xs = np.nonzero(ink)
    return ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def _line_box(ink: np.ndarray) -> BBox:
    ys, xs = np.nonzero(ink)
    return BBox(int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize("blur", [False, True])
def test_markers_are_told_from_the_characters_that_look_like_them(face, blur):
    for px in (36, 44):
        for m in MARKERS:
            assert classify(_glyph(m, face, px, blur), px) == m, (m, face, px)
        for ch in LOOKALIKES:
            assert classify(_glyph(ch, face, px, blur), px) is None, (ch, face, px)


def test_marker_opening_a_line_is_found_and_boxed():
    """
    [□]龚惠文      <- the first glyph, boxed
    """
    g = _render("□龚惠文", "sans", 40)
    ink = (g < 128).astype(np.uint8) * 255
    mark, box = find_marker(ink, _line_box(ink > 0))
    assert mark == "□" and box.width < 45 and box.x0 == _line_box(ink > 0).x0


@pytest.mark.parametrize("text", ["口号响亮", "国家发展", "业工人的", "向上的职", "时期产业", "一一列举"])
def test_no_marker_where_a_line_opens_with_a_character(text):
    for face in FACES:
        ink = _ink(_render(text, face, 40, blur=True)).astype(np.uint8) * 255
        assert find_marker(ink, _line_box(ink > 0)) is None, (text, face)


def test_unbroken_dash_rule_is_found_and_two_ones_are_not():
    """
    ——访自治区     one rule 1.6 em long  -> a dash
    一一列举       two strokes with a gap -> characters
    """
    for face in ("sans", "noto_serif", "sans_bold"):
        ink = (_render("——访自治区", face, 40) < 128).astype(np.uint8) * 255
        (d,) = find_dashes(ink, _line_box(ink > 0))
        assert d.width >= 60
        ink = (_render("一一列举", face, 40) < 128).astype(np.uint8) * 255
        assert find_dashes(ink, _line_box(ink > 0)) == []


def _one_line_page(text: str, face: str = "sans", px: int = 40) -> PageImage:
    g = _render(text, face, px, pad=60)
    g = np.pad(g, 40, constant_values=255)
    ink = g < 128
    box = _line_box(ink)
    page = Page(source="x.png", page_number=1, width=g.shape[1], height=g.shape[0], dpi=300)
    page.blocks = [Block(id=0, kind="heading", bbox=box, lines=[Line(bbox=box)])]
    return PageImage(page=page, gray=g, binary=ink.astype(np.uint8) * 255)


@pytest.mark.parametrize("text", ["□本刊记者李明", "◎本刊记者孙鹏娜", "▲职工在车间学习", "——访自治区总工会有关负责人"])
def test_tesseract_page_gets_the_marks_back(text):
    pimg = _one_line_page(text)
    before = pimg.gray.copy()
    recognize_blocks(pimg, TesseractEngine(Options()), Options())
    (ln,) = pimg.page.blocks[0].lines
    assert ln.text == text
    assert (pimg.gray == before).all()   # the page image itself is not painted on


def test_a_solid_square_with_ragged_edge_rows_is_a_marker():
    """A JPEG-scanned ■ whose top row is only half inked is still ■; a Han
    character never fills its box that much."""
    g = np.ones((15, 15), bool)
    g[0, [0, 2, 3, 11, 12, 13, 14]] = False
    assert classify(g, 30) == "■"
    g[-1, ::2] = False
    assert classify(g, 30) == "■"


def _hung_marker_page(mark: str, text: str, gap_em: float):
    """A marker hung in the margin, ``gap_em`` ems left of its paragraph's
    first line, left as a block of its own by the layout:

        [■]     盈利表现亮眼，村银贡献持续提升
                第二行的文字在这里继续下去
    """
    px = 40
    mark_img = _render(mark, "sans", px)[:, :20 + px + 4]   # the mark's cell (pad 20)
    gap = np.full((2 * px, int(gap_em * px)), 255, np.uint8)
    lines = [np.hstack([mark_img if i == 0 else np.full_like(mark_img, 255), gap, _render(t, "sans", px)])
             for i, t in enumerate((text, text[::-1]))]
    g = np.vstack(lines)
    ink = _ink(g)
    cut = mark_img.shape[1]
    mbox = _line_box(ink[:, :cut])
    l1 = _line_box(ink[:2 * px, cut:]).shift(cut, 0)
    l2 = _line_box(ink[2 * px:, cut:]).shift(cut, 2 * px)
    page = Page(source="t", page_number=1, width=g.shape[1], height=g.shape[0])
    page.blocks = [Block(id=0, kind="body", bbox=mbox, lines=[Line(bbox=mbox)]),
                   Block(id=1, kind="body", bbox=BBox.enclosing([l1, l2]), lines=[Line(bbox=l1), Line(bbox=l2)])]
    return PageImage(page=page, gray=g, binary=ink.astype(np.uint8) * 255)


def test_a_marker_hung_apart_from_its_paragraph_opens_its_first_line():
    pimg = _hung_marker_page("■", "盈利表现亮眼村银贡献持续提升", gap_em=1.2)
    recognize_blocks(pimg, TesseractEngine(Options()), Options())
    (block,) = pimg.page.blocks
    assert block.lines[0].text.startswith("■") and block.lines[0].text.endswith("持续提升"), \
        [ln.text for ln in block.lines]
    assert "国" not in "".join(ln.text for ln in block.lines)


def test_a_marker_taken_into_the_column_on_its_left_opens_its_paragraph():
    """A narrow gutter (realpages report-sidebar): the layout gave the ■ that
    opens a main-column paragraph to the sidebar's block as a line of its
    own, and the sidebar's block then reached into the main column:

        左栏文字左栏文字左栏
        左栏文字左栏文字左栏  [■]  盈利表现亮眼村银贡献
                                   第二行的文字在这里继
    """
    px = 40
    left = _render("左栏文字左栏文字左栏", "sans", px)
    mark = _render("■", "sans", px)[:, :20 + px + 4]
    gap = np.full((2 * px, int(1.2 * px)), 255, np.uint8)
    right = [_render(t, "sans", px) for t in ("盈利表现亮眼村银贡献", "第二行的文字在这里继")]
    rows = [np.hstack([left, np.full_like(mark, 255), gap, np.full_like(right[0], 255)]),
            np.hstack([left, mark, gap, right[0]]),
            np.hstack([np.full_like(left, 255), np.full_like(mark, 255), gap, right[1]])]
    g = np.vstack(rows)
    ink = _ink(g)
    lw, mw = left.shape[1], mark.shape[1]
    rx = lw + mw + gap.shape[1]
    row = lambda i, x0, x1: _line_box(ink[2 * px * i:2 * px * (i + 1), x0:x1]).shift(x0, 2 * px * i)
    l1, l2, m, r1, r2 = row(0, 0, lw), row(1, 0, lw), row(1, lw, lw + mw), row(1, rx, g.shape[1]), \
        row(2, rx, g.shape[1])
    page = Page(source="t", page_number=1, width=g.shape[1], height=g.shape[0])
    page.blocks = [Block(id=0, kind="body", bbox=BBox.enclosing([l1, l2, m]),
                         lines=[Line(bbox=l1), Line(bbox=l2), Line(bbox=m)]),
                   Block(id=1, kind="body", bbox=BBox.enclosing([r1, r2]), lines=[Line(bbox=r1), Line(bbox=r2)])]
    pimg = PageImage(page=page, gray=g, binary=ink.astype(np.uint8) * 255)
    recognize_blocks(pimg, TesseractEngine(Options()), Options())
    side, main = pimg.page.blocks
    assert side.bbox.x1 <= l2.x1 and len(side.lines) == 2, side
    assert main.lines[0].text.startswith("■") and main.bbox.x0 <= m.x0


def test_a_character_alone_beside_a_paragraph_stays_a_block():
    pimg = _hung_marker_page("国", "盈利表现亮眼村银贡献持续提升", gap_em=1.2)
    recognize_blocks(pimg, TesseractEngine(Options()), Options())
    assert len(pimg.page.blocks) == 2


def test_a_few_characters_read_without_confidence_are_noise():
    from pipeline.recognition.stage import is_noise
    box = BBox(0, 0, 30, 30)
    assert is_noise(Line(bbox=box, text="AR", conf=14.2))
    assert is_noise(Line(bbox=box, text="邓 列", conf=0.0))
    assert not is_noise(Line(bbox=box, text="17", conf=88.0))          # a folio read clearly
    assert not is_noise(Line(bbox=box, text="宁静的夜空", conf=12.0))   # a line of text read badly stays
