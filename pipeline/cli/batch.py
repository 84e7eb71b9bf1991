"""`magscan rerun` and `magscan status`: working from the manifest of a batch."""
from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import click

from .common import (check_engine, fail, finish, option_changes, recognition_options, run_options,
                     settings_from)
from ..text.plausibility import doubts
from ..errors import ExitCode, one_line, shown
from ..batch.manifest import FILENAME, Manifest, Row

NOT_DONE = ("failed", "timeout", "pending", "running")


def _out_dir(out: Path) -> Path:
    if not (out / FILENAME).is_file():
        fail(f"{out}: no {FILENAME} here (is it a magscan output folder?)", ExitCode.USAGE)
    return out


def _selector(failed: bool, flagged: bool, below: float | None, pages):
    """The rows a rerun takes, chosen under the lock; usage errors first."""
    from ..errors import UsageError
    from ..ingest.pageselect import SelectionError, parse_pages

    try:
        sel = parse_pages(pages)
    except SelectionError as e:
        fail(str(e), ExitCode.USAGE)

    def select(manifest: Manifest) -> list[Row]:
        rows = manifest.rows()
        known = {r.doc for r in rows}
        unknown = sorted(set(sel.docs) - known)
        if unknown:
            raise UsageError(f"no document {unknown[0]!r} in this output folder (documents: "
                             f"{', '.join(sorted(known)[:5])}{' ...' if len(known) > 5 else ''})")
        for doc in sorted(sel.docs):  # pages named that the document does not have
            have = {r.page_number for r in rows if r.doc == doc and r.page_number}
            # a range that runs on past the last page (3-999) is "from 3 on";
            # a page or range with no page of the document names nothing
            for a, b in sel.docs[doc] or []:
                if not any(a <= n <= b for n in have):
                    which = f"page {a}" if a == b else f"pages {a} to {b}"
                    raise UsageError(f"document {doc!r} has no {which} (its pages: "
                                     f"{_ranges(sorted(have)) or 'none'}); nothing was re-run")
        return [r for r in rows
                if (failed and r.status in NOT_DONE)
                or (flagged and r.status == "done" and r.flagged)
                or (below is not None and r.status == "done" and (r.mean_conf or 0) < below)
                or (sel and sel.matches(r.doc, r.page_number))]
    return select


def _ranges(numbers: list[int]) -> str:
    out: list[list[int]] = []
    for n in numbers:
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return ",".join(f"{a}" if a == b else f"{a}-{b}" for a, b in out)


@click.command("rerun")
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--failed", is_flag=True, help="Pages that failed, timed out or never finished.")
@click.option("--flagged", is_flag=True,
              help="Done pages whose text magscan doubts (layout fell back, implausible text).")
@click.option("--below-confidence", type=float, default=None,
              help="Done pages whose mean OCR confidence is below this (0-100).")
@click.option("--pages", multiple=True, help="Pages to redo: STEM (all) or STEM:3,5-7; repeatable.")
@recognition_options
@run_options
def rerun_cmd(out, failed, flagged, below_confidence, pages, dpi, lang, engine, psm, columns,
              keep_headers, deskew, text_layer, layout, **run):
    """Re-process chosen pages of a finished batch in OUT, in place.

    Options given here (e.g. --columns 3, --dpi 400, --engine ppocr) override
    the recorded ones for these pages only, and later `convert` runs keep them."""
    from ..batch.runner import rerun_batch

    if not (failed or flagged or below_confidence is not None or pages):
        fail("say which pages: --failed, --flagged, --below-confidence X or --pages STEM:N",
             ExitCode.USAGE)
    out = _out_dir(out)
    changes = option_changes(dpi, lang, engine, psm, columns, keep_headers, deskew, text_layer, layout,
                             run.pop("orient", None))
    settings = settings_from(**run)
    select = _selector(failed, flagged, below_confidence, pages)
    result = rerun_batch(out, select, changes, settings, check=check_engine)
    if result is None:
        click.echo("magscan: no page matches; nothing to do", err=True)
        sys.exit(ExitCode.OK)
    finish(result, out, verb="re-run")


