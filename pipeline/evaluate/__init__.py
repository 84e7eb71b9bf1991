"""Scoring against ground truth: text (CER, bag-of-characters, reading order)
and layout (block boxes and kinds)."""
