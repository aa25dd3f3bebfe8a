"""£ proxy values: turn delivered quantities into £ social value.

Proxy values are imported, never bundled: the National TOMs and the HACT UK Social
Value Bank are licensed so that their values may not be built into a tool (see
docs/kpi-registers.md). A trust exports the values it is licensed to use into a CSV
(code, gbp_per_unit, year, source, optional deadweight_pct and attribution_pct) and
passes it with ``--proxies FILE.csv``. The file's name (without .csv) names the proxy
set, and every £ figure in a report says which set and year it came from.

SocialValueGBP = delivered × £ per unit × (1 − deadweight%) × (1 − attribution%), the
sector's usual adjustments for what would have happened anyway (deadweight) and for
the share of the change owed to others (attribution).

Pure: reads text, returns data and findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sv_workbook.core.catalogue import PROXY_UNKNOWN_CODE
from sv_workbook.core.bind import norm
from sv_workbook.core.csv_rows import csv_error, parse_float, read_csv_rows
from sv_workbook.core.findings import Finding
from sv_workbook.core.kpi.measures import MeasureLibrary

REQUIRED = ("code", "gbp_per_unit", "year", "source")
OPTIONAL = ("deadweight_pct", "attribution_pct")


@dataclass(frozen=True)
class Proxy:
    code: str
    gbp_per_unit: float
    year: int
    source: str
    deadweight_pct: float = 0.0
    attribution_pct: float = 0.0


@dataclass(frozen=True)
class ProxySet:
    """Named proxy values keyed by measure code (case-insensitive)."""

    name: str
    proxies: tuple[Proxy, ...]

    def get(self, code: str | None) -> Proxy | None:
        key = norm(code)
        return next((p for p in self.proxies if norm(p.code) == key), None) if key else None

    @property
    def label(self) -> str:
        """'Name (2024)' or 'Name (2023–2025)': what a report prints beside its £ totals."""
        years = sorted({p.year for p in self.proxies})
        if not years:
            return f"{self.name} (no values)"
        span = str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
        return f"{self.name} ({span})"

    def label_for(self, proxy: Proxy) -> str:
        """What one £ figure says it used: set name and that value's year."""
        return f"{self.name} {proxy.year}"


def social_value_gbp(delivered: float, proxy: Proxy) -> float:
    """delivered × £/unit × (1 − deadweight) × (1 − attribution), unrounded."""
    return delivered * proxy.gbp_per_unit * (1 - proxy.deadweight_pct / 100) * (1 - proxy.attribution_pct / 100)


def parse_proxies(text: str, name: str, label: str, library: MeasureLibrary | None = None
                  ) -> tuple[ProxySet, list[Finding]]:
    """A proxy set from CSV text; unusable rows are left out, each with a finding naming its row."""
    rows, findings = read_csv_rows(text, label, REQUIRED, OPTIONAL)
    proxies: list[Proxy] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        problems: list[tuple[str, str]] = []
        if not row["code"]:
            problems.append(("'code' is blank.", "Write the measure code the value applies to."))
        value = parse_float(row["gbp_per_unit"])
        if value is None or value < 0:
            problems.append((f"'gbp_per_unit' is {row['gbp_per_unit']!r}; it must be a number of £ (0 or more).",
                             "Write the £ value of one unit, e.g. 12.50."))
        year_value = parse_float(row["year"])
        year = int(year_value) if year_value is not None and year_value.is_integer() else None
        if year is None or not 1990 <= year <= 2100:
            problems.append((f"'year' is {row['year']!r}; it must be the year of the values, e.g. 2025.",
                             "Write the price year the proxy set states."))
        if not row["source"]:
            problems.append(("'source' is blank.", "Say where the value comes from (publication and edition)."))
        pcts = {}
        for column in OPTIONAL:
            raw = row[column].rstrip("%").strip()
            pct = 0.0 if raw == "" else parse_float(raw)
            if pct is None or not 0 <= pct <= 100:
                problems.append((f"'{column}' is {row[column]!r}; it must be a percent from 0 to 100 or blank.",
                                 f"Write the {column.split('_')[0]} as a percent, e.g. 25 for 25%."))
            pcts[column] = pct
        key = norm(row["code"])
        if key and key in seen:
            problems.append((f"The code {row['code']!r} already has a value on row {seen[key]}.",
                             "Keep one value per measure code."))
        for message, hint in problems:
            findings.append(csv_error(label, line, "PROXY-ROW-INVALID", message, hint))
        if problems:
            continue
        seen[key] = line
        if library is not None and library.get(row["code"]) is None:
            close = library.suggest(row["code"])
            findings.append(PROXY_UNKNOWN_CODE(f"The code {row['code']!r} is not in the "
                                    "measure library, so no KPI can use this value.",
                                    (f"Did you mean {close}? " if close else "") + "Use a code listed by "
                                    "`sv-workbook measures`.", cell=f"row {line}").at_workbook(label))
        proxies.append(Proxy(row["code"], value, year, row["source"], pcts["deadweight_pct"], pcts["attribution_pct"]))
    return ProxySet(name, tuple(proxies)), findings


def load_proxies(path: str | Path, library: MeasureLibrary | None = None) -> tuple[ProxySet | None, list[Finding]]:
    """Read a proxy CSV; the set is named after the file (``hact-2024.csv`` → 'hact-2024')."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [csv_error(path.name, 0, "CSV-UNREADABLE", f"Cannot read the proxy file: {exc}.",
                                "Check the path, and save it from Excel as 'CSV UTF-8 (Comma delimited)'.")]
    return parse_proxies(text, path.stem, path.name, library)


__all__ = ["Proxy", "ProxySet", "social_value_gbp", "parse_proxies", "load_proxies"]
