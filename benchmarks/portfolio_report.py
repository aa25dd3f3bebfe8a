"""Portfolio report over generated KPI registers: time per register and for the whole report.

Run: PYTHONPATH=. python benchmarks/portfolio_report.py [N] [KPIS] [PERIODS]
Prints figures; asserts nothing about speed (targets live here, not in the tests).
"""

from __future__ import annotations

import sys
from collections import Counter
import tempfile
import time
from datetime import date
from pathlib import Path

from tests.support.example_registers import make_register, write_register
from sv_workbook.core.kpi.measures import default_library
from sv_workbook.core.periods import date_range
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.app.portfolio_run import run_report

AS_OF = date(2026, 11, 27)


def main(n: int = 50, n_kpis: int = 8, n_periods: int = 8) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "registers"
        folder.mkdir()
        t0 = time.perf_counter()
        for seed in range(n):
            write_register(make_register(seed, n_kpis=n_kpis, n_periods=n_periods), folder / f"r{seed:04d}.xlsx")
        t_write = time.perf_counter() - t0
        t0 = time.perf_counter()
        run = run_report([folder], date_range(date(2019, 1, 1), AS_OF), Path(tmp) / "report", DEFAULT_POLICY, AS_OF,
                         default_library(), None)
        t_report = time.perf_counter() - t0
        counted = len(run.portfolio.counted)
        codes = Counter(f.code for f in run.portfolio.findings if f.severity.value == "error")
        size = run.xlsx.stat().st_size + run.html.stat().st_size
    print(f"{n} registers × {n_kpis} KPIs × {n_periods} periods; {counted} counted "
          f"(errors in the rest, generated to other as-of dates: {dict(codes.most_common(3))})")
    print(f"write registers: {t_write / n * 1000:.0f} ms per register")
    print(f"report (check every register + build + xlsx + html): {t_report:.1f} s, "
          f"{t_report / n * 1000:.0f} ms per register; output {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
