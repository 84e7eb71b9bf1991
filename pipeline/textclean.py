"""Clean-up of Chinese OCR text: spacing, punctuation, character width.

Simplified-Chinese magazines follow one typesetting convention (GB/T 15834):
full-width punctuation in Chinese text, no spaces around Han characters,
ASCII punctuation only inside Latin words and numbers ("1.5", "3,000",
"U.S."). OCR output breaks it in predictable ways: Tesseract's chi_sim puts
a space between most Han characters (tesseract-ocr/tesseract#991), reads
full-width punctuation as ASCII, splits "……" and "——" into dot and hyphen
runs, and sometimes returns full-width letters and digits. ``clean_text``
maps one line of OCR text back to the convention.

``clean_text`` is idempotent, so later stages (paragraph joining, the CLI)
may clean again without double conversion. It reaches that by repeating a
cleaning pass to a fixed point: every rewrite only turns ASCII into
full-width, removes white space or shortens dot/dash runs, so the loop ends.
"""
from __future__ import annotations

import re

__all__ = ["clean_text", "is_han", "is_cjk", "is_latin"]

# Full-width letters and digits (Ａ１ａ) to ASCII: NFKC on these only, because
# NFKC would also turn full-width punctuation ，：（ into ASCII, the opposite
# of what Chinese text wants.
_FW_ALNUM = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
             for c in range(r[0], r[1] + 1)}

# Punctuation that belongs to Chinese text even though it lies outside the
# CJK blocks: curly quotes, dashes, ellipsis, the middle dot of foreign names
# (汤马索·姜尼拉), the ratio sign of scores (3∶0), and the marks magazines put
# before author names and captions (□ ▲ ◎).
_CJK_EXTRA = frozenset("“”‘’—―…·∶□■▲△▼▽◆◇○●◎★☆※§№")

_ASCII_TO_FW = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_OPENERS = frozenset("（([{《〈「『【〔“‘")
_CLOSERS = frozenset("）)]}》〉」』】〕”’")
# After these a quote is being opened: ：“ ……
_OPEN_BEFORE = _OPENERS | frozenset("：:")
# Before these a quote is being closed: ”， ”。 ……
_CLOSE_AFTER = _CLOSERS | frozenset("，,。、；;：:？?！!…")

_DASH_RUN = re.compile(r"[-‐‑‒–—―─－]{2,}")
# Three or more dots of any kind, or any run of "…", is one Chinese ellipsis.
_ELLIPSIS = re.compile(r"(?:…|\.{3,}|。{3,}|[·・]{3,})+")
_FW_POINT = re.compile(r"(?<=[0-9])．(?=[0-9])")   # "1．5" after digit conversion
_SPACE_RUN = re.compile(r"[\s\u200b\ufeff]+")
_MAX_PASSES = 8


def is_han(ch: str) -> bool:
    """Han ideograph: URO, Ext A, compatibility ideographs, Ext B and later."""
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x3134F)


def is_cjk(ch: str | None) -> bool:
    """Han, or punctuation/symbols that live in Chinese text (not white space)."""
    if not ch:
        return False
    if is_han(ch) or ch in _CJK_EXTRA:
        return True
    o = ord(ch)
    return (0x3001 <= o <= 0x30FF          # CJK punctuation (not U+3000 space), kana
            or 0xFE10 <= o <= 0xFE1F or 0xFE30 <= o <= 0xFE4F   # vertical/compat forms
            or 0xFF01 <= o <= 0xFF60 or 0xFFE0 <= o <= 0xFFEE)  # full-width forms


def is_latin(ch: str | None) -> bool:
    """Letter or digit of a Latin-script word or number (not Han, not kana)."""
    return bool(ch) and ch.isalnum() and not is_cjk(ch)


def _prev_sig(chars: list[str], i: int) -> str | None:
    """Nearest non-space character before ``i``: OCR spaces must not hide context."""
    for j in range(i - 1, -1, -1):
        if not chars[j].isspace():
            return chars[j]
    return None


def _next_sig(chars: list[str], i: int) -> str | None:
    for j in range(i + 1, len(chars)):
        if not chars[j].isspace():
            return chars[j]
    return None


def _convert_parens(chars: list[str]) -> None:
    """ASCII ( ) in Chinese text to （ ）, converting matched pairs together.

    Pairing keeps "(GDP)" consistent: its inside is Latin, but the pair sits in
    Chinese text, so both halves become full-width, never just one.
    """
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for i, c in enumerate(chars):
        if c in "(（":
            stack.append(i)
        elif c in ")）" and stack:
            pairs.append((stack.pop(), i))
    paired = {i for p in pairs for i in p}
    for i, j in pairs:
        if chars[i] == "(" or chars[j] == ")":
            chinese = (chars[i] == "（" or chars[j] == "）"
                       or is_cjk(_prev_sig(chars, i)) or is_cjk(_next_sig(chars, j))
                       or any(is_cjk(c) for c in chars[i + 1:j]))
            if chinese:
                chars[i], chars[j] = "（", "）"
    for i, c in enumerate(chars):
        if c in "()" and i not in paired and (is_cjk(_prev_sig(chars, i))
                                              or is_cjk(_next_sig(chars, i))):
            chars[i] = _ASCII_TO_FW[c]


