"""`sv-workbook validate` over folders: one result per file, exit codes, formats that agree."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from sv_workbook.app.batch import Target, discover
from sv_workbook.app.check import check_file
from sv_workbook.cli.commands import main
from sv_workbook.core.findings import Finding, Severity
from sv_workbook.core.outcome import Outcome
from sv_workbook.reports.batch_formats import render, to_csv
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.xlsx.safe_write import atomic_save
from sv_workbook.xlsx.tender_template import build_tender_template

from tests.xlsx.test_fast_read import example_wb

AS_OF = ["--as-of", "2026-11-27"]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    """A returns folder as the team receives it: good, bad, damaged and old-format files."""
    root = tmp_path_factory.mktemp("returns")
    (root / "north").mkdir()
    atomic_save(example_wb(), root / "north" / "good.xlsx")
    atomic_save(build_tender_template(DEFAULT_POLICY), root / "blank-template.xlsx")
    (root / "corrupt.xlsx").write_bytes(b"PK\x03\x04 this is not really a zip")
    (root / "truncated.xlsx").write_bytes((root / "north" / "good.xlsx").read_bytes()[:4000])
    (root / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500)
    # an OLE compound file with the streams Excel writes when it encrypts a workbook
    (root / "encrypted.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500
                                          + "EncryptionInfo".encode("utf-16-le") + b"\0" * 100)
    (root / "notes.txt").write_text("not a workbook")
    (root / "north" / "~$good.xlsx").write_bytes(b"owner")  # Excel's lock file: skipped, noted on good.xlsx
    return root


def run(*args: str):
    return CliRunner().invoke(main, ["validate", *args, *AS_OF], catch_exceptions=False)


def by_path(records):
    return {Path(r["path"]).name: r for r in records}


def test_folder_gives_one_result_per_workbook_and_exit_1(mixed):
    result = run(str(mixed), "--format", "json", "--jobs", "2")
    assert result.exit_code == 1
    records = json.loads(result.stdout)
    assert [Path(r["path"]).relative_to(mixed).as_posix() for r in records] == [
        "blank-template.xlsx", "corrupt.xlsx", "encrypted.xlsx", "north/good.xlsx", "old.xls", "truncated.xlsx"]
    recs = by_path(records)
    assert recs["good.xlsx"]["ok"] and recs["good.xlsx"]["kind"] == "tender"
    assert "OPEN-IN-EXCEL" in {f["code"] for f in recs["good.xlsx"]["findings"]}
    assert not recs["blank-template.xlsx"]["ok"]
    assert {f["code"] for f in recs["blank-template.xlsx"]["findings"]} >= {"BLANK"}
    for name in ("corrupt.xlsx", "encrypted.xlsx", "old.xls", "truncated.xlsx"):
        assert not recs[name]["ok"] and recs[name]["kind"] is None
        assert [f["code"] for f in recs[name]["findings"]] == ["FILE-UNREADABLE"], name
    assert "password-protected" in recs["encrypted.xlsx"]["findings"][0]["message"]


def test_a_file_that_cannot_be_opened_is_a_finding(tmp_path):
    blocked = tmp_path / "blocked.xlsx"
    blocked.mkdir()  # a name that cannot be read as a file
    outcome = check_file(Target(str(blocked), str(blocked)), DEFAULT_POLICY, None)
    assert [f.code for f in outcome.findings] == ["FILE-UNREADABLE"] and not outcome.readable


def test_exit_codes(mixed, tmp_path):
    good = mixed / "north" / "good.xlsx"
    assert run(str(good)).exit_code == 0
    # clean: the default policy's passed review date is a notice, not a warning (issue 13)
    assert run(str(good), "--fail-on", "warning").exit_code == 0
    warned = warned_workbook(tmp_path / "w")
    assert run(warned).exit_code == 0                       # warnings only
    assert run(warned, "--fail-on", "warning").exit_code == 1
    assert run(str(mixed / "old.xls")).exit_code == 2          # the only workbook cannot be read at all
    assert run(str(tmp_path / "missing.xlsx")).exit_code == 2
    assert run(str(tmp_path / "*.xlsx")).exit_code == 2        # a glob matching nothing
    assert run(str(good), "--jobs", "0").exit_code == 2
    assert run(str(good), "--format", "yaml").exit_code == 2


def test_jobs_1_and_jobs_2_give_identical_output_in_path_order(mixed):
    one = run(str(mixed), "--format", "json", "--jobs", "1").stdout
    two = run(str(mixed), "--format", "json", "--jobs", "2").stdout
    assert one == two
    # the same files named in another order, by glob and by file, print in the same order
    again = run(str(mixed / "truncated.xlsx"), str(mixed / "*.xls*"), str(mixed / "north"), "--format", "json")
    assert again.stdout == one


def test_json_csv_and_junit_agree(mixed):
    records = json.loads(run(str(mixed), "--format", "json").stdout)
    rows = list(csv.DictReader(io.StringIO(run(str(mixed), "--format", "csv").stdout)))
    suite = ET.fromstring(run(str(mixed), "--format", "junit").stdout.encode())
    cases = suite.findall(".//testcase")

    assert [c.get("name") for c in cases] == [r["path"] for r in records]
    assert list(dict.fromkeys(r["path"] for r in rows)) == [r["path"] for r in records]
    for rec, case in zip(records, cases):
        csv_rows = [r for r in rows if r["path"] == rec["path"]]
        assert {r["ok"] for r in csv_rows} == {"yes" if rec["ok"] else "no"}
        assert [(r["severity"], r["code"], r["sheet"], r["cell"]) for r in csv_rows if r["code"]] == [
            (f["severity"], f["code"], f["sheet"], f["cell"]) for f in rec["findings"]]
        failed = case.find("failure") is not None or case.find("error") is not None
        assert failed == (not rec["ok"])
        assert case.get("classname") == f"sv-workbook.{rec['kind'] or 'unknown'}"
    assert int(suite.get("tests")) == len(records)
    assert int(suite.get("failures")) + int(suite.get("errors")) == sum(not r["ok"] for r in records)


def warned_workbook(folder: Path) -> str:
    """The example with one evaluator's comment missing: its only warning is MISSING-COMMENT."""
    folder.mkdir(exist_ok=True)
    wb = example_wb()
    wb["Scores"]["E2"] = None
    atomic_save(wb, folder / "warned.xlsx")
    return str(folder / "warned.xlsx")


