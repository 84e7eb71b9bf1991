from pipeline.model import BBox, Line
from pipeline.text.paragraphs import block_text, join_lines, line_em, paragraph_starts

H = 40            # line height = em
LEFT, RIGHT = 100, 900


def ln(text, x0=LEFT, x1=RIGHT, row=0, h=H):
    y0 = 200 + row * int(h * 1.5)
    return Line(BBox(x0, y0, x1, y0 + h), text)


def rows(*specs):
    """(text, x0, x1) triples to lines on successive rows."""
    return [ln(t, x0, x1, row=i) for i, (t, x0, x1) in enumerate(specs)]


FULL = (LEFT, RIGHT)
INDENT = (LEFT + 2 * H, RIGHT)


def test_indent_starts_paragraph():
    lines = rows(("第一段开头", *INDENT), ("第一段继续", *FULL),
                 ("第二段开头", *INDENT), ("第二段结尾", LEFT, RIGHT))
    assert paragraph_starts(lines) == [True, False, True, False]
    assert join_lines(lines) == ["第一段开头第一段继续", "第二段开头第二段结尾"]


def test_short_previous_line_starts_paragraph_without_indent():
    lines = rows(("甲乙丙丁", *FULL), ("完了。", LEFT, 400), ("新的一段", *FULL), ("结束", *FULL))
    assert join_lines(lines) == ["甲乙丙丁完了。", "新的一段结束"]


def test_continuation_from_previous_column():
    # top line not indented: the block continues a paragraph from elsewhere
    lines = rows(("大利南方塔兰托市", *FULL), ("附近农村。", LEFT, 500),
                 ("那是英国皇家空军", *INDENT), ("的两架飞机", *FULL))
    starts = paragraph_starts(lines)
    assert starts[0] is False
    assert join_lines(lines) == ["大利南方塔兰托市附近农村。", "那是英国皇家空军的两架飞机"]


def test_last_line_short_stays_in_last_paragraph():
    lines = rows(("开头一行", *INDENT), ("中间一行", *FULL), ("最后", LEFT, 300))
    assert join_lines(lines) == ["开头一行中间一行最后"]


def test_single_line_block():
    assert join_lines([ln("只有一行", 300, 500)]) == ["只有一行"]
    assert join_lines([ln("\u3000\u3000缩进一行", 100, 500)]) == ["缩进一行"]


def test_text_indent_spaces():
    # an engine that keeps the indent as text, with boxes that do not show it
    lines = rows(("一段", *FULL), ("\u3000\u3000二段", *FULL), ("  三段", *FULL), (" 续", *FULL))
    assert paragraph_starts(lines) == [False, True, True, False]
    assert join_lines(lines) == ["一段", "二段", "三段续"]


def test_latin_join_gets_a_space():
    lines = rows(("他说 New", *FULL), ("York 很大", *FULL), ("增长 3", *FULL), ("5%", *FULL),
                 ("Hello,", *FULL), ("world", *FULL))
    assert join_lines(lines) == ["他说New York很大增长3 5%Hello, world"]
    assert join_lines(lines, clean=False) == ["他说 New York 很大增长 3 5%Hello, world"]


def test_no_space_between_chinese_lines_and_cleaning():
    lines = rows(("他 说 :", *FULL), ('" 你 们 快', *FULL), ('来 吧 ."', *FULL))
    assert join_lines(lines) == ["他说：“你们快来吧。”"]


def test_column_width_makes_short_lines_visible():
    # every line ends at 500; against the block alone nothing is short
    lines = rows(("第一行", LEFT, 500), ("第二行", LEFT, 500))
    assert join_lines(lines) == ["第一行第二行"]
    assert join_lines(lines, column_width=800) == ["第一行", "第二行"]


def test_em_parameter_and_median():
    lines = rows(("甲", *FULL), ("乙", LEFT + 40, RIGHT))
    assert line_em(lines) == H
    assert join_lines(lines) == ["甲乙"]                 # 40 px < 1.2 em of 40 px
    assert join_lines(lines, em=20) == ["甲", "乙"]      # 40 px >= 1.2 em of 20 px


def test_robust_inputs():
    assert join_lines([]) == []
    assert join_lines([ln("   "), ln("")]) == []
    # empty lines are ignored, degenerate boxes fall back to text only
    zero = [Line(BBox(0, 0, 0, 0), "甲"), Line(BBox(0, 0, 0, 0), "乙")]
    assert join_lines(zero) == ["甲乙"]
    lines = rows(("甲", *INDENT), ("", 0, 10), ("乙", *FULL))
    assert join_lines(lines) == ["甲乙"]


def test_split_false_for_titles():
    lines = rows(("中国围棋王赛", 100, 900), ("开战", 400, 600))
    assert join_lines(lines) == ["中国围棋王赛", "开战"]
    assert join_lines(lines, split=False) == ["中国围棋王赛开战"]


def test_block_text():
    assert block_text(["一段", "", "二段"]) == "一段\n二段"
    assert block_text([]) == ""


def test_textless_lines_are_ignored_by_starts():
    lines = rows(("", 0, 50), ("甲乙", *FULL), ("", 0, 10), ("丙丁", *INDENT), ("戊", *FULL))
    assert paragraph_starts(lines) == [False, False, False, True, False]
    assert paragraph_starts([]) == [] and paragraph_starts([ln("")]) == [False]
