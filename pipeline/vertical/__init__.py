"""Vertical text: columns of characters stacked top to bottom, read right to left.

Found before the horizontal layout and kept out of it. What tells vertical
from horizontal Chinese is spacing: in horizontal type the characters of a
line nearly touch and lines are a good part of an em apart; in vertical type
it is the other way round. So the glyphs are smeared a third of a character
down: the characters of a vertical column merge into one tall narrow bar,
while horizontal lines stay apart (their leading is wider than the smear)
and the characters of a line merge, if at all, into a wide block, no bar.
Bars of glyph-sized marks, at least three characters tall, are the columns;
neighbouring columns of one type size form a region.

The regions are painted out of the binary image the horizontal layout works
on (``regions.find_and_hide``), and come back as blocks of direction
"ttb-rtl" after it (``blocks.add_to_layout``): a column of display type is a
title, columns inside a box are a sidebar, the rest body text; each block's
lines are its columns, right to left. The page is a vertical page when most
of its text is in vertical columns; its blocks are then ordered by the same
resolver as any page, on the page mirrored left to right, so that right comes
before left (``blocks.resolve``).

Recognition (``read.read_block``) cuts each column into its character cells
(``grid``) and sets them side by side into a horizontal line (the marks
printed in the upper right of a vertical cell, ，。、, moved to the lower left
where horizontal type has them, ``marks``), so the page's own engine and
model read vertical text as they read horizontal text; with a ``*_vert``
language Tesseract's vertical model reads the columns as they stand
(``--psm 5``).

The modules, in the order they run: ``columns`` (what a column is; the
columns of one type size found as bars), ``regions`` (a page's columns in
regions; painted out of the layout's image), ``blocks`` (the regions as the
page's blocks; their order and text), ``grid`` (the pitch and character cells
of a column), ``marks`` (the corner marks), ``read`` (a vertical block read).
"""
