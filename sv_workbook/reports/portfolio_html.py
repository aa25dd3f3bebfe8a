"""Write a ``Portfolio`` as one self-contained web page (website and Board pack).

No network and no script: the styles are inline, the charts are SVG drawn here, and a
Content-Security-Policy forbids fetching anything, so the page shows the same in a
browser, an email attachment or a PDF. Every piece of text is HTML-escaped (names and
titles come from workbooks other people typed). The layout is one column that reads on
a phone; wide tables scroll sideways; a print stylesheet makes clean A4 pages.
"""

from __future__ import annotations

import math
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd

from sv_workbook import __version__
from sv_workbook.xlsx.safe_write import atomic_write
from sv_workbook.core.portfolio import Portfolio, format_gbp, format_headline, format_share

COLOURS = ("#1f4e78", "#c55a11", "#548235", "#7030a0")

CSS = """
:root { --ink: #1b1b1b; --muted: #555; --line: #d0d7de; --brand: #1f4e78; --bad: #a4262c; --good: #2e6b1f; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink);
       background: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem; }
h1 { color: var(--brand); font-size: 1.6rem; line-height: 1.25; margin: 0.5rem 0; }
h2 { color: var(--brand); font-size: 1.25rem; border-bottom: 2px solid var(--brand); padding-bottom: 0.2rem;
     margin-top: 2rem; }
p.meta, p.note { color: var(--muted); font-size: 0.9rem; margin: 0.25rem 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: 0.75rem; margin: 1rem 0;
         padding: 0; list-style: none; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 0.75rem; }
.card .value { display: block; font-size: 1.5rem; font-weight: 700; color: var(--brand); }
.card .label { display: block; font-weight: 600; }
.card .basis { display: block; color: var(--muted); font-size: 0.8rem; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; margin: 0.5rem 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.875rem; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #eef3f8; white-space: nowrap; }
td:first-child { white-space: nowrap; }
td.long { min-width: 16rem; }
table.compact td { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.status-bad { color: var(--bad); font-weight: 600; }
.status-good { color: var(--good); font-weight: 600; }
figure { margin: 0.5rem 0 1rem; }
figure svg { width: 100%; height: auto; max-width: 620px; display: block; }
figcaption { color: var(--muted); font-size: 0.85rem; }
footer { color: var(--muted); font-size: 0.8rem; border-top: 1px solid var(--line); margin-top: 2rem;
         padding-top: 0.5rem; }
@media (max-width: 600px) {
  body { font-size: 15px; }
  main { padding: 0.75rem; }
  h1 { font-size: 1.35rem; }
  .cards { grid-template-columns: 1fr 1fr; }
  .card .value { font-size: 1.2rem; }
}
@media print {
  @page { size: A4; margin: 15mm 12mm; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure, .card, tr { break-inside: avoid; page-break-inside: avoid; }
  .scroll { overflow: visible; }
  table { font-size: 8.5pt; }
  td.long { min-width: 0; }
  table.compact { font-size: 7pt; }
  table.compact td { white-space: normal; }
  table.compact td:first-child { white-space: nowrap; }
td.long { min-width: 16rem; }
  figure svg { max-width: 140mm; }
  thead { display: table-header-group; }
  th { background: none; border-bottom: 1.5px solid #000; }
  .cards { grid-template-columns: repeat(3, 1fr); }
}
"""


def write_portfolio_html(portfolio: Portfolio, path: str | Path, now: datetime | None = None) -> Path:
    """Write the page atomically (a temporary file renamed into place, with umask permissions)."""
    path = Path(path)
    page = render_portfolio_html(portfolio, now or datetime.now())
    atomic_write(path, lambda tmp: tmp.write_text(page, encoding="utf-8"), backup=False)
    return path