def test_fail_on_warning_changes_ok_in_every_format(tmp_path):
    good = warned_workbook(tmp_path)
    assert json.loads(run(good, "--format", "json", "--fail-on", "warning").stdout)[0]["ok"] is False
    assert ET.fromstring(run(good, "--format", "junit", "--fail-on", "warning").stdout.encode()).find(
        ".//failure") is not None
    assert {r["ok"] for r in csv.DictReader(io.StringIO(run(good, "--format", "csv", "--fail-on", "warning").stdout))
            } == {"no"}


def test_text_output_groups_by_workbook_errors_first(mixed):
    out = run(str(mixed), "--jobs", "1").stdout
    block = out.split(str(mixed / "blank-template.xlsx"))[1].split("\n" + str(mixed))[0]
    severities = [line.split()[0] for line in block.splitlines()[1:]
                  if line.startswith("  ") and not line.startswith("  (")]  # not the "(n notice(s) not shown" line
    assert severities and severities == sorted(severities, key=lambda s: ["ERROR", "WARNING", "INFO"].index(s))
    assert "Checked 6 workbook(s): 1 OK, 5 NOT OK" in out


def test_no_progress_bar_when_piped_but_on_request(mixed):
    good = str(mixed / "north" / "good.xlsx")
    assert [line for line in run(good).stderr.splitlines() if not line.startswith("Notice: ")] == []
    assert "workbook" in run(good, "--progress").stderr


def test_results_written_to_a_file(mixed, tmp_path):
    out = tmp_path / "results.json"
    result = run(str(mixed), "--format", "json", "-o", str(out))
    assert result.stdout == "" and len(json.loads(out.read_text(encoding="utf-8"))) == 6


def test_huge_files_and_zip_bombs_are_findings(tmp_path):
    good = tmp_path / "good.xlsx"
    atomic_save(example_wb(), good)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * 20_000_000)
    outcome = check_file(Target(str(bomb), str(bomb)), DEFAULT_POLICY, None)
    assert [f.code for f in outcome.findings] == ["FILE-UNREADABLE"] and "zip bomb" in outcome.findings[0].message

    policy = tmp_path / "small.toml"
    policy.write_text("max_file_bytes = 1000\n")
    records = json.loads(run(str(tmp_path), "--format", "json", "--policy", str(policy)).stdout)
    assert [[f["code"] for f in r["findings"]] for r in records] == [["FILE-UNREADABLE"], ["FILE-UNREADABLE"]]
    assert all("max_file_bytes" in r["findings"][0]["message"] for r in records)


