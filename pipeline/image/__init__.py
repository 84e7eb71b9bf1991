"""The page image before layout: grey, straight, cropped (preprocess), a
two-page spread cut in two (spread), tinted panels evened out (panels)."""
