"""What a click on an Excel button costs in Python: the import, then Score on 50 and 500 bids.

Each desktop click (``RunPython``) starts a fresh Python, and xlwings Lite imports the
package when the workbook opens, so the import is paid again and again. This prints,
over fresh interpreters (the fastest of ``--repeat`` runs, as timeit does):

* the import's cost over a bare interpreter: ``import sv_workbook.macros`` (the buttons),
  ``import sv_workbook.udfs`` (the worksheet functions), ``import xlwings`` alone (which
  loads numpy and pandas itself when they are installed) and udfs over xlwings;
* a Score click through xlwings' remote engine (the engine of xlwings Lite): a fresh
  interpreter imports the macros and xlwings, builds the ``xw.Book`` from the client's
  JSON and runs ``score_book``, for tenders of 50 and 500 bids.

Goal: the buttons' import adds at most 0.15 s. This machine is shared, so the load
average is printed: figures taken under load are slower than on a quiet machine.

Run: ``PYTHONPATH=. python benchmarks/bench_button_click.py [--repeat 5]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.bench_xlwings_calls import NOW, TODAY, tender_of
from sv_workbook.xlsx.tender_template import build_tender_template
from tests.support.fill import fill_tender
from tests.support.xlwings_payload import payload_from_xlsx

ROOT = Path(__file__).resolve().parents[1]
GOAL = 0.15
CLICK = """
import json, sys, time
start = time.perf_counter()
import xlwings as xw
from sv_workbook.macros import score_book
imported = time.perf_counter()
book = xw.Book(json=json.load(open(sys.argv[1])))
from datetime import date, datetime
score_book(book, today=date.fromisoformat(sys.argv[2]), now=datetime.fromisoformat(sys.argv[3]))
done = time.perf_counter()
print(json.dumps({"import": imported - start, "score": done - imported, "actions": len(book.json()["actions"])}))
"""


def fresh(code: str, *args: str) -> tuple[float, str]:
    """Wall time of a fresh interpreter running ``code``, and what it printed."""
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial", "PYTHONPATH": str(ROOT)}
    timer = "import time,subprocess,sys; s=time.perf_counter(); " \
            "p=subprocess.run(sys.argv[1:],capture_output=True,text=True,check=True); " \
            "print(time.perf_counter()-s); print(p.stdout, end='')"
    out = subprocess.run([sys.executable, "-c", timer, sys.executable, "-c", code, *args], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    return float(out[0]), "\n".join(out[1:])


def fastest(code: str, repeat: int, *args: str) -> tuple[float, str]:
    runs = [fresh(code, *args) for _ in range(repeat)]
    return min(runs, key=lambda r: r[0])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} "
          f"on {os.cpu_count()} cores (fastest of {args.repeat} fresh interpreters)")
    bare = fastest("pass", args.repeat)[0]
    xlwings_alone = fastest("import xlwings", args.repeat)[0]
    macros = fastest("import sv_workbook.macros", args.repeat)[0]
    udfs = fastest("import sv_workbook.udfs", args.repeat)[0]
    print(f"bare interpreter                 {bare:.3f} s")
    print(f"import sv_workbook.macros       +{macros - bare:.3f} s   (goal <= {GOAL} s)")
    print(f"import sv_workbook.udfs         +{udfs - bare:.3f} s   (of which xlwings itself "
          f"+{xlwings_alone - bare:.3f} s; udfs over xlwings +{udfs - xlwings_alone:.3f} s)")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (50, 500):
            wb = build_tender_template()
            fill_tender(wb, tender_of(n))
            path = Path(tmp) / f"tender{n}.xlsx"
            wb.save(path)
            payload = Path(tmp) / f"payload{n}.json"
            payload.write_text(json.dumps(payload_from_xlsx(path)), encoding="utf-8")
            wall, out = fastest(CLICK, args.repeat, str(payload), TODAY.isoformat(), NOW.isoformat())
            parts = json.loads(out)
            print(f"Score click, {n:3d} bids: {wall:.3f} s in all = start {bare:.3f} + import xlwings and "
                  f"macros {parts['import']:.3f} + score_book {parts['score']:.3f} ({parts['actions']} actions)")
    ok = macros - bare <= GOAL
    print("goal met" if ok else "goal NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
