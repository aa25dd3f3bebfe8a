"""The benchmark script still runs end to end (tiny N; its figures are printed, never asserted)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_runs_and_prints_the_three_paths(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_validate.py"), "--n", "3", "--kpis", "4",
                           "--periods", "2", "--baseline-sample", "2", "--skip-single", "--jobs", "2",
                           "--dir", str(tmp_path / "regs")],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for line in ("openpyxl, one process", "sv-workbook batch (2 workers)", "python-calamine alone", "peak RSS",
                 "batch vs openpyxl path", "batch vs calamine alone"):
        assert line in out
    if Path("/proc/stat").exists():  # Linux: each run's share of the cores' time taken by other guests
        assert re.search(r"\(steal\).*run 1: calamine \d+\.\d%, batch \d+\.\d%", out), out
    assert len(list((tmp_path / "regs").glob("*.xlsx"))) == 3
