"""How many times the Excel buttons talk to Excel, for a tender of 5 and of 500 bidders.

Speed in Excel comes from few round trips: on desktop Excel every xlwings read or write
is a call into Excel, which costs far more than the Python around it. This runs the
Check and Score macros on real workbooks through xlwings' remote engine (the engine of
xlwings Lite) and counts, with xlwings' own objects:

* reads: cell blocks read (``Range.value``), formula blocks (desktop only; Lite has
  none) and the name/table definitions looked up;
* writes: the actions xlwings sends back to Excel (``book.json()``): values, colours,
  formats, the table resize.

The counts must be the same for 5 and 500 bidders; the script exits 1 if they are not.

Run: ``PYTHONPATH=. python benchmarks/bench_xlwings_calls.py``
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # xlwings' free non-commercial key for the remote engine

import xlwings as xw  # noqa: E402
from openpyxl import load_workbook  # noqa: E402
from xlwings.pro import _xlremote  # noqa: E402

from tests.support.example_tender import example_tender  # noqa: E402
from sv_workbook.macros import score_book, validate_book  # noqa: E402
from sv_workbook.core.tender.model import Bidder, ConsensusMark, EvaluatorScore, Tender  # noqa: E402
from sv_workbook.xlsx.tender_template import build_tender_template  # noqa: E402
from tests.support.fill import fill_tender  # noqa: E402
from tests.support.xlwings_payload import payload_from_xlsx  # noqa: E402

SIZES = (5, 500)
TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 12, 0)


def tender_of(n: int) -> Tender:
    """The example tender's criteria with ``n`` bidders, three evaluators and consensus marks.

    Prices stay within 5% of each other, so no bid is abnormally low: both sizes flag the same
    kind of cells, and only the size differs.
    """
    t = example_tender()
    bidders = tuple(Bidder(f"Bidder {i:03d} Ltd", 1_000_000.0 + 97.0 * i, i % 2 == 0, i % 7 == 0) for i in range(n))
    consensus, scores = [], []
    for i, b in enumerate(bidders):
        for j, c in enumerate(t.criteria):
            mark = float((i + 2 * j) % 5 + 1)
            consensus.append(ConsensusMark(b.name, c.id, mark, "Agreed at moderation."))
            for e in t.evaluators:
                scores.append(EvaluatorScore(b.name, c.id, e, mark, "Evidence in the response."))
    return replace(t, bidders=bidders, scores=tuple(scores), consensus=tuple(consensus))


@contextmanager
def counting(reads: Counter):
    """Count the reads the macros make through xlwings' remote engine classes (then restore them)."""
    patched = [(_xlremote.Range, "raw_value", "cell blocks read"), (_xlremote.Range, "formula", "formula blocks read"),
               (_xlremote.Name, "refers_to", "name definitions read"), (_xlremote.Table, "range", "table ranges read")]
    saved = []
    for cls, attr, label in patched:
        prop = cls.__dict__[attr]
        saved.append((cls, attr, prop))

        def getter(self, _fget=prop.fget, _label=label):
            reads[_label] += 1
            return _fget(self)
        setattr(cls, attr, property(getter, prop.fset))
    try:
        yield
    finally:
        for cls, attr, prop in saved:
            setattr(cls, attr, prop)


def measure(path: Path, macro) -> tuple[Counter, float]:
    book = xw.Book(json=payload_from_xlsx(path))
    reads: Counter = Counter()
    start = time.perf_counter()
    with counting(reads):
        macro(book, today=TODAY, now=NOW)
    seconds = time.perf_counter() - start
    counts = Counter(reads)
    counts["writes (actions sent to Excel)"] = len(book.json()["actions"])
    return counts, seconds


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for n in SIZES:
            wb = build_tender_template()
            fill_tender(wb, tender_of(n))
            files[n] = Path(tmp) / f"tender_{n}.xlsx"
            wb.save(files[n])
            rows = load_workbook(files[n])["Scores"].tables["Scores"].ref
            print(f"{n} bidders: Scores table {rows}")
        same = True
        for label, macro in (("Check (validate_book)", validate_book), ("Score (score_book)", score_book)):
            results = {n: measure(files[n], macro) for n in SIZES}
            keys = sorted(set().union(*(c for c, _ in results.values())))
            print(f"\n{label}")
            print(f"  {'xlwings calls':34}" + "".join(f"{f'{n} bidders':>14}" for n in SIZES) + f"{'ratio':>8}")
            for key in keys + ["total"]:
                vals = [sum(results[n][0].values()) if key == "total" else results[n][0][key] for n in SIZES]
                ratio = vals[-1] / vals[0] if vals[0] else float("nan")
                print(f"  {key:34}" + "".join(f"{v:>14}" for v in vals) + f"{ratio:>8.2f}")
                same = same and vals[0] == vals[-1]
            secs = [results[n][1] for n in SIZES]
            print(f"  {'Python time (s, not Excel)':34}" + "".join(f"{s:>14.3f}" for s in secs)
                  + f"{secs[-1] / secs[0]:>8.1f}")
    print("\nOK: the number of calls does not grow with the number of bidders" if same
          else "\nFAIL: the number of calls grows with the number of bidders")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
