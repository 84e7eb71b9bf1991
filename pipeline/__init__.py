"""magscan: OCR layout repair for simplified-Chinese magazine scans."""
__version__ = "0.1.0"
