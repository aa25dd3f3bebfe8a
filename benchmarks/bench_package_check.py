"""Benchmark of the package gate (``check_package``) against the fast read it guards.

    PYTHONPATH=$PWD python benchmarks/bench_package_check.py                  # the three folders below
    PYTHONPATH=$PWD python benchmarks/bench_package_check.py DIR [DIR...] --n 300 --repeat 5

Every file a batch validates passes ``check_package`` before any parser sees it, and the fast
reader (``fast_read.read_rawbook_fast``) runs it first, so the gate's time is part of the
reader's. For each folder this prints the CPU milliseconds per file of the gate alone (as the
fast reader calls it, ``keep_parts=True``), of the whole fast read, the gate's share of that
read, and python-calamine alone reading every sheet (the floor issue 12 compares against).

The default folders are the ones ``benchmarks/bench_validate.py`` writes (``--source template``,
``independent`` and ``libreoffice``); run it first if they are missing. The paths are run
``--repeat`` times, interleaved, and the fastest and slowest runs of each are printed: on a
shared machine the slower runs differ only by what else was running. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FOLDERS = (Path("/tmp/sv-bench-1000x50x12-s1-kpi-2026-11-27-template"),
           Path("/tmp/sv-bench-1000x50x12-s1-kpi-2026-11-27-independent"),
           Path("/tmp/sv-bench-300x50x12-s1-kpi-2026-11-27-independent-libreoffice"))


def cpu_ms_per_file(step: Callable[[Path], object], paths: list[Path]) -> float:
    """CPU milliseconds per file ``step`` takes over ``paths`` (the file cache warm, as in a batch)."""
    c = time.process_time()
    for p in paths:
        step(p)
    return (time.process_time() - c) * 1000 / len(paths)


def calamine_read(path: Path) -> None:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()
    book.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="*", type=Path, default=list(FOLDERS))
    ap.add_argument("--n", type=int, default=300, help="files per folder (the first N by name)")
    ap.add_argument("--repeat", type=int, default=3, help="interleaved runs of each path (default 3)")
    args = ap.parse_args()
    from sv_workbook.core.policy import DEFAULT_POLICY
    from sv_workbook.xlsx.fast_read import read_rawbook_fast
    from sv_workbook.xlsx.package_check import check_package

    steps: dict[str, Callable[[Path], object]] = {
        "gate": lambda p: check_package(p, DEFAULT_POLICY, keep_parts=True),
        "fast read": read_rawbook_fast,
        "calamine": calamine_read,
    }
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores; "
          f"CPU ms per file, fastest run of {args.repeat} (slowest in brackets)")
    print(f"{'folder':62} {'files':>5} {'gate':>14} {'fast read':>14} {'gate share':>10} {'calamine':>14}")
    for folder in args.folders:
        paths = sorted(folder.glob("*.xlsx"))[: args.n]
        if not paths:
            print(f"{str(folder):62} no .xlsx files: run benchmarks/bench_validate.py first")
            continue
        for step in steps.values():  # imports, caches, the file cache
            for p in paths[:5]:
                step(p)
        runs: dict[str, list[float]] = {name: [] for name in steps}
        for _ in range(args.repeat):
            for name, step in steps.items():
                runs[name].append(cpu_ms_per_file(step, paths))
        best = {name: min(r) for name, r in runs.items()}
        cells = {name: f"{best[name]:.2f} ({max(runs[name]):.2f})" for name in steps}
        print(f"{folder.name:62} {len(paths):>5} {cells['gate']:>14} {cells['fast read']:>14} "
              f"{best['gate'] / best['fast read']:>10.0%} {cells['calamine']:>14}")


if __name__ == "__main__":
    main()
