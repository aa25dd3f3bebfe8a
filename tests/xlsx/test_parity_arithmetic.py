"""The threshold rule is the same in Python and in the spreadsheet: ``decided(x)`` is ROUND(x, 9).

LibreOffice (an independent engine) computes ROUND(x, 9) and the comparisons the templates
make for values at and around boundaries, float noise included; ``arithmetic.decided`` and
``at_least``/``above`` must give the same answers.
"""

from __future__ import annotations

import random
from decimal import Decimal

from openpyxl import Workbook, load_workbook

from sv_workbook.core.arithmetic import above, at_least, decided, excel_limit, excel_round

from tests.support.lo import needs_libreoffice, recalc

BOUNDARY_VALUES = [
    (379.99999999999994 / 400, 0.95), (15.77 / 16.6, 0.95), (9.36 / 10.4, 0.9), (8.67 / 10.2, 0.85),
    (9.6 / 3, 3.2), (9.999999999999998, 10.0), (50_000.000000000007, 50_000.0), (5_000_000.000000001, 5_000_000.0),
    (207_719.99999999997, 207_720.0), (0.1234567895, 0.12345679), (0.1234567894, 0.12345679),
    (0.949999999, 0.95), (0.9500000004, 0.95), (0.9500000006, 0.95), (20.000000000000004, 20.0),
    (123_456_789.0000001, 123_456_789.0), (1e15 + 0.5, 1e15),
]


def _values() -> list[tuple[float, float]]:
    rng = random.Random(13)
    out = list(BOUNDARY_VALUES)
    for _ in range(60):  # sums of typed decimals against their decimal total
        parts = [round(rng.uniform(0, 500), rng.choice([1, 2, 3])) for _ in range(rng.randint(2, 6))]
        acc = 0.0
        for p in parts:
            acc += p  # left to right, as a spreadsheet adds
        out.append((acc, float(sum(Decimal(repr(p)) for p in parts))))
    return out


@needs_libreoffice
def test_round_9_in_libreoffice_is_decided_in_python(tmp_path):
    values = _values()
    wb = Workbook()
    ws = wb.active
    for i, (value, limit) in enumerate(values, 1):
        ws[f"A{i}"] = value
        ws[f"B{i}"] = f"={excel_round(f'A{i}')}"
        ws[f"C{i}"] = f'=IF({excel_round(f"A{i}")}>={excel_limit(limit)},"yes","no")'
        ws[f"D{i}"] = f'=IF({excel_round(f"A{i}")}>{excel_limit(limit)},"yes","no")'
    src = tmp_path / "round.xlsx"
    wb.save(src)
    out = load_workbook(recalc(src, tmp_path / "lo"), data_only=True).active
    for i, (value, limit) in enumerate(values, 1):
        assert Decimal(repr(out[f"B{i}"].value)) == decided(value), (value, out[f"B{i}"].value)
        assert out[f"C{i}"].value == ("yes" if at_least(value, limit) else "no"), (value, limit)
        assert out[f"D{i}"].value == ("yes" if above(value, limit) else "no"), (value, limit)