def render_portfolio_html(p: Portfolio, now: datetime) -> str:
    gbp_note = (f"£ figures use the proxy set {p.proxy_label}; a blank £ means that measure has no proxy and is "
                "reported as a quantity." if p.proxy_label else
                "No proxy set was given, so no £ figures are shown; delivery is reported as quantities.")
    proxy_note = (f"£ figures: proxy set {p.proxy_label}." if p.proxy_label else
                  "No proxy set: quantities only, no £ figures.")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:\">",
        f"<title>{_e('Social value report ' + p.period.label)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>Social value report: {_e(p.period.label)}</h1>",
        _meta(f"{p.period.start:%d %B %Y} to {p.period.end:%d %B %Y} (both days included). "
              f"Registers checked as at {p.as_of:%d %B %Y}."),
        _meta(gbp_note),
        _meta(f"Policy applied: {p.policy_label}."),
        _headlines(p),
        _section("by-priority", "Social value by priority", [
            _note(proxy_note),
            _note("National priorities first, then the trust's local priorities. Quantities in different units are "
                  "never added; KPIs without a proxy are counted in the last column."),
            _chart("£ by priority", list(p.by_priority["Priority"]),
                   [("In the period", p.by_priority["GBPInPeriod"]), ("Cumulative", p.by_priority["GBPCumulative"])],
                   format_gbp),
            _table(p.by_priority, {"Priority": "Priority", "PriorityType": "Type", "Contracts": "Contracts",
                                   "KPIs": "KPIs", "KPIsGood": "KPIs rated Good", "GBPInPeriod": "£ in period",
                                   "GBPCumulative": "£ cumulative", "KPIsWithoutProxy": "KPIs without proxy"}),
        ]),
        _section("by-contract", "Social value and ratings by contract", [
            _note(proxy_note),
            _note("Ratings are the Procurement Act 2023 s.71 words, as at the period end, over all the contract's "
                  "KPIs (each KPI counted as its share of its own target)."),
            _chart("£ by contract", list(p.by_contract["ContractRef"]),
                   [("In the period", p.by_contract["GBPInPeriod"]), ("Cumulative", p.by_contract["GBPCumulative"])],
                   format_gbp),
            _table(p.by_contract, {"ContractRef": "Contract", "ContractTitle": "Title", "Supplier": "Supplier",
                                   "ContractValue": "Value", "KPIs": "KPIs", "PercentOfExpected": "% of expected",
                                   "Rating": "Rating", "GBPInPeriod": "£ in period", "GBPCumulative": "£ cumulative",
                                   "LastPeriodEnd": "Last period reported"}),
        ]),
        _section("commitments", "Commitments against delivery", [
            _note("Share of each contract's whole-contract targets expected by its latest reported period (pro rata) "
                  "and delivered, as at the period end."),
            _chart("Expected and delivered share of target", list(p.by_contract["ContractRef"]),
                   [("Expected", p.by_contract["ExpectedShare"]), ("Delivered", p.by_contract["DeliveredShare"])],
                   format_share),
            _table(p.kpis, {"ContractRef": "Contract", "KPI_ID": "KPI", "MeasureCode": "Measure", "Unit": "Unit",
                            "Target": "Target", "ExpectedToDate": "Expected to date",
                            "DeliveredInPeriod": "Delivered in period", "DeliveredToDate": "Delivered to date",
                            "PercentOfExpected": "% of expected", "Rating": "Rating", "ProxySet": "Proxy set"},
                   compact=True),
        ]),
        _section("by-supplier", "Social value by supplier", [
            _note(proxy_note),
            _chart("£ by supplier (cumulative)", list(p.by_supplier["Supplier"]),
                   [("Cumulative", p.by_supplier["GBPCumulative"])], format_gbp),
            _table(p.by_supplier, {"Supplier": "Supplier", "Contracts": "Contracts", "ContractValue": "Contract value",
                                   "SME": "SME", "VCSE": "VCSE", "GBPInPeriod": "£ in period",
                                   "GBPCumulative": "£ cumulative"}),
        ]),
        _section("by-measure", "Delivery by measure", [
            _note(proxy_note),
            _note("Quantities are in each measure's own unit. The proxy set column says where each £ figure came "
                  "from."),
            _chart("£ by measure (cumulative)", list(p.by_measure["MeasureCode"]),
                   [("Cumulative", p.by_measure["GBPCumulative"])], format_gbp),
            _table(p.by_measure, {"MeasureCode": "Code", "Measure": "Measure", "Unit": "Unit",
                                  "DeliveredInPeriod": "Delivered in period", "DeliveredToDate": "Delivered to date",
                                  "GBPInPeriod": "£ in period", "GBPCumulative": "£ cumulative",
                                  "ProxySet": "Proxy set"}),
        ]),
        _section("sme-vcse", "Contract value with SMEs and VCSEs", [
            _note("Contracts live in the period (their dates overlap it)."),
            _chart("Share of contract value", list(p.diversity["Suppliers"]),
                   [("Share", p.diversity["ShareOfValue"])], format_share, fixed_max=1.0),
            _table(p.diversity, {"Suppliers": "Suppliers", "Contracts": "Contracts", "ContractValue": "Value",
                                 "ShareOfValue": "Share of value"}),
        ]),
        _section("tenders", "Tenders: social value weighting", [
            _note("Social value weighting as a share of the quality score. The Strategy's minimum applies to tenders "
                  "over the threshold except framework call-offs."),
            _chart("Social value weighting (% of quality)", list(p.tenders["TenderRef"]),
                   [("Weighting", p.tenders["SVWeightPercent"]), ("Minimum", p.tenders["MinimumPercent"])],
                   lambda v: "–" if v is None else f"{v:g}%"),
            _table(p.tenders, {"TenderRef": "Tender", "TenderTitle": "Title", "ContractValue": "Value",
                               "Route": "Route", "ProcurementStart": "Procurement start",
                               "SVWeightPercent": "Social value %", "MinimumPercent": "Minimum %",
                               "Result": "Result"}),
        ]),
        _section("sources", "Workbooks read (audit trail)", [
            _note("Only registers marked Included are in the figures above. A register with errors is left out "
                  "until it is fixed."),
            _table(pd.DataFrame([{"Workbook": Path(s.path).name, "Kind": s.kind, "Contract": s.contract_ref,
                                  "Status": s.status, "Errors": s.errors, "Warnings": s.warnings, "Note": s.note}
                                 for s in p.sources],
                                columns=["Workbook", "Kind", "Contract", "Status", "Errors", "Warnings", "Note"]),
                   None),
            _findings(p),
        ]),
        "<footer>" + _e(f"Made by sv-workbook {__version__} on {now:%d/%m/%Y %H:%M} from the workbooks listed "
                        "above.") + "</footer>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _e(text: Any) -> str:
    return escape(str(text), quote=True)


