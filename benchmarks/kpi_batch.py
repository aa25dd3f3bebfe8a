"""Batch validation of generated KPI registers: time per register and planted-mistake recall.

Run: PYTHONPATH=. python benchmarks/kpi_batch.py [N] [KPIS] [PERIODS]
Prints figures; asserts nothing about speed (targets live here, not in the tests).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from sv_workbook.app.analyse import analyse_file
from tests.support.example_registers import make_register, write_register
from sv_workbook.core.policy import DEFAULT_POLICY


def main(n: int = 10, n_kpis: int = 40, n_periods: int = 12) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths, datas = [], []
        t0 = time.perf_counter()
        for seed in range(n):
            data = make_register(seed, n_kpis=n_kpis, n_periods=n_periods, error_rate=0.05)
            paths.append(write_register(data, Path(tmp) / f"r{seed}.xlsx"))
            datas.append(data)
        t_write = time.perf_counter() - t0
        t0 = time.perf_counter()
        planted = found = findings = 0
        for path, data in zip(paths, datas):
            outcome = analyse_file(path, DEFAULT_POLICY, data.as_of)
            where = {(f.code, f.sheet, f.cell) for f in outcome.findings}
            planted += len(data.injected)
            found += sum((i.code, *i.cell()) in where for i in data.injected)
            findings += len(outcome.findings)
        t_check = time.perf_counter() - t0
    rows = n * n_kpis * n_periods
    print(f"{n} registers × {n_kpis} KPIs × {n_periods} periods ({rows} Actuals rows)")
    print(f"write (template + fill + atomic save): {t_write / n * 1000:.0f} ms per register")
    print(f"validate (read + bind + rules):       {t_check / n * 1000:.0f} ms per register, "
          f"{rows / t_check:,.0f} Actuals rows/s")
    print(f"planted mistakes found: {found}/{planted} ({found / max(planted, 1):.0%}); {findings} findings in all")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
