"""Every code the checks give on real files is in the catalogue, with a severity it declares.

The static tests (tests/core/test_catalogue.py) show every finding is made from a catalogue
entry; this runs both readers over the bundled workbooks, seeded registers with planted
mistakes and a damaged file, as the findings fingerprint does, and reads what comes out.
"""

from __future__ import annotations

from pathlib import Path

from sv_workbook.app.analyse import analyse_file
from sv_workbook.core.catalogue import CATALOGUE
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.xlsx.fast_read import read_rawbook_fast
from tests.support.example_registers import make_register, write_register
from tests.support.paths import ROOT, TODAY


def _inputs(tmp: Path) -> list[Path]:
    files = sorted((ROOT / "examples").glob("*.xlsx")) + sorted((ROOT / "workbooks").glob("*.xlsx"))
    files += [write_register(make_register(seed, n_kpis=6, n_periods=6, error_rate=0.2), tmp / f"seeded_{seed}.xlsx")
              for seed in range(3)]
    garbage = tmp / "not_a_workbook.xlsx"
    garbage.write_bytes(b"this is not a zip file")
    return files + [garbage]


def test_every_emitted_code_is_declared_with_its_severity(tmp_path):
    seen: set[str] = set()
    for path in _inputs(tmp_path):
        for reader in (None, read_rawbook_fast):
            outcome = (analyse_file(path, DEFAULT_POLICY, TODAY) if reader is None
                       else analyse_file(path, DEFAULT_POLICY, TODAY, reader=reader))
            for f in outcome.findings:
                assert f.code in CATALOGUE, f"{path.name}: {f.code} is not in the catalogue"
                assert f.severity in CATALOGUE[f.code].severities, f"{path.name}: {f}"
                seen.add(f.code)
    # the inputs really exercise the checks: blank templates, planted mistakes, an unreadable file
    assert {"FILE-UNREADABLE", "BLANK", "POLICY-APPLIED"} <= seen and len(seen) >= 15, sorted(seen)