def _quote_direction(chars: list[str], i: int, expect_open: bool) -> bool:
    """True if the quote at ``i`` opens. Context first, alternation when unclear.

    Context decides across line breaks too (a quote closed at the start of
    the next line), where pure alternation within the line would flip it.
    """
    left = chars[i - 1] if i > 0 else None
    right = chars[i + 1] if i + 1 < len(chars) else None
    left_blank = left is None or left.isspace()
    right_blank = right is None or right.isspace()
    opens = (left_blank or left in _OPEN_BEFORE) and not (right_blank or right in _CLOSE_AFTER)
    closes = (right_blank or right in _CLOSE_AFTER) and not (left_blank or left in _OPEN_BEFORE)
    if opens != closes:
        return opens
    return expect_open


def _convert_quotes(chars: list[str]) -> None:
    """ASCII " and ' next to Chinese text to “ ” and ‘ ’."""
    expect = {'"': True, "'": True}        # next ambiguous quote opens?
    curly = {'"': "“”", "'": "‘’"}
    for i, c in enumerate(chars):
        if c in "“”":
            expect['"'] = c == "”"
            continue
        if c in "‘’":
            expect["'"] = c == "’"
            continue
        if c not in "\"'":
            continue
        if not (is_cjk(_prev_sig(chars, i)) or is_cjk(_next_sig(chars, i))):
            continue   # quotes around Latin text stay ASCII
        if (c == "'" and i + 2 < len(chars) and chars[i + 1].isdigit()
                and chars[i + 2].isdigit() and (i + 3 == len(chars) or not chars[i + 3].isdigit())
                and not is_latin(chars[i - 1] if i else None)):
            chars[i] = "’"  # year elision: ’97—’98; an apostrophe, not a quote
            continue
        opening = _quote_direction(chars, i, expect[c])
        chars[i] = curly[c][0] if opening else curly[c][1]
        expect[c] = not opening


def _convert_punct(chars: list[str]) -> None:
    """ASCII , : ; ? ! . next to Chinese text to their full-width forms.

    A mark is Chinese when its nearest non-space neighbour on either side is
    Chinese; between two digits or Latin letters ("3,000", "U.S.", "12:30")
    it stays ASCII.
    """
    for i, c in enumerate(chars):
        if c in ",:;?!":
            if is_cjk(_prev_sig(chars, i)) or is_cjk(_next_sig(chars, i)):
                chars[i] = _ASCII_TO_FW[c]
        elif c == ".":
            # Only a period that ends Chinese text: after Han (or a closing
            # mark), at line end or before more Chinese. "1.5米", "U.S.经济"
            # have a digit or letter before the point and stay.
            before, after = _prev_sig(chars, i), _next_sig(chars, i)
            if (before is not None and (is_han(before) or before in _CLOSERS and is_cjk(before))
                    and (after is None or is_cjk(after))):
                chars[i] = "。"


def _fix_spaces(s: str) -> str:
    """Drop white space touching Chinese text, collapse the rest to one space.

    Chinese typesetting has no spaces between Han characters nor between Han
    and Latin/digits ("GDP增长", "2023年"); spaces between Latin words and
    numbers are real and kept, one each.
    """
    def repl(m: re.Match) -> str:
        a = s[m.start() - 1] if m.start() > 0 else None
        b = s[m.end()] if m.end() < len(s) else None
        if a is None or b is None or is_cjk(a) or is_cjk(b):
            return ""
        return " "
    return _SPACE_RUN.sub(repl, s)


def _clean_pass(s: str) -> str:
    s = s.translate(_FW_ALNUM)
    s = _FW_POINT.sub(".", s)
    s = _ELLIPSIS.sub("……", s)
    s = _DASH_RUN.sub("——", s)
    chars = list(s)
    _convert_parens(chars)
    _convert_quotes(chars)
    _convert_punct(chars)
    return _fix_spaces("".join(chars))


def clean_text(s: str) -> str:
    """Clean one line of Chinese OCR text (see the module docstring).

    >>> clean_text("中 国 经 济 , GDP 增 长 3.5 % .")
    '中国经济，GDP增长3.5%。'
    """
    if not s:
        return ""
    for _ in range(_MAX_PASSES):
        out = _clean_pass(s)
        if out == s:
            break
        s = out
    return s
