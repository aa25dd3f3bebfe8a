"""Plain-text lines of a result (a tender's ranking, a register's KPI statuses) for the terminal.

Pure text from the result, so it can be made in the worker process that holds the result:
batch validation then sends back a few lines instead of the whole result. Figures are
rounded here, for display only; ranking and rating were done on unrounded values.
"""

from __future__ import annotations

from typing import Any


def result_lines(result: Any) -> list[str]:
    """The lines printed under a workbook's findings (none for a result-less outcome)."""
    if result is not None and hasattr(result, "statuses"):
        return _kpi_lines(result)
    if result is None or not hasattr(result, "results"):
        return []
    lines = ["  Ranking (rounded for display; ranked on unrounded totals):"]
    for r in result.results:
        total = f"{r.total:7.2f}" if r.total is not None else "      -"
        rank = f"{r.rank:>3}" if r.rank is not None else "  -"
        lines.append(f"  {rank}  {total}  {r.bidder}  [{r.status_text}]")
    return lines


def _kpi_lines(result: Any) -> list[str]:
    """KPI register status lines (rounded for display; rated on unrounded figures)."""
    when = f"{result.reporting_date:%d/%m/%Y}" if result.reporting_date else "no period reported"
    lines = [f"  KPI status to {when} ({result.elapsed:.1%} of the contract elapsed; £ from "
             f"{result.proxy_label or 'no proxy set: quantities only'}):"]
    for s in result.statuses:
        pct = f"{s.percent:7.1%}" if s.percent is not None else "      -"
        gbp = f"  £{s.social_value_gbp:,.2f} ({s.proxy_label})" if s.social_value_gbp is not None else ""
        expected = f"{s.expected:,.2f} expected" if s.expected is not None else "no valid target"
        lines.append(f"  {s.kpi_id:<8} {pct}  {s.delivered:,.2f} of {expected} {s.unit}  [{s.rating}]{gbp}")
    return lines