def _meta(text: str) -> str:
    return f'<p class="meta">{_e(text)}</p>'


def _note(text: str) -> str:
    return f'<p class="note">{_e(text)}</p>'


def _section(ident: str, title: str, body: list[str]) -> str:
    return f'<section id="{_e(ident)}"><h2>{_e(title)}</h2>\n' + "\n".join(body) + "\n</section>"


def _headlines(p: Portfolio) -> str:
    cards = [f'<li class="card" data-figure="{_e(h.label)}"><span class="value">{_e(format_headline(h))}</span>'
             f'<span class="label">{_e(h.label)}</span><span class="basis">{_e(h.note)}</span></li>'
             for h in p.headlines]
    return '<ul class="cards">' + "".join(cards) + "</ul>"


def _findings(p: Portfolio) -> str:
    errors = [f for f in p.findings if f.severity.value == "error"]
    if not errors:
        return _note("No errors were found in the workbooks read.")
    df = pd.DataFrame([{"Workbook": f.workbook, "Place": f.location.replace(f"'{f.workbook}'", "").strip(),
                        "Problem": f.message, "Fix": f.hint} for f in errors])
    return f"<h3>Errors ({len(errors)})</h3>" + _table(df, None)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def _display(column: str, value: Any) -> tuple[str, bool]:
    """(text, is_number) for one table cell; money whole pounds, shares as percent."""
    if _is_blank(value):
        return "–", False
    if isinstance(value, bool):
        return ("Yes" if value else "No"), False
    if column in ("GBPInPeriod", "GBPCumulative", "ContractValue"):
        return format_gbp(float(value)), True
    if column in ("ShareOfValue", "PercentOfExpected", "ExpectedShare", "DeliveredShare"):
        return format_share(float(value)), True
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y"), False
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip("."), True
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}", True
    if hasattr(value, "item"):
        return _display(column, value.item())
    return str(value), False


