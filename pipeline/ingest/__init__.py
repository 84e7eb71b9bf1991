"""Reading inputs: files and folders searched for inputs (find), their types
checked (filetypes), image and PDF files into page images (files), a PDF's own
text layer (textlayer), other engines' OCR output (ocr_files), page ranges
(pageselect)."""
