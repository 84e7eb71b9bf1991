"""The page image before layout: grey, straight, cropped (preprocess), a
two-page spread cut in two (spread), dark and tinted panels with thresholds
of their own (panels)."""
