"""Measure library and £ proxy CSVs: defaults, a trust's own files, findings naming the CSV row."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from sv_workbook.cli.commands import main
from sv_workbook.core.contracts import NATIONAL_PRIORITIES
from sv_workbook.core.kpi.measures import COLUMNS, default_library, library_csv, load_library
from sv_workbook.core.kpi.proxies import Proxy, load_proxies, parse_proxies, social_value_gbp


def test_default_library_is_valid_sourced_and_covers_every_national_priority():
    lib = default_library()
    assert len(lib.codes) == len(set(c.upper() for c in lib.codes))
    assert set(NATIONAL_PRIORITIES) <= {m.priority for m in lib.measures}
    for m in lib.measures:
        assert m.type in ("input", "outcome") and m.unit and m.source
        assert "Open Government Licence" in m.source
        # licensed sets are never bundled: no TOMs (NT…) or HACT codes
        assert not m.code.upper().startswith(("NT", "HACT")) and "TOMs" not in m.source and "HACT" not in m.source


def test_trust_file_adds_local_priority_and_replaces_same_code(tmp_path):
    f = tmp_path / "local.csv"
    f.write_text("code,priority,description,unit,type,financial,source\n"
                 "LP01,Tenant wellbeing,Welfare calls to vulnerable tenants,calls,input,No,Trust Strategy 1.2\n"
                 "JS01,jobs & skills,Local jobs (trust definition),FTE,outcome,No,Trust\n", encoding="utf-8")
    lib, findings = load_library(f)
    assert lib.get("lp01").priority == "Tenant wellbeing"
    assert "Tenant wellbeing" in lib.priorities and lib.priorities[:3] == NATIONAL_PRIORITIES
    assert lib.get("JS01").description == "Local jobs (trust definition)"
    assert lib.get("JS01").priority == "Jobs & skills"  # spelt as the contract spells it
    assert [x.code for x in findings] == ["MEASURE-REPLACED"]


def test_bad_measure_rows_are_findings_naming_file_and_row(tmp_path):
    f = tmp_path / "local.csv"
    f.write_text("code,priority,description,unit,type,financial,source\n"
                 "LP01,Local,Thing,,input,No,Trust\n"
                 "LP02,Local,Thing,calls,impact,maybe,Trust\n"
                 "LP02,Local,Thing,calls,input,No,Trust\n", encoding="utf-8")
    lib, findings = load_library(f)
    assert all(x.workbook == "local.csv" for x in findings)
    cells = [x.cell for x in findings]
    assert cells.count("row 2") == 1 and cells.count("row 3") == 2
    assert lib.get("LP01") is None and lib.get("LP02") is not None  # row 4 is the first good LP02


def test_missing_column_is_one_clear_finding(tmp_path):
    f = tmp_path / "local.csv"
    f.write_text("code,priority,description\nX,Y,Z\n", encoding="utf-8")
    _, findings = load_library(f)
    assert len(findings) == 1 and findings[0].code == "CSV-MISSING-COLUMN" and "'unit'" in findings[0].message


def test_suggests_nearest_code():
    assert default_library().suggest("cw2") == "CW02"


def test_library_csv_round_trips():
    text = library_csv(default_library())
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS and len(rows) == len(default_library().codes)


def test_cli_measures_text_and_csv():
    runner = CliRunner()
    out = runner.invoke(main, ["measures"])
    assert out.exit_code == 0 and "JS01" in out.output and "Supplier diversity" in out.output
    out = runner.invoke(main, ["measures", "--format", "csv"])
    assert out.exit_code == 0 and out.output.splitlines()[0] == ",".join(COLUMNS)


def test_cli_measures_with_bad_trust_file_exits_2(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("code,priority\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["measures", "--measures", str(f)])
    assert out.exit_code == 2 and "CSV-MISSING-COLUMN" in out.output


def test_social_value_formula():
    p = Proxy("JS01", 1000.0, 2024, "s", 20.0, 50.0)
    assert social_value_gbp(3.0, p) == pytest.approx(3 * 1000 * 0.8 * 0.5)


def test_proxy_rows_validated_with_row_numbers():
    text = ("code,gbp_per_unit,year,source,deadweight_pct,attribution_pct\n"
            'JS01,"£1,200.50",2024,Trust,10%,\n'
            "JS02,abc,2024,Trust,,\n"
            "JS03,5,24,Trust,,\n"
            "JS04,5,2024,,,\n"
            "JS05,5,2024,Trust,120,\n"
            "JS01,7,2024,Trust,,\n"
            "ZZ99,5,2024,Trust,,\n")
    proxies, findings = parse_proxies(text, "trust-2024", "trust-2024.csv", default_library())
    by_row = {(f.cell, f.code) for f in findings}
    for row in (3, 4, 5, 6, 7):
        assert (f"row {row}", "PROXY-ROW-INVALID") in by_row, row
    assert ("row 8", "PROXY-UNKNOWN-CODE") in by_row
    assert all(f.workbook == "trust-2024.csv" for f in findings)
    assert [p.code for p in proxies.proxies] == ["JS01", "ZZ99"] and proxies.get("JS01").gbp_per_unit == 1200.5


def test_proxy_quoted_money_and_percent_parse(tmp_path):
    f = tmp_path / "hact-2024.csv"
    f.write_text('code,gbp_per_unit,year,source,deadweight_pct\nJS01,"£1,200.50",2024,Own licence,10%\n',
                 encoding="utf-8")
    proxies, findings = load_proxies(f)
    assert findings == [] and proxies.name == "hact-2024"
    assert proxies.get("js01").gbp_per_unit == 1200.5 and proxies.get("JS01").deadweight_pct == 10.0
    assert proxies.label == "hact-2024 (2024)"


def test_trust_measure_text_is_never_a_formula(tmp_path):
    from sv_workbook.xlsx.kpi_template import build_kpi_template

    f = tmp_path / "local.csv"
    f.write_text('code,priority,description,unit,type,financial,source\n'
                 'LP01,Local,"=HYPERLINK(""http://x"",""click"")",calls,input,No,=1+1\n', encoding="utf-8")
    lib, findings = load_library(f)
    assert findings == []
    ws = build_kpi_template(library=lib)["Lists"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)
