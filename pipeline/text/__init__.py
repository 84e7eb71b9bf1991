"""Text after recognition: clean-up (clean), paragraphs, a page's text from
its ordered blocks (assemble), text in doubt (plausibility)."""