def _age(stamp: str) -> float | None:
    """Seconds since a manifest time stamp (UTC, ISO 8601)."""
    import calendar
    import time
    try:
        return max(0.0, time.time() - calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")))
    except (TypeError, ValueError):
        return None


def _summary(out: Path, rows: list[Row], counts: dict, top: int) -> dict:
    from ..batch.manifest import batch_running

    done = [r for r in rows if r.status == "done"]
    in_flight = [r for r in rows if r.status == "running"]
    return {
        "rows": rows, "counts": counts, "done": done,
        # running rows with no batch holding OUT were left by a run that was
        # stopped: the same command resumes them
        "running": in_flight, "live": bool(in_flight) and batch_running(out) is not False,
        "bad": [r for r in rows if r.status not in ("done", "running")],
        "flagged": [r for r in done if r.flagged],
        "slow": sorted(done, key=lambda r: -(r.seconds or 0))[:top],
        "unsure": sorted(done, key=lambda r: r.mean_conf or 0)[:top],
    }


def _print_json(s: dict) -> None:
    rows = s["rows"]
    click.echo(json.dumps({
        "counts": s["counts"], "pages": len(rows), "documents": len({r.doc for r in rows}),
        "batch_running": s["live"],
        "running": [{"page": r.label, "input": r.input, "since": r.updated_at,
                     "seconds": _age(r.updated_at)} for r in s["running"]],
        "problems": [{"page": r.label, "input": r.input, "status": r.status,
                      "error": r.error, "attempts": r.attempts} for r in s["bad"]],
        "flagged": [{"page": r.label, "input": r.input, "flags": doubts(r.flag_list)}
                    for r in s["flagged"]],
        "slowest": [{"page": r.label, "seconds": r.seconds} for r in s["slow"]],
        "least_confident": [{"page": r.label, "mean_conf": r.mean_conf} for r in s["unsure"]],
    }, ensure_ascii=False, indent=1))


def _print_text(out: Path, s: dict) -> None:
    rows, done = s["rows"], s["done"]
    click.echo(f"{shown(out)}: {len(rows)} page(s) in {len({r.doc for r in rows})} document(s)")
    click.echo("  " + ", ".join(f"{k} {n}" for k, n in s["counts"].items())
               + f", flagged {len(s['flagged'])}")
    if done:
        secs = sum(r.seconds or 0 for r in done)
        click.echo(f"  {secs / len(done):.1f} s per page on average")
    if s["slow"]:
        click.echo("slowest: " + ", ".join(f"{shown(r.label)} ({r.seconds or 0:.1f} s)"
                                           for r in s["slow"]))
    if s["unsure"]:
        click.echo("least confident: " + ", ".join(f"{shown(r.label)} ({r.mean_conf or 0:.0f})"
                                                   for r in s["unsure"]))
    if s["running"]:
        if s["live"]:
            click.echo("running now (in flight):")
        else:
            click.echo("interrupted (started by a run that is gone; the same command resumes them):")
        for r in s["running"]:
            age = _age(r.updated_at)
            when = f" for {age:.0f} s" if s["live"] and age is not None else f" at {r.updated_at}"
            click.echo(f"  {shown(r.label)} ({shown(Path(r.input).name)} page {r.page_number}){when}")
    if s["flagged"]:
        click.echo("flagged (text in doubt):")
        for r in s["flagged"]:
            click.echo(f"  {shown(r.label)}: {one_line('; '.join(doubts(r.flag_list)))}")
        click.echo(f"re-run them with: magscan rerun {shown(out)} --flagged")
    if s["bad"]:
        click.echo("not done:")
        for r in s["bad"]:
            why = f": {one_line(r.error)}" if r.error else ""
            click.echo(f"  {shown(r.label)} [{r.status}, {r.attempts} attempt(s)]{why}")
        click.echo(f"re-run them with: magscan rerun {shown(out)} --failed")


@click.command("status")
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-n", "--top", type=click.IntRange(min=0), default=5, show_default=True,
              help="How many of the slowest and least confident pages to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def status_cmd(out, top, as_json):
    """Summarise a batch: pages done, failed, timed out and pending; pages whose
    text is in doubt (flagged); the slowest and least confident pages. Exits 1
    when any page is not done."""
    out = _out_dir(out)
    try:
        with Manifest(out, readonly=True) as manifest:
            rows = manifest.rows()
            counts = manifest.counts()
    except sqlite3.Error as e:
        fail(f"{out / FILENAME}: cannot read the manifest ({e})", ExitCode.OUTPUT)
    s = _summary(out, rows, counts, top)
    if as_json:
        _print_json(s)
    else:
        _print_text(out, s)
    sys.exit(ExitCode.FAILED if s["bad"] or s["running"] else ExitCode.OK)
