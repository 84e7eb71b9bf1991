import re

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.recognition.clean import clean_text, is_cjk, is_han

HAN = "中国经济增长他说你们快来吧真的年月日㐀㐁"          # includes Ext A (U+3400)
CJK_PUNCT = "，。、：；？！（）《》“”‘’——……·"
LATIN = "abcXYZ019"
ASCII_PUNCT = ",.:;?!()\"'-%"
SPACES = "  \u3000\t"


@pytest.mark.parametrize("raw, want", [
    # Tesseract's spaces between Han characters (tesseract-ocr/tesseract#991)
    ("中 国 经 济 增 长", "中国经济增长"),
    ("中\u3000国  经济", "中国经济"),
    # no spaces between Han and Latin/digits, one between Latin words
    ("GDP 增 长 3.5 %", "GDP增长3.5%"),
    ("2023 年 7 月", "2023年7月"),
    ("New   York  Times 报道", "New York Times报道"),
    ("  前后空白  ", "前后空白"),
    # ASCII punctuation in Chinese text becomes full-width
    ("你好,世界", "你好，世界"),
    ("他说:好;是吗?是!", "他说：好；是吗？是！"),
    ("什么?!", "什么？！"),
    ("国内生产总值(GDP)增长", "国内生产总值（GDP）增长"),
    ("见(1)条", "见（1）条"),
    ("增长3.5%,其中", "增长3.5%，其中"),
    ("网址:http://x.com", "网址：http://x.com"),
    # a period after Han at line end or before Han
    ("他来了.", "他来了。"),
    ("他来了.我走了.", "他来了。我走了。"),
    ("他来了 .", "他来了。"),
    # quotes: open first, alternate, context across line breaks
    ('"你好"和"再见"', "“你好”和“再见”"),
    ('他说:"你们快来吧,真的."', "他说：“你们快来吧，真的。”"),
    ('"GDP" 增长', "“GDP”增长"),
    ("'好'", "‘好’"),
    ('完了"', "完了”"),           # closing quote of a quote opened on the line before
    ('吧。"他说', "吧。“他说"),
    ("在'97-'98赛季", "在’97-’98赛季"),   # year elision is an apostrophe
    ("在 ' 97 赛季", "在’97赛季"),
    # ASCII inside Latin and numbers stays
    ("每颗长1.5米", "每颗长1.5米"),
    ("增长 3,000 亿", "增长3,000亿"),
    ("这是 U.S. 经济", "这是U.S.经济"),
    ("比分 12:30", "比分12:30"),
    ("f(x) = y, z", "f(x) = y, z"),
    ('say "hi" ok', 'say "hi" ok'),
    ("It's 好", "It's好"),
    # ellipsis and dash runs
    ("等等...好", "等等……好"),
    ("等等......", "等等……"),
    ("等等。。。", "等等……"),
    ("等等…", "等等……"),
    ("等等……", "等等……"),
    ("破折号--这样", "破折号——这样"),
    ("破折号———这样", "破折号———这样"),   # em-dash runs keep their length
    ("破折号――这样", "破折号——这样"),
    ("破折号-—-这样", "破折号——这样"),
    ("破折号 — — 这样", "破折号——这样"),
    ("COVID-19 病例", "COVID-19病例"),
    # full-width letters and digits to ASCII, full-width punctuation kept
    ("Ａ１ 测试 １．５ 米，", "A1测试1.5米，"),
    ("", ""),
    ("   ", ""),
])
def test_examples(raw, want):
    assert clean_text(raw) == want


def test_char_classes():
    assert is_han("中") and is_han("㐀") and is_han("\U00020000")
    assert not is_han("，") and is_cjk("，") and is_cjk("“") and is_cjk("…")
    assert not is_cjk("\u3000") and not is_cjk("a") and not is_cjk(None)


text = st.text(alphabet=HAN + CJK_PUNCT + LATIN + ASCII_PUNCT + SPACES + "．Ａ１…", max_size=40)


@settings(max_examples=400, deadline=None)
@given(text)
def test_idempotent(s):
    once = clean_text(s)
    assert clean_text(once) == once


@settings(max_examples=300, deadline=None)
@given(text)
def test_no_space_touches_chinese(s):
    out = clean_text(s)
    assert out == out.strip()
    assert "  " not in out and "\t" not in out and "\u3000" not in out
    assert not re.search(r"[\u4e00-\u9fff\u3400-\u4dbf]\s+[\u4e00-\u9fff\u3400-\u4dbf]", out)
    for i, c in enumerate(out):
        if c.isspace():
            assert not is_cjk(out[i - 1]) and not is_cjk(out[i + 1])


words = st.lists(st.text(alphabet="abcdefXYZ0123456789", min_size=1, max_size=8), min_size=1,
                 max_size=6)


@settings(max_examples=200, deadline=None)
@given(words, st.lists(st.sampled_from([" ", "  ", "\t", " \u3000 "]), min_size=6, max_size=6))
def test_latin_word_spaces_preserved(ws, seps):
    raw = "".join(w + seps[i] for i, w in enumerate(ws)).strip()
    assert clean_text(raw) == " ".join(ws)
    # also inside Chinese text: the words keep their spaces, Han neighbours lose theirs
    assert clean_text("中 国 " + raw + " 经 济") == "中国" + " ".join(ws) + "经济"


numbers = st.one_of(
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False).map(str),
    st.integers(min_value=1000, max_value=10**9).map(lambda n: f"{n:,}"),
    st.sampled_from(["U.S.", "12:30", "3,000", "1.5", "2023.7", "1.2.3", "v2.0"]),
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=HAN, min_size=1, max_size=5), numbers,
       st.text(alphabet=HAN, min_size=1, max_size=5), st.sampled_from(["", " ", "  "]))
def test_numbers_intact(pre, num, post, sp):
    out = clean_text(pre + sp + num + sp + post)
    assert out == pre + num + post


def test_backtick_or_backslash_between_han_is_the_enumeration_comma():
    assert clean_text("技能提升`作用发挥\\支撑保障") == "技能提升、作用发挥、支撑保障"
    assert clean_text("a`b") == "a`b"


def test_dash_read_as_two_ones_before_a_title_mark():
    assert clean_text("一一《新时期》系列") == "——《新时期》系列"
    assert clean_text("一一对应") == "一一对应"
