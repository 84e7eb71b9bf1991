"""Stage 2, columns and blocks. From pixels: pixels (the geometric engine),
pixel_kinds (its blocks and their kinds), geometry (pictures, rules,
frames), gaps (character runs and column gutters), lines, check, fallback,
learned (the region detector's output), regions (the detector), tables,
cells (table cells or running columns, from character runs).
From text boxes (text layers, other engines' OCR): boxes, box_text,
box_gutters, box_split, box_skew. kind_rules: the block-typing thresholds
both engines share."""
