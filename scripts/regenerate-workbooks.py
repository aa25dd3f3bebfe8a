"""Rebuild every committed workbook from the code: templates, macro-enabled workbooks, the add-in, examples.

    python scripts/regenerate-workbooks.py

Tests compare each committed file with a fresh build, part by part; after a change to a template, a
report writer or an example, run this and commit what it writes. Each file is removed first, so no
backups are left behind (the commands themselves keep one when they replace a file).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sv_workbook.xlsx.vba.addin import write_addin  # noqa: E402
from sv_workbook.xlsx.kpi_template import write_kpi_template  # noqa: E402
from sv_workbook.xlsx.tender_template import write_tender_template  # noqa: E402
from tests.support.example_portfolio import write_example_portfolio  # noqa: E402
from tests.support.example_registers import example_register, write_register  # noqa: E402
from tests.support.example_tender import write_example_tender  # noqa: E402


def fresh(path: Path) -> Path:
    path.unlink(missing_ok=True)
    return path


def main() -> None:
    for suffix in (".xlsx", ".xlsm"):
        write_tender_template(fresh(ROOT / "workbooks" / f"tender_evaluation{suffix}"))
        write_kpi_template(fresh(ROOT / "workbooks" / f"kpi_register{suffix}"))
    write_addin(fresh(ROOT / "macros" / "sv_workbook.xlam"))
    write_example_tender(fresh(ROOT / "examples" / "tender_example.xlsx"))
    write_register(example_register(), fresh(ROOT / "examples" / "kpi_register_example.xlsx"))
    for sub in ("registers", "tenders"):
        shutil.rmtree(ROOT / "examples" / "portfolio" / sub, ignore_errors=True)
    write_example_portfolio(ROOT / "examples" / "portfolio")
    print("rebuilt workbooks/, macros/sv_workbook.xlam and examples/")


if __name__ == "__main__":
    main()