def test_a_crashing_check_is_a_finding_not_a_stopped_batch(tmp_path, monkeypatch):
    path = tmp_path / "good.xlsx"
    atomic_save(example_wb(), path)

    def boom(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr("sv_workbook.app.check.analyse_file", boom)
    outcome = check_file(Target("good.xlsx", str(path)), DEFAULT_POLICY, None)
    assert [f.code for f in outcome.findings] == ["CHECK-FAILED"]
    assert "RuntimeError" not in outcome.findings[0].message and "--verbose" in outcome.findings[0].hint
    assert outcome.detail == "RuntimeError: unexpected"  # shown by validate --verbose only


def test_discover_skips_owner_files_and_other_extensions(mixed):
    names = [Path(t.shown).name for t in discover([str(mixed)])]
    assert "~$good.xlsx" not in names and "notes.txt" not in names and len(names) == 6


def test_csv_cells_cannot_become_formulas():
    finding = Finding(Severity.ERROR, "X", "=HYPERLINK(\"http://evil\")", sheet="=cmd|' /C calc'!A0", cell="B2")
    rows = list(csv.DictReader(io.StringIO(to_csv([Outcome("=evil.xlsx", "tender", [finding])], Severity.ERROR))))
    assert rows[0]["path"] == "'=evil.xlsx" and rows[0]["sheet"].startswith("'=") and rows[0]["message"][0] == "'"
    assert not [v for row in rows for v in row.values() if v.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_html_output_escapes_workbook_text():
    finding = Finding(Severity.ERROR, "X", "<script>alert(1)</script>", sheet="S", cell="B2")
    page = render([Outcome("a.xlsx", "tender", [finding])], "html", Severity.ERROR)
    assert "<script>" not in page and "&lt;script&gt;" in page and "a.xlsx (tender): NOT OK" in page


def test_copied_folder_gives_the_same_findings(mixed, tmp_path):
    """Results depend on file content, not on where the folder lives (workbook names, not paths)."""
    shutil.copytree(mixed, tmp_path / "copy")
    a = json.loads(run(str(mixed), "--format", "json").stdout)
    b = json.loads(run(str(tmp_path / "copy"), "--format", "json").stdout)
    assert [r["findings"] for r in a] == [r["findings"] for r in b]


def test_each_workbook_is_recognised_by_its_contract(tmp_path):
    root = Path(__file__).resolve().parents[2]
    shutil.copy(root / "examples" / "tender_example.xlsx", tmp_path / "a.xlsx")
    shutil.copy(root / "examples" / "kpi_register_example.xlsx", tmp_path / "b.xlsx")
    records = json.loads(run(str(tmp_path), "--format", "json", "--jobs", "2").stdout)
    assert [r["kind"] for r in records] == ["tender", "kpi-register"]


def test_one_workbook_shows_its_summary_a_batch_only_with_verbose(tmp_path):
    root = Path(__file__).resolve().parents[2]
    shutil.copy(root / "examples" / "kpi_register_example.xlsx", tmp_path / "b.xlsx")
    assert "KPI status" in run(str(tmp_path / "b.xlsx")).stdout
    shutil.copy(root / "examples" / "tender_example.xlsx", tmp_path / "a.xlsx")
    assert "KPI status" not in run(str(tmp_path)).stdout
    verbose = run(str(tmp_path), "--verbose", "--jobs", "2").stdout
    assert "KPI status" in verbose and "Ranking" in verbose


def test_a_sheet_or_table_reaching_the_far_corner_is_read_without_a_dense_grid(tmp_path):
    """calamine holds a sheet as one dense grid: a stray value in XFD1048576 must not be loaded by it.
    The fast reader hands such a workbook to openpyxl (which keeps only the cells present)."""
    from sv_workbook.xlsx.fast_read import Declined, read_rawbook_fast
    from sv_workbook.xlsx.openpyxl_read import read_rawbook

    far = example_wb()
    far["Setup"]["XFD1048576"] = "stray"
    atomic_save(far, tmp_path / "far-cell.xlsx")
    with pytest.raises(Declined):
        read_rawbook_fast(tmp_path / "far-cell.xlsx", strict=True)
    outcome = check_file(Target("far-cell.xlsx", str(tmp_path / "far-cell.xlsx")), DEFAULT_POLICY, None)
    assert outcome.kind == "tender" and outcome.readable

    # a Table stretched over whole columns (openpyxl is slow to save one, so edit the saved XML):
    # both readers read only the rows that hold cells
    atomic_save(example_wb(), tmp_path / "normal.xlsx")
    with zipfile.ZipFile(tmp_path / "normal.xlsx") as zin, \
            zipfile.ZipFile(tmp_path / "whole-column.xlsx", "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if b'name="Scores"' in data and item.filename.startswith("xl/tables/"):
                data = re.sub(rb'ref="A1:F\d+"', b'ref="A1:F1048576"', data)
            zout.writestr(item, data)
    fast = read_rawbook_fast(tmp_path / "whole-column.xlsx", strict=True)
    assert fast == read_rawbook(tmp_path / "whole-column.xlsx")
    assert len(fast.find_table("Scores").rows) < 1000


def test_a_worker_that_dies_does_not_stop_the_batch(mixed, monkeypatch):
    """A crash inside a C library kills the process: only that workbook is reported, the rest are checked."""
    import os

    import sv_workbook.app.batch as batch
    import sv_workbook.app.check as check

    real = check.check_file

    def dies_on_truncated(target, *args, **kwargs):
        if target.shown.endswith("truncated.xlsx"):
            os._exit(1)  # as a segfault or the out-of-memory killer would end the worker
        return real(target, *args, **kwargs)

    monkeypatch.setattr(batch, "START_METHOD", "fork")  # so the workers inherit the patch below
    monkeypatch.setattr(check, "check_file", dies_on_truncated)
    result = run(str(mixed), "--format", "json", "--jobs", "2")
    recs = by_path(json.loads(result.stdout))
    assert len(recs) == 6 and result.exit_code == 1
    assert [f["code"] for f in recs["truncated.xlsx"]["findings"]] == ["CHECK-FAILED"]
    assert recs["good.xlsx"]["ok"] and recs["good.xlsx"]["kind"] == "tender"


@pytest.mark.libreoffice
def test_batch_workers_load_only_what_the_fast_path_needs(tmp_path):
    """Workers start from a clean forkserver: nothing heavy at start, no click or tqdm from the
    command line, none of pandas, docx or xlwings at all (issue 12, item 7). Having checked files, a
    worker holds none of openpyxl and numpy either, for our templates, files from the independent
    builder and LibreOffice copies: ``part_acceptance`` vouches for their styles, properties, workbook
    and Table parts without openpyxl, whose models are asked only when it is not sure (issue 14)."""
    import subprocess
    import sys

    from tests.support.paths import ROOT

    from tests.support.contract_builder import register_data, tender_data, write_contract_workbook
    from tests.support.lo import recalc
    from tests.support.zips import rewrite

    shutil.copy(ROOT / "examples" / "kpi_register_example.xlsx", tmp_path / "k.xlsx")
    shutil.copy(ROOT / "examples" / "tender_example.xlsx", tmp_path / "t.xlsx")
    write_contract_workbook(tmp_path / "built-kpi.xlsx", "kpi-register", *register_data())
    write_contract_workbook(tmp_path / "built-tender.xlsx", "tender", *tender_data())
    for name in ("built-kpi.xlsx", "k.xlsx"):
        shutil.move(recalc(tmp_path / name, tmp_path / "lo"), tmp_path / f"lo-{name}")
    refused_dir = tmp_path.parent / f"{tmp_path.name}-refused"  # outside the folder the batch checks
    refused_dir.mkdir()
    # a named style pointing past the style xfs: openpyxl refuses it, so the worker must ask openpyxl
    refused = rewrite(ROOT / "examples" / "tender_example.xlsx", refused_dir / "r.xlsx", lambda n, d: d.replace(
        b'<cellStyle name="Normal" xfId="0"', b'<cellStyle name="Normal" xfId="9"', 1) if n == "xl/styles.xml" else d)
    probe = f"""
import sys
import sv_workbook.app.batch as batch
import sv_workbook.cli.commands  # the parent holds click, as the command line does
from datetime import date
from sv_workbook.core.policy import DEFAULT_POLICY
from tests.support.probes import heavy_modules_loaded

targets = batch.discover([{str(tmp_path)!r}])
outcomes = list(batch.iter_batch(targets, DEFAULT_POLICY, date(2026, 11, 27), jobs=2))
assert len(outcomes) == 6 and all(o.readable and o.kind for o in outcomes), outcomes
# one worker says what it has loaded when it starts, checks the files, and says it again
with batch.ProcessPoolExecutor(max_workers=1, mp_context=batch.worker_context()) as pool:
    print(pool.submit(heavy_modules_loaded).result())
    checked = pool.submit(batch.check_chunk, targets, DEFAULT_POLICY, date(2026, 11, 27)).result()
    assert [o.kind for o in checked] == [o.kind for o in outcomes]
    print(pool.submit(heavy_modules_loaded).result())
    [bad] = pool.submit(batch.check_chunk, batch.discover([{str(refused)!r}]), DEFAULT_POLICY, date(2026, 11, 27)).result()
    assert not bad.readable and "cell style" in str(bad.findings), bad
    print(pool.submit(heavy_modules_loaded).result())
"""
    run_ = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run_.returncode == 0, run_.stderr
    # openpyxl prints "9 is out of range" as it refuses the style
    at_start, after_files, after_refused = [line for line in run_.stdout.splitlines() if line.startswith("[")]
    assert at_start == "[]"
    assert after_files == "[]"
    assert after_refused == "['numpy', 'openpyxl']"


def test_workers_of_the_installed_command_do_not_import_the_command_line(tmp_path):
    """The console script pip writes (``from sv_workbook.cli import main``) is re-run by every pool
    worker as ``__mp_main__``, so the entry point must import nothing: else each worker loads click,
    tqdm and the commands' libraries (about 50 ms each), as they did before ``cli`` was made thin.
    ``-X importtime`` reaches the forkserver and its workers, and logs each module a process imports."""
    import subprocess
    import sys

    from tests.support.paths import ROOT

    for i, name in enumerate(["kpi_register_example.xlsx", "tender_example.xlsx"] * 2):
        shutil.copy(ROOT / "examples" / name, tmp_path / f"{i}-{name}")
    script = tmp_path.parent / f"{tmp_path.name}-sv-workbook"  # as pip writes a console script
    script.write_text("import re\nimport sys\nfrom sv_workbook.cli import main\nif __name__ == '__main__':\n"
                      "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(main())\n")
    run_ = subprocess.run([sys.executable, "-X", "importtime", str(script), "validate", str(tmp_path), "--jobs", "2",
                           "--format", "json", *AS_OF], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run_.returncode == 0, run_.stderr[-2000:]  # the examples are clean
    assert len(json.loads(run_.stdout)) == 4
    imported = Counter(line.rsplit("|", 1)[1].strip() for line in run_.stderr.splitlines()
                       if line.startswith("import time:") and "|" in line)
    # the parent imports each once; the forkserver and the workers import none of them
    assert {m: imported[m] for m in ("click", "tqdm", "sv_workbook.cli.commands")} == {
        "click": 1, "tqdm": 1, "sv_workbook.cli.commands": 1}
    assert imported["sv_workbook.cli"] >= 3  # the parent, and each worker re-running the script


@pytest.mark.parametrize("n, workers", [(1, 2), (7, 2), (100, 2), (1000, 2), (1000, 8)])
def test_chunks_cover_the_files_in_order_and_shrink_towards_the_end(n, workers):
    from sv_workbook.app.batch import chunked

    targets = [Target(f"f{i:04d}.xlsx", f"/x/f{i:04d}.xlsx") for i in range(n)]
    chunks = chunked(targets, workers)
    assert [t for c in chunks for t in c] == targets  # contiguous, in order, each file once
    sizes = [len(c) for c in chunks]
    assert max(sizes) <= 32 and sizes == sorted(sizes, reverse=True)
    # the last chunk a worker can be left finishing is a file or two, not a full chunk
    assert sizes[-1] == 1 and sum(sizes[-workers:]) <= 2 * workers
