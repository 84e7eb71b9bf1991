"""Deterministic synthetic magazine pages with exact ground truth (dev-page format).

>>> from pipeline.synth import random_spec, render_page, write_page
>>> img, truth = render_page(random_spec(7))
>>> write_page("out", "synth_00007", img, truth)
"""
from .layout import PageSpec, random_spec, sample_specs, seed_spec
from .pages import render_page
from .truth import gt_text, write_page, write_truth

__all__ = ["PageSpec", "random_spec", "seed_spec", "sample_specs", "render_page", "write_page", "write_truth", "gt_text"]
