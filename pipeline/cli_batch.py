"""`magscan rerun` and `magscan status`: working from the manifest of a batch."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .cli import (EXIT_FAILED, EXIT_OK, EXIT_USAGE, check_engine, fail, finish, option_changes,
                  recognition_options, run_options, settings_from)
from .manifest import FILENAME, Manifest, Row
from .options import Options

RERUN_MARK = "_rerun"  # in a row's recorded options: chosen per page, kept by convert


def _out_dir(out: Path) -> Path:
    if not (out / FILENAME).is_file():
        fail(f"{out}: no {FILENAME} here (is it a magscan output folder?)", EXIT_USAGE)
    return out


def options_of(row: Row) -> Options:
    d = {k: v for k, v in row.options_dict.items() if not k.startswith("_")}
    return Options.from_dict(d)


def select_rows(manifest: Manifest, failed: bool, below: float | None, pages) -> list[Row]:
    from .pageselect import SelectionError, parse_pages

    try:
        sel = parse_pages(pages)
    except SelectionError as e:
        fail(str(e), EXIT_USAGE)
    known = {r.doc for r in manifest.rows()}
    unknown = sorted(set(sel.docs) - known)
    if unknown:
        fail(f"no document {unknown[0]!r} in this output folder "
             f"(documents: {', '.join(sorted(known)[:5])}{' ...' if len(known) > 5 else ''})",
             EXIT_USAGE)
    out = []
    for r in manifest.rows():
        if (failed and r.status in ("failed", "timeout", "pending", "running")) \
                or (below is not None and r.status == "done" and (r.mean_conf or 0) < below) \
                or (sel and sel.matches(r.doc, r.page_number)):
            out.append(r)
    return out


@click.command("rerun")
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--failed", is_flag=True, help="Pages that failed, timed out or never finished.")
@click.option("--below-confidence", type=float, default=None,
              help="Done pages whose mean OCR confidence is below this (0-100).")
@click.option("--pages", multiple=True, help="Pages to redo: STEM (all) or STEM:3,5-7; repeatable.")
@recognition_options
@run_options
def rerun_cmd(out, failed, below_confidence, pages, dpi, lang, engine, psm, columns,
              keep_headers, deskew, text_layer, layout, **run):
    """Re-process chosen pages of a finished batch in OUT, in place.

    Options given here (e.g. --columns 3, --dpi 400, --engine ppocr) override
    the recorded ones for these pages only, and later `convert` runs keep them."""
    from .batch import run_batch, run_tasks
    from .ingest import file_hash
    from .errors import InputError
    from .worker import PageTask

    if not (failed or below_confidence is not None or pages):
        fail("say which pages: --failed, --below-confidence X or --pages STEM:N", EXIT_USAGE)
    out = _out_dir(out)
    changes = option_changes(dpi, lang, engine, psm, columns, keep_headers, deskew, text_layer, layout)
    settings = settings_from(**run)
    with Manifest(out) as manifest:
        rows = select_rows(manifest, failed, below_confidence, pages)
        tasks, whole_files = [], []
        for r in rows:
            try:
                options = options_of(r).with_(**changes)
            except (TypeError, ValueError) as e:
                fail(str(e), EXIT_USAGE)
            if r.page_number == 0:  # the file itself failed to open: plan it afresh
                whole_files.append((r, options))
                continue
            try:
                digest = file_hash(r.input)
            except InputError as e:
                manifest.update(r.input, r.page_number, status="failed", error=e.reason,
                                attempts=r.attempts + 1)
                click.echo(f"magscan: error: {r.input}: {e.reason}", err=True)
                continue
            recorded = options.to_dict() | ({RERUN_MARK: True} if changes or r.options_dict.get(RERUN_MARK) else {})
            manifest.update(r.input, r.page_number, status="pending", input_hash=digest,
                            fingerprint=options.fingerprint(), options=json.dumps(recorded))
            tasks.append(PageTask(r.input, r.doc, r.page_number, digest, options.to_dict(),
                                  str(out), settings.overlays, settings.formats))
    if not tasks and not whole_files:
        click.echo("magscan: no page matches; nothing to do", err=True)
        sys.exit(EXIT_OK)
    if tasks and settings.executor == "local":
        check_engine(Options.from_dict(tasks[0].options))
    click.echo(f"magscan: re-running {len(tasks) + len(whole_files)} page(s)", err=True)
    result = run_tasks(tasks, out, settings)
    for r, options in whole_files:
        more = run_batch([r.input], out, options, settings)
        result.done += more.done
        result.failed += more.failed
    finish(result, out, verb="re-run")


@click.command("status")
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-n", "--top", type=int, default=5, show_default=True,
              help="How many of the slowest and least confident pages to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def status_cmd(out, top, as_json):
    """Summarise a batch: pages done, failed, timed out and pending; the slowest
    and least confident pages. Exits 1 when any page is not done."""
    out = _out_dir(out)
    with Manifest(out, readonly=True) as manifest:
        rows = manifest.rows()
        counts = manifest.counts()
    done = [r for r in rows if r.status == "done"]
    bad = [r for r in rows if r.status != "done"]
    slow = sorted(done, key=lambda r: -(r.seconds or 0))[:top]
    unsure = sorted(done, key=lambda r: r.mean_conf or 0)[:top]
    if as_json:
        click.echo(json.dumps({
            "counts": counts, "pages": len(rows), "documents": len({r.doc for r in rows}),
            "problems": [{"page": r.label, "input": r.input, "status": r.status,
                          "error": r.error, "attempts": r.attempts} for r in bad],
            "slowest": [{"page": r.label, "seconds": r.seconds} for r in slow],
            "least_confident": [{"page": r.label, "mean_conf": r.mean_conf} for r in unsure],
        }, ensure_ascii=False, indent=1))
    else:
        docs = len({r.doc for r in rows})
        click.echo(f"{out}: {len(rows)} page(s) in {docs} document(s)")
        click.echo("  " + ", ".join(f"{s} {n}" for s, n in counts.items()))
        if done:
            secs = sum(r.seconds or 0 for r in done)
            click.echo(f"  {secs / len(done):.1f} s per page on average")
        if slow:
            click.echo("slowest: " + ", ".join(f"{r.label} ({r.seconds:.1f} s)" for r in slow))
        if unsure:
            click.echo("least confident: " + ", ".join(f"{r.label} ({r.mean_conf:.0f})" for r in unsure))
        if bad:
            click.echo("not done:")
            for r in bad:
                why = f": {r.error}" if r.error else ""
                click.echo(f"  {r.label} [{r.status}, {r.attempts} attempt(s)]{why}")
            click.echo(f"re-run them with: magscan rerun {out} --failed")
    sys.exit(EXIT_FAILED if bad else EXIT_OK)
