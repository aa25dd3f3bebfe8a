"""The ``report`` job: find the workbooks, check each one, build the portfolio, write both files.

Kept apart from the click command so tests and other tools (a scheduled job, a macro)
run exactly what the command runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sv_workbook.app.batch import Target, run_batch
from sv_workbook.core.outcome import Outcome
from sv_workbook.core.kpi.measures import MeasureLibrary
from sv_workbook.core.periods import Period
from sv_workbook.core.policy import Policy
from sv_workbook.core.portfolio import Portfolio, build_portfolio
from sv_workbook.reports.portfolio_html import write_portfolio_html
from sv_workbook.reports.portfolio_xlsx import write_portfolio_xlsx
from sv_workbook.core.kpi.proxies import ProxySet

SUFFIXES = (".xlsx", ".xlsm")


def collect_workbooks(paths: list[str | Path], skip: tuple[Path, ...] = ()) -> list[Path]:
    """Every workbook named or under a folder named, sorted, each once.

    Left out: Excel's lock files (``~$Book.xlsx``), the backups the tool itself keeps
    (``Book.backup-….xlsx``, which would otherwise count as a second copy of the
    register) and the report's own output files (``skip``).
    """
    found: set[Path] = set()
    skipped = {p.resolve() for p in skip}
    for raw in paths:
        path = Path(raw)
        candidates = (sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
        for p in candidates:
            if path.is_dir() and (p.suffix.lower() not in SUFFIXES or p.name.startswith("~$")
                                  or ".backup-" in p.name):
                continue
            if p.resolve() in skipped:
                continue
            found.add(p)
    return sorted(found, key=str)


@dataclass
class ReportRun:
    portfolio: Portfolio
    outcomes: list[Outcome]
    xlsx: Path
    html: Path


def output_paths(out: str | Path) -> tuple[Path, Path]:
    """``-o report`` (or report.xlsx / report.html) → report.xlsx and report.html."""
    out = Path(out)
    if out.suffix.lower() in (".xlsx", ".html", ".htm"):
        out = out.with_suffix("")
    return out.with_name(out.name + ".xlsx"), out.with_name(out.name + ".html")


def run_report(paths: list[str | Path], period: Period, out: str | Path, policy: Policy, as_of: date,
               library: MeasureLibrary, proxies: ProxySet | None, now: datetime | None = None,
               jobs: int | None = None) -> ReportRun:
    """Check every workbook as ``validate`` does (fast reader, all cores, a bad file is a
    finding), keeping each analysis, then build and write the portfolio."""
    xlsx, html = output_paths(out)
    targets = [Target(str(p), str(p.resolve())) for p in collect_workbooks(paths, skip=(xlsx, html))]
    outcomes = run_batch(targets, policy, as_of, {"library": library, "proxies": proxies}, jobs=jobs,
                         results=True) if targets else []
    portfolio = build_portfolio(outcomes, period, as_of, policy, library, proxies)
    now = now or datetime.now()
    xlsx.parent.mkdir(parents=True, exist_ok=True)
    write_portfolio_xlsx(portfolio, xlsx, now)
    write_portfolio_html(portfolio, html, now)
    return ReportRun(portfolio, outcomes, xlsx, html)


__all__ = ["collect_workbooks", "output_paths", "run_report", "ReportRun"]