def _table(df: pd.DataFrame, columns: dict[str, str] | None, compact: bool = False) -> str:
    """A table that scrolls sideways on a phone; ``compact`` keeps each row on one line (long lists)."""
    columns = columns or {c: c for c in df.columns}
    if df.empty:
        return _note("None in this report.")
    head = "".join(f'<th scope="col">{_e(label)}</th>' for label in columns.values())
    rows = []
    for record in df[list(columns)].itertuples(index=False):
        cells = []
        for column, value in zip(columns, record):
            text, number = _display(column, value)
            klass = _status_class(column, text)
            if not number and not klass and len(text) > 40:
                klass = "long"  # a description: wide enough to read in a few lines, the table scrolls
            attrs = ' class="num"' if number else (f' class="{klass}"' if klass else "")
            cells.append(f"<td{attrs}>{_e(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    klass = ' class="compact"' if compact else ""
    return f'<div class="scroll"><table{klass}><thead><tr>{head}</tr></thead><tbody>' + "".join(rows) + \
        "</tbody></table></div>"


def _status_class(column: str, text: str) -> str:
    if column in ("Rating", "Result", "Status"):
        if text in ("Inadequate", "Requires improvement", "Below minimum") or text.startswith("Excluded"):
            return "status-bad"
        if text in ("Good", "Met", "Included"):
            return "status-good"
    return ""


#: Widest a 12 px label character is drawn (a capital M is about 10 px; 8 covers mixed text).
LABEL_CHAR_PX = 8
#: Characters per line of a category label before it wraps at a space.
LABEL_LINE_CHARS = 22


def _label_lines(label: str) -> list[str]:
    """A category label in lines of at most ``LABEL_LINE_CHARS`` (a longer word keeps its own
    line), never cut short: a contract or supplier name is shown whole."""
    lines: list[str] = []
    for word in label.split() or [""]:
        if lines and len(lines[-1]) + 1 + len(word) <= LABEL_LINE_CHARS:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _chart(title: str, categories: Sequence[Any], series: list[tuple[str, pd.Series]],
           fmt: Callable[[float | None], str], fixed_max: float | None = None) -> str:
    """A horizontal grouped bar chart as inline SVG (scales to the screen; text stays text)."""
    if not categories:
        return ""
    values = [[None if _is_blank(v) else float(v) for v in s] for _, s in series]
    top = fixed_max or max((v for vs in values for v in vs if v is not None), default=0.0) or 1.0
    labels = [_label_lines(str(c)) for c in categories]
    bar_h, gap, line_h, value_w, plot_w = 15, 9, 14, 75, 230
    label_w = max(135, LABEL_CHAR_PX * max(len(line) for lines in labels for line in lines) + 10)
    width = label_w + plot_w + value_w
    legend_h = 22
    groups = [max(bar_h * len(series), line_h * len(lines)) + gap for lines in labels]
    height = legend_h + sum(groups) + 6
    out = [f'<figure><svg viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}" '
           f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, Arial, sans-serif" font-size="12">',
           f"<title>{_e(title)}</title>"]
    x = label_w
    for i, (name, _) in enumerate(series):
        out.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{COLOURS[i % len(COLOURS)]}"/>'
                   f'<text x="{x + 16}" y="14">{_e(name)}</text>')
        x += 16 + 7 * len(name) + 16
    y0 = legend_h
    for c, category in enumerate(categories):
        label, lines, group_h = str(category), labels[c], groups[c]
        first = y0 + (group_h - gap) / 2 - line_h * (len(lines) - 1) / 2 + 4
        spans = "".join(f'<tspan x="{label_w - 6}" y="{first + i * line_h:.1f}">{_e(line)}</tspan>'
                        for i, line in enumerate(lines))
        out.append(f'<text text-anchor="end"><title>{_e(label)}</title>{spans}</text>')
        for s, vs in enumerate(values):
            v = vs[c]
            y = y0 + s * bar_h
            w = 0.0 if v is None else max(0.0, min(v / top, 1.0)) * plot_w
            tip = _e(f"{label}, {series[s][0]}: {fmt(v)}")
            out.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                       f'fill="{COLOURS[s % len(COLOURS)]}"><title>{tip}</title></rect>')
            out.append(f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 4}" font-size="11">{_e(fmt(v))}</text>')
        y0 += group_h
    out.append(f'<line x1="{label_w}" y1="{legend_h}" x2="{label_w}" y2="{height - 4}" stroke="#888"/>')
    out.append("</svg>")
    out.append(f"<figcaption>{_e(title)}</figcaption></figure>")
    return "".join(out)


__all__ = ["write_portfolio_html", "render_portfolio_html"]
