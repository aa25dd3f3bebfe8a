"""The ``sv-workbook`` command line (click).

Exit codes, the same for every command (the README's table): 0 done, nothing at the
``--fail-on`` level; 1 findings at that level (errors by default; for ``summaries`` the gaps
that block the documents; for ``report`` a register left out); 2 nothing done: a usage
error, a write refused or failed (an existing file without ``--force``, a workbook open in
Excel, content that would be lost, a folder that cannot be written), or no workbook given
could be read. In ``validate`` an unreadable file among others is an error finding for that
file, so one bad file in a folder of hundreds does not hide the others' results.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Iterator, TextIO

import click

from sv_workbook import __version__
from sv_workbook.app.batch import BatchUsageError, discover, iter_batch, progress_bar
from sv_workbook.core.catalogue import VERIFY_CHANGED
from sv_workbook.core.contracts import CONTRACTS
from sv_workbook.core.findings import Severity
from sv_workbook.core.outcome import Outcome, exit_code
from sv_workbook.reports.batch_formats import FORMATS, write_results
from sv_workbook.core.policy import DEFAULT_POLICY, Policy, PolicyError, load_policy
from sv_workbook.xlsx.safe_write import TEMP_PREFIX, WriteRefused, flush_file, flush_folder, mode_for


def _policy(path: str | None) -> Policy:
    if not path:
        return DEFAULT_POLICY
    try:
        return load_policy(path)
    except PolicyError as exc:
        raise click.UsageError(str(exc)) from exc


policy_option = click.option("--policy", "policy_path", type=click.Path(dir_okay=False),
                             help="TOML file overriding the trust's policy numbers (see README).")
as_of_option = click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]),
                            help="Check as at this date (YYYY-MM-DD) instead of today.")
measures_option = click.option("--measures", "measures_path", type=click.Path(dir_okay=False),
                               help="The trust's own measures CSV (local priorities and measures), added to the "
                                    "default library (see `sv-workbook measures`).")
jobs_option = click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
                           help="Workbooks checked at once (default: all cores).")
proxies_option = click.option("--proxies", "proxies_path", type=click.Path(dir_okay=False),
                              help="£ proxy values CSV (code,gbp_per_unit,year,source[,deadweight_pct,"
                                   "attribution_pct]) for KPI registers' £ social value.")


def _review_notice(policy: Policy, today: date) -> None:
    """Once per run, on stderr (stdout may be JSON or CSV): the policy is past its review date."""
    notice = policy.review_notice(today)
    if notice is not None:
        click.echo(f"Notice: {notice.message} {notice.hint}", err=True)


def _library(path: str | None):
    """The measure library in force; a trust file with errors stops the command (exit 2)."""
    from sv_workbook.core.kpi.measures import load_library

    library, findings = load_library(path)
    _refuse_on_errors(findings, "measures file")
    return library


def _proxies(path: str | None, library):
    if not path:
        return None
    from sv_workbook.core.kpi.proxies import load_proxies

    proxies, findings = load_proxies(path, library)
    _refuse_on_errors(findings, "proxy file")
    return proxies


def _refuse_on_errors(findings, what: str) -> None:
    """CSV findings go to stderr (stdout may be JSON); errors mean the file cannot be trusted."""
    for f in findings:
        click.echo(str(f), err=True)
    if any(f.severity is Severity.ERROR for f in findings):
        click.echo(f"Not run: fix the {what} first (the rows above name what is wrong).", err=True)
        sys.exit(2)


def _options(measures_path: str | None, proxies_path: str | None) -> dict:
    library = _library(measures_path)
    return {"library": library, "proxies": _proxies(proxies_path, library)}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sv-workbook")
def main() -> None:
    """Social value workbooks: templates, validation, scoring and reports."""


@main.group()
def new() -> None:
    """Write a blank template workbook."""


force_option = click.option("--force", is_flag=True,
                            help="Replace PATH if it exists (a timestamped backup of it is kept first).")


@new.command("tender")
@click.argument("path", type=click.Path(dir_okay=False))
@force_option
@policy_option
def new_tender(path: str, force: bool, policy_path: str | None) -> None:
    """Write the tender evaluation template to PATH (an existing file is refused without --force)."""
    from sv_workbook.xlsx.tender_template import write_tender_template

    policy = _policy(policy_path)
    _write_template(lambda: write_tender_template(path, policy, replace=force), path)


@new.command("kpi-register")
@click.argument("path", type=click.Path(dir_okay=False))
@force_option
@policy_option
@measures_option
def new_kpi_register(path: str, force: bool, policy_path: str | None, measures_path: str | None) -> None:
    """Write the social value KPI register template to PATH (an existing file is refused without --force)."""
    from sv_workbook.xlsx.kpi_template import write_kpi_template

    policy, library = _policy(policy_path), _library(measures_path)
    _write_template(lambda: write_kpi_template(path, policy, library, replace=force), path)


@main.command()
@click.argument("path", type=click.Path(dir_okay=False), default="sv_workbook.xlam")
def addin(path: str) -> None:
    """Write the Excel add-in (default sv_workbook.xlam): a Social value ribbon tab for any open workbook.

    IT installs it once with `xlwings addin install --file PATH` (docs/live-excel.md). It carries
    the VBA of the xlwings installed now: write it again after upgrading xlwings.
    """
    from sv_workbook.xlsx.vba.addin import write_addin

    try:
        _write_template(lambda: write_addin(path), path)
    except ValueError as exc:  # not an .xlam name
        raise click.UsageError(str(exc)) from exc


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True)
@measures_option
def measures(fmt: str, measures_path: str | None) -> None:
    """List the measure library in force: the codes a KPI register may use."""
    from sv_workbook.core.kpi.measures import library_csv, library_text

    library = _library(measures_path)
    click.echo(library_csv(library) if fmt == "csv" else library_text(library), nl=False)


@main.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--wheel-url", metavar="URL",
              help="HTTPS address where the trust publishes the wheel (the file itself, or its folder ending in /).")
@click.option("--from-index", is_flag=True,
              help="Self-hosted xlwings Lite: install sv-workbook by name from the private index it is set up with.")
def lite(folder: str, wheel_url: str | None, from_index: bool) -> None:
    """Write what xlwings Lite needs into FOLDER: the wheel, main.py and requirements.txt (see docs/live-excel.md)."""
    from sv_workbook.app.lite_bundle import BundleRefused, write_bundle

    try:
        written = write_bundle(folder, wheel_url, from_index)
    except BundleRefused as exc:
        raise click.UsageError(str(exc)) from exc
    for path in written:
        click.echo(f"Wrote {path}")
    if wheel_url:
        click.echo(f"Publish {written[0].name} at {written[2].read_text(encoding='utf-8').splitlines()[-1]}, "
                   "then paste requirements.txt and main.py into the xlwings Lite editor.")


def _write_template(write, path: str) -> None:
    """Write, and say where any replaced file went; a refused or failed write exits 2."""
    try:
        backup = write()
    except (WriteRefused, OSError) as exc:
        click.echo(f"Not written: {exc}", err=True)
        sys.exit(2)
    click.echo(f"Wrote {path}" + (f" (the file it replaced is kept as {backup})" if backup else ""))


@main.command()
@click.argument("kind", type=click.Choice(sorted(CONTRACTS)), required=False)
def contract(kind: str | None) -> None:
    """Print the workbook contract(s) as Markdown (the README embeds this text)."""
    kinds = [kind] if kind else list(CONTRACTS)
    click.echo("\n".join(CONTRACTS[k].to_markdown() for k in kinds), nl=False)


@main.command()
@click.argument("code", required=False)
def codes(code: str | None) -> None:
    """List the finding codes, or explain CODE: what it means and how to fix it (as docs/findings.md)."""
    from difflib import get_close_matches

    from sv_workbook.core.catalogue import CATALOGUE, by_area, describe

    if code is None:
        for area, entries in by_area().items():
            click.echo(area)
            for e in entries:
                click.echo(f"  {e.code:<34} {e.severity.value:<8} {e.title}")
            click.echo("")
        click.echo("`sv-workbook codes CODE` says what a code means and how to fix it.")
        return
    entry = CATALOGUE.get(code.strip().upper().replace("_", "-"))
    if entry is None:
        close = get_close_matches(code.strip().upper(), list(CATALOGUE), n=3, cutoff=0.5)
        raise click.UsageError(f"There is no finding code {code!r}. " + (
            f"Did you mean {' or '.join(close)}?" if close else "`sv-workbook codes` lists them all."))
    click.echo(describe(entry), nl=False)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people; json, csv or junit (one test case per workbook) for tools; html to e-mail. "
                   "csv and html make workbook text inert (no formulas, no markup).")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default="error", show_default=True,
              help="Exit 1 when any finding is at least this severe.")
@jobs_option
@click.option("--dask-scheduler", metavar="ADDRESS",
              help="Run the checks on a Dask cluster (e.g. tcp://10.0.0.5:8786); needs sv-workbook[dask] and "
                   "the files at the same paths on every worker.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr (default: only when both stdout and stderr are a terminal).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the results to this file instead of the screen.")
@click.option("-v", "--verbose", is_flag=True,
              help="Text format: also show notices (info findings) and each workbook's ranking or KPI status "
                   "(shown anyway when only one workbook is checked).")
@policy_option
@as_of_option
@measures_option
@proxies_option
def validate(paths: tuple[str, ...], fmt: str, fail_on: str, jobs: int | None, dask_scheduler: str | None,
             progress: bool | None, output: str | None, verbose: bool, policy_path: str | None, as_of,
             measures_path: str | None, proxies_path: str | None) -> None:
    """Check workbooks (files, folders searched recursively, or globs such as 'returns/**/*.xlsx')
    against their contract and the trust's rules; write nothing to them.

    Exit codes: 0 clean, 1 a finding at the --fail-on level (an unreadable file among others is
    an error finding for that file and the batch carries on), 2 the command was used wrongly or
    no workbook given could be read at all.
    """
    policy = _policy(policy_path)
    today = as_of.date() if as_of else date.today()
    _review_notice(policy, today)
    options = _options(measures_path, proxies_path)
    try:
        targets = discover(paths)
    except BatchUsageError as exc:
        raise click.UsageError(str(exc)) from exc
    if progress is None:
        progress = sys.stderr.isatty() and (sys.stdout.isatty() or output is not None)
    try:
        with _results_stream(output, progress) as out, progress_bar(len(targets), progress) as tick:
            outcomes = iter_batch(targets, policy, today, options, jobs=jobs, dask_scheduler=dask_scheduler,
                                  on_progress=tick, with_lines=verbose or len(targets) == 1)
            tally = write_results(outcomes, fmt, Severity(fail_on), out, verbose)
    except BatchUsageError as exc:
        raise click.UsageError(str(exc)) from exc
    except OSError as exc:  # the -o file cannot be written: a failed write, as for every command
        click.echo(f"Not written: {exc}", err=True)
        sys.exit(2)
    if tally.workbooks and tally.unreadable == tally.workbooks:
        sys.exit(2)  # nothing could be read at all: as `score` does for its one file
    sys.exit(1 if tally.failing else 0)


@contextmanager
def _results_stream(output: str | None, progress: bool) -> Iterator[TextIO]:
    """Where results go as they arrive: a file (replaced only once complete), or the screen.

    With a progress bar on the terminal, screen output is held back (in a spooled
    temporary file, so memory stays flat) until the bar is gone, so the two do not mix.
    """
    if output:
        target = Path(output)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", dir=target.parent or ".",
                                         prefix=TEMP_PREFIX, suffix=target.suffix, delete=False) as tmp:
            try:
                yield tmp
            except BaseException:
                tmp.close()
                Path(tmp.name).unlink(missing_ok=True)
                raise
        os.chmod(tmp.name, mode_for(target))  # ordinary permissions for a file colleagues open (umask)
        flush_file(Path(tmp.name))  # durable as every save (safe_write); a killed run's file is cleaned up later
        os.replace(tmp.name, target)
        flush_folder(target.parent)
    elif progress:
        with tempfile.SpooledTemporaryFile(max_size=8 * 2**20, mode="w+", encoding="utf-8") as held:
            yield held
            held.seek(0)
            shutil.copyfileobj(held, sys.stdout)
    else:
        yield sys.stdout


@main.command()
@click.argument("path", type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Where to write the scored workbook (default: NAME.scored.xlsx beside the input).")
@click.option("--in-place", is_flag=True, help="Replace the input workbook (a timestamped backup is kept).")
@click.option("-v", "--verbose", is_flag=True, help="Also print notices (info findings).")
@click.option("--allow-loss", is_flag=True,
              help="Write the scored copy even if it would lack content the tool cannot keep (pictures, shapes, "
                   "pivot tables...; they are listed). Only for a new file, never with --in-place.")
@policy_option
@as_of_option
@measures_option
@proxies_option
def score(path: str, output: str | None, in_place: bool, verbose: bool, allow_loss: bool, policy_path: str | None,
          as_of, measures_path: str | None, proxies_path: str | None) -> None:
    """Check a workbook, compute its results and fill its report sheet."""
    from sv_workbook.app.jobs import score_file  # openpyxl: loaded only by the commands that write workbooks
    from sv_workbook.xlsx.package_check import WorkbookUnreadable

    policy = _policy(policy_path)
    today = as_of.date() if as_of else date.today()
    _review_notice(policy, today)
    options = _options(measures_path, proxies_path)
    try:
        outcome = score_file(path, output, policy, today, in_place=in_place, options=options,
                             allow_loss=allow_loss)
    except (WriteRefused, OSError) as exc:
        click.echo(f"Not written: {exc}", err=True)
        sys.exit(2)
    except WorkbookUnreadable as exc:
        click.echo(f"Cannot read {path}: {exc.reason}. {exc.hint}", err=True)
        if verbose and exc.detail:
            click.echo(f"  (technical detail: {exc.detail})", err=True)
        sys.exit(2)
    _print([outcome], verbose)
    if outcome.written:
        click.echo(f"Report written to {outcome.written}" + (f" (backup: {outcome.backup})" if outcome.backup else ""))
    elif outcome.readable:
        click.echo("No report written: the workbook does not follow its contract well enough to compute results; "
                   "fix the errors above first.")
    sys.exit(exit_code([outcome]))


def _refused(exc) -> None:
    for f in exc.findings:
        click.echo(f"  {f}", err=True)
    click.echo(str(exc), err=True)
    sys.exit(2)


@main.command()
@click.argument("path", type=click.Path())
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False),
              help="Folder for the evaluator workbooks (created if needed).")
@policy_option
def split(path: str, outdir: str, policy_path: str | None) -> None:
    """Write one evaluator workbook per member of the panel (Evaluators table) into a folder.

    Each holds the criteria and descriptors, the bidders' names (no prices), that evaluator's
    pre-listed Scores rows (their marks already in the master carried over) and their declaration;
    no other evaluator's marks or names. Exit 2 when the tender cannot be split.
    """
    from sv_workbook.app.evaluation import Refused, split_file
    from sv_workbook.xlsx.package_check import WorkbookUnreadable

    try:
        result = split_file(path, outdir, _policy(policy_path))
    except Refused as exc:
        _refused(exc)
    except (WorkbookUnreadable, WriteRefused, OSError) as exc:
        click.echo(f"Not split: {exc}", err=True)
        sys.exit(2)
    for written in result.written:
        click.echo(f"Wrote {written}")


@main.command()
@click.argument("path", type=click.Path())
@click.argument("returns", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Where to write the merged workbook (default: NAME.merged.xlsx beside the master).")
@click.option("--in-place", is_flag=True, help="Replace the master workbook (a timestamped backup is kept).")
@policy_option
def merge(path: str, returns: tuple[str, ...], output: str | None, in_place: bool, policy_path: str | None) -> None:
    """Merge evaluators' returned workbooks (marks and declarations) into the master tender workbook.

    Each evaluator's earlier rows are replaced, so merging twice changes nothing. If any return is
    from another tender, stale, edited in its locked cells, from someone not on the panel, or
    disagrees with another return of the same evaluator, nothing is written (exit 2) and each
    problem names the return file and cell. Then run `sv-workbook validate` or `score`.
    """
    from sv_workbook.app.evaluation import Refused, merge_files
    from sv_workbook.xlsx.package_check import WorkbookUnreadable

    try:
        result = merge_files(path, list(returns), output, _policy(policy_path), in_place=in_place)
    except Refused as exc:
        _refused(exc)
    except (WorkbookUnreadable, WriteRefused, OSError) as exc:
        click.echo(f"Not merged: {exc}", err=True)
        sys.exit(2)
    click.echo(f"Merged {len(result.evaluators)} evaluator(s) ({', '.join(result.evaluators)}) into {result.written}"
               + (f" (backup: {result.backup})" if result.backup else ""))


@main.command()
@click.argument("path", type=click.Path())
@policy_option
def verify(path: str, policy_path: str | None) -> None:
    """Check a scored tender workbook against the fingerprint `score` wrote into it.

    Exit codes: 0 the inputs and unrounded totals are as scored; 1 something changed (each change
    is named), or the workbook carries no record; 2 the workbook cannot be read. Give the same
    --policy file as when it was scored: policy values are part of the record. The fingerprint is
    a checksum, not a signature (see docs/evaluation-workflow.md).
    """
    from sv_workbook.app.verify import MATCH, verify_file

    verdict = verify_file(path, _policy(policy_path))
    for f in verdict.findings:
        click.echo(str(f), err=verdict.code != MATCH)
    if verdict.code == MATCH:
        click.echo(f"{path}: VERIFIED – the inputs and unrounded totals are exactly as scored "
                   f"(fingerprint {verdict.fingerprint}).")
    else:
        changed = sum(f.code == VERIFY_CHANGED.code for f in verdict.findings)
        click.echo(f"{path}: NOT VERIFIED" + (f" – {changed} change(s) since scoring" if changed else ""), err=True)
    sys.exit(verdict.code)


@main.command()
@click.argument("path", type=click.Path())
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False),
              help="Folder for the Word documents (created if needed).")
@click.option("-v", "--verbose", is_flag=True, help="Also print notices and, for a file that cannot be read, "
              "the technical detail.")
@policy_option
@as_of_option
def summaries(path: str, outdir: str, policy_path: str | None, as_of, verbose: bool = False) -> None:
    """Write one assessment summary (.docx) per assessed supplier (Procurement Act 2023 s.50).

    Refuses, listing the gaps and their cells, while any mark lacks a consensus rationale,
    the workbook has errors, or first place is tied.
    """
    from sv_workbook.app.analyse import analyse_file
    from sv_workbook.core.tender.assessment import build_summaries
    from sv_workbook.reports.summaries_docx import write_summaries

    policy = _policy(policy_path)
    today = as_of.date() if as_of else date.today()
    _review_notice(policy, today)
    outcome = analyse_file(path, policy, today)
    if not outcome.readable:
        _print([outcome], verbose)
        sys.exit(2)
    if outcome.kind != "tender" or outcome.result is None:
        _print([outcome], verbose)
        click.echo("Not written: assessment summaries need a tender evaluation workbook that can be scored.", err=True)
        sys.exit(1)
    docs, gaps = build_summaries(outcome.result, policy, outcome.findings)
    if gaps:
        click.echo(f"Not written: {len(gaps)} gap(s) to close before assessment summaries can be sent:", err=True)
        for g in gaps:
            click.echo(f"  {g.at_workbook(Path(path).name)}", err=True)
        sys.exit(1)
    try:
        written = write_summaries(docs, outdir)
    except OSError as exc:
        click.echo(f"Not written: {exc}", err=True)
        sys.exit(2)
    for doc in written:
        click.echo(f"Wrote {doc}")


def _print(outcomes: list[Outcome], verbose: bool = False) -> None:
    from sv_workbook.reports.terminal import result_lines

    for o in outcomes:
        errors = sum(f.severity is Severity.ERROR for f in o.findings)
        warnings = sum(f.severity is Severity.WARNING for f in o.findings)
        click.echo(f"{o.path} ({o.kind or 'unknown'}): {'OK' if o.ok else 'NOT OK'} – {errors} error(s), "
                   f"{warnings} warning(s)")
        notices = [f for f in o.findings if f.severity is Severity.INFO]
        for f in o.findings:
            if f.severity is not Severity.INFO or verbose:
                click.echo(f"  {f}")
        if verbose and o.detail:
            click.echo(f"  (technical detail: {o.detail})")
        if notices and not verbose:
            click.echo(f"  ({len(notices)} notice(s) not shown: add --verbose, or see the report's Findings table)")
        for line in result_lines(o.result):
            click.echo(line)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--period", help="2026, 2026-H1, 2026-H2 (calendar), FY2026, FY2026-H1, FY2026-H2 (financial year, "
                               "starting in the policy's month), or use --from and --to.")
@click.option("--from", "date_from", type=click.DateTime(formats=["%Y-%m-%d"]), help="First day (YYYY-MM-DD).")
@click.option("--to", "date_to", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last day, included (YYYY-MM-DD).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Name of the report: writes NAME.xlsx and NAME.html.")
@jobs_option
@policy_option
@as_of_option
@measures_option
@proxies_option
def report(paths: tuple[str, ...], period: str | None, date_from, date_to, output: str, jobs: int | None,
           policy_path: str | None, as_of, measures_path: str | None, proxies_path: str | None) -> None:
    """Portfolio report (xlsx and web page) from every KPI register and tender under PATHS.

    Registers with errors are listed and left out of the totals. Exit 1 when any
    KPI register was left out for errors or could not be read.
    """
    from sv_workbook.core.periods import PeriodError, date_range, parse_period
    from sv_workbook.core.portfolio import EXCLUDED_ERRORS, KPI_KIND, UNREADABLE, format_headline
    from sv_workbook.app.portfolio_run import run_report

    policy = _policy(policy_path)
    try:
        if period and (date_from or date_to):
            raise click.UsageError("Give --period or --from/--to, not both.")
        if period:
            chosen = parse_period(period, policy.financial_year_start_month)
        elif date_from and date_to:
            chosen = date_range(date_from.date(), date_to.date())
        else:
            raise click.UsageError("Give --period (e.g. FY2026 or 2026-H1) or both --from and --to.")
    except PeriodError as exc:
        raise click.UsageError(str(exc)) from exc
    today = as_of.date() if as_of else date.today()
    _review_notice(policy, today)
    options = _options(measures_path, proxies_path)
    try:
        run = run_report(list(paths), chosen, output, policy, today, options["library"], options["proxies"],
                         jobs=jobs)
    except (WriteRefused, OSError) as exc:
        click.echo(f"Not written: {exc}", err=True)
        sys.exit(2)
    p = run.portfolio
    click.echo(f"Portfolio report {p.period.label} ({p.period.start:%d/%m/%Y} to {p.period.end:%d/%m/%Y}):")
    for h in p.headlines:
        click.echo(f"  {h.label}: {format_headline(h)}" + (f" ({h.note})" if h.note else ""))
    left_out = [s for s in p.sources if s.kind in (KPI_KIND, "unreadable") and s.status in (EXCLUDED_ERRORS,
                                                                                           UNREADABLE)]
    for s in left_out:
        click.echo(f"  LEFT OUT {s.path}: {s.status} ({s.errors} error(s); see the Findings sheet)")
    click.echo(f"Wrote {run.xlsx} and {run.html}")
    sys.exit(1 if left_out else 0)
