"""Stage 3, the text of each block: the stage and the engine protocol (stage),
Tesseract (tesseract), PP-OCR (ppocr/), dashes and list markers (markers)."""
