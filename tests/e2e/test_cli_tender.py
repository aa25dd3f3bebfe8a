"""End to end: `new`, `validate` and `score` on real files through the command line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from sv_workbook.cli.commands import main
from tests.support.example_tender import example_tender
from sv_workbook.core.tender.scoring import score_tender
from dataclasses import replace

from tests.support.paths import TODAY
from tests.support.tender_files import tender_file

AS_OF = ["--as-of", TODAY.isoformat()]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_new_writes_a_template_that_validates_as_a_tender(tmp_path):
    path = tmp_path / "blank.xlsx"
    assert run("new", "tender", path).exit_code == 0
    wb = load_workbook(path)
    assert {"Instructions", "Setup", "Criteria", "Bidders", "Scores", "Consensus", "Scoring", "Report"} <= set(
        wb.sheetnames)
    assert wb["Scoring"].protection.sheet and wb["Setup"]["B3"].protection.locked is False
    assert wb["Scoring"]["F9"].value.startswith("=")
    result = run("validate", path, "--format", "json", *AS_OF)
    assert result.exit_code == 1  # blank set-up values are errors
    assert json.loads(result.stdout)[0]["kind"] == "tender"  # the policy notice goes to stderr


def test_validate_clean_exit_0_and_score_writes_report(tmp_path):
    src = tender_file(tmp_path / "t.xlsx")
    before = src.read_bytes()
    assert run("validate", src, *AS_OF).exit_code == 0
    out = tmp_path / "scored.xlsx"
    result = run("score", src, "-o", out, *AS_OF)
    assert result.exit_code == 0, result.output
    assert src.read_bytes() == before  # the input is never touched
    ws = load_workbook(out)["Report"]
    assert "Ranking" in ws.tables and "Findings" in ws.tables
    assert ws._charts, "the report has a native bar chart"
    core = score_tender(example_tender(), today=TODAY)
    first = core.results[0]
    assert ws["B10"].value == first.bidder and ws["A10"].value == 1
    assert ws["G10"].value == first.total  # stored unrounded
    assert "V0.2" in ws["B5"].value and "PAST ITS REVIEW DATE" in ws["B5"].value


def test_score_refuses_to_overwrite_input_without_in_place(tmp_path):
    src = tender_file(tmp_path / "t.xlsx")
    assert run("score", src, "-o", src, *AS_OF).exit_code == 2
    result = run("score", src, "--in-place", *AS_OF)
    assert result.exit_code == 0
    backups = list(tmp_path.glob("t.backup-*.xlsx"))
    assert len(backups) == 1 and "Ranking" in load_workbook(src)["Report"].tables


def test_score_refuses_when_excel_has_the_file_open(tmp_path):
    src = tender_file(tmp_path / "t.xlsx")
    (tmp_path / "~$t.xlsx").write_bytes(b"owner")
    result = run("score", src, "--in-place", *AS_OF)
    assert result.exit_code == 2 and "open in Excel" in result.output


def test_errors_give_exit_1_and_unreadable_gives_2(tmp_path):
    bad = tender_file(tmp_path / "bad.xlsx", edit=lambda wb: wb["Setup"].__setitem__("B8", 50))
    assert run("validate", bad, *AS_OF).exit_code == 1
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook")
    # a file that cannot be read at all: 2, with the reason as a finding; among readable
    # workbooks it is an error finding for that file and the batch exits 1 (issue 5)
    result = run("validate", junk, *AS_OF)
    assert result.exit_code == 2 and "FILE-UNREADABLE" in result.output
    assert run("validate", junk, bad, *AS_OF).exit_code == 1
    assert run("score", junk, *AS_OF).exit_code == 2


def test_hostile_text_is_written_as_text_never_a_formula(tmp_path):
    t = example_tender()
    evil = '=HYPERLINK("http://evil.example","click")'
    t = replace(t, bidders=(replace(t.bidders[0], name=evil),) + t.bidders[1:],
                scores=tuple(replace(s, bidder=evil) if s.bidder == t.bidders[0].name else s for s in t.scores),
                consensus=tuple(replace(c, bidder=evil) if c.bidder == t.bidders[0].name else c for c in t.consensus))
    src = tender_file(tmp_path / "t.xlsx", t)
    out = tmp_path / "o.xlsx"
    assert run("score", src, "-o", out, *AS_OF).exit_code == 0
    ws = load_workbook(out)["Report"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == evil]
    assert cells and all(c.data_type == "s" for c in cells)


def test_policy_file_changes_the_rule(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text('sv_min_percent_of_quality = 20\nstrategy_version = "V1.0"\n'
                      'strategy_next_review = 2027-11-01\n')
    src = tender_file(tmp_path / "t.xlsx")
    result = run("validate", src, "--policy", policy, *AS_OF)
    assert result.exit_code == 1 and "SV-WEIGHT-BELOW-MIN" in result.output and "20%" in result.output
    assert "POLICY-REVIEW-OVERDUE" not in result.output
    policy.write_text("sv_minimum = 20\n")
    assert run("validate", src, "--policy", policy).exit_code == 2


def test_committed_template_is_up_to_date(tmp_path):
    """workbooks/tender_evaluation.xlsx is what `new tender` writes today (part by part)."""
    import re
    import xml.etree.ElementTree as ET
    import zipfile

    def part(z, name):
        """Canonical XML (openpyxl declares namespaces differently with and without lxml),
        without the save time openpyxl stamps into docProps/core.xml."""
        data = re.sub(rb"<dcterms:modified.*?</dcterms:modified>", b"", z.read(name))
        return ET.canonicalize(data.decode("utf-8")) if name.endswith((".xml", ".rels")) else data

    fresh = tmp_path / "fresh.xlsx"
    assert run("new", "tender", fresh).exit_code == 0
    committed = Path(__file__).resolve().parents[2] / "workbooks" / "tender_evaluation.xlsx"
    with zipfile.ZipFile(fresh) as a, zipfile.ZipFile(committed) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for name in a.namelist():
            assert part(a, name) == part(b, name), f"{name} differs: run `sv-workbook new tender {committed}`"


def test_written_files_keep_normal_permissions(tmp_path):
    import os
    import stat
    src = tender_file(tmp_path / "t.xlsx")
    os.chmod(src, 0o664)
    assert run("score", src, "--in-place", *AS_OF).exit_code == 0
    assert stat.S_IMODE(src.stat().st_mode) == 0o664
    out = tmp_path / "new.xlsx"
    assert run("new", "tender", out).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) & 0o044  # readable by group/others per umask, not owner-only


def test_output_and_in_place_together_are_refused(tmp_path):
    src = tender_file(tmp_path / "t.xlsx")
    result = run("score", src, "-o", tmp_path / "o.xlsx", "--in-place", *AS_OF)
    assert result.exit_code == 2 and "not both" in result.output


def test_duplicate_bidder_rows_use_the_first_row(tmp_path):
    from sv_workbook.app.analyse import analyse_file
    from sv_workbook.core.policy import DEFAULT_POLICY

    def edit(wb):  # a second row for the first bidder with another price
        wb["Bidders"]["A6"], wb["Bidders"]["B6"] = "Moorland Property Services Ltd", 1.0
    outcome = analyse_file(tender_file(tmp_path / "t.xlsx", edit=edit), DEFAULT_POLICY, TODAY)
    assert "DUPLICATE-BIDDER" in {f.code for f in outcome.findings}
    assert outcome.result.result("Moorland Property Services Ltd").price == 1_640_000.0


# --- quiet, honest defaults (issue 13) ---------------------------------------------------


def test_clean_workbooks_pass_fail_on_warning_and_the_review_date_is_said_once(tmp_path):
    """The default policy is past its review date: a notice once per run, not a warning per workbook."""
    import shutil

    root = Path(__file__).resolve().parents[2]
    for name in ("tender_example.xlsx", "kpi_register_example.xlsx"):
        shutil.copy(root / "examples" / name, tmp_path / name)
    result = run("validate", tmp_path, "--fail-on", "warning", "--as-of", "2026-11-27")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("Notice: The policy applied is Social Value Strategy V0.2") == 1
    assert "review date has passed" in result.stderr and "POLICY-REVIEW-OVERDUE" not in result.stdout
    scored = run("score", tmp_path / "tender_example.xlsx", "-o", tmp_path / "s.xlsx", "--as-of", "2026-11-27")
    assert scored.exit_code == 0 and scored.stderr.count("Notice:") == 1
    line = [r for r in load_workbook(tmp_path / "s.xlsx")["Report"].iter_rows(values_only=True)
            if r and r[0] == "Policy applied"][0]
    assert "PAST ITS REVIEW DATE (November 2024)" in line[1]
    current = tmp_path / "policy.toml"
    current.write_text("strategy_next_review = 2030-01-01\n")
    in_date = run("validate", tmp_path, "--fail-on", "warning", "--as-of", "2026-11-27", "--policy", current)
    assert in_date.exit_code == 0 and "Notice:" not in in_date.stderr


def test_new_refuses_to_replace_a_file_unless_forced_and_then_keeps_a_backup(tmp_path):
    target = tmp_path / "evaluation.xlsx"
    target.write_bytes(b"the panel's filled-in workbook")
    refused = run("new", "tender", target)
    assert refused.exit_code == 2 and "already exists" in refused.stderr and "--force" in refused.stderr
    assert target.read_bytes() == b"the panel's filled-in workbook"
    assert run("new", "kpi-register", target).exit_code == 2
    forced = run("new", "tender", target, "--force")
    assert forced.exit_code == 0, forced.output
    backups = list(tmp_path.glob("evaluation.backup-*.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == b"the panel's filled-in workbook"
    assert str(backups[0]) in forced.stdout
    assert load_workbook(target)["Setup"] is not None


def test_outputs_for_colleagues_honour_the_umask(tmp_path):
    """validate -o and summaries .docx are as readable as any file the user saves (not 0600)."""
    import os
    import stat

    from tests.support.fill import fill_tender
    from sv_workbook.xlsx.tender_template import build_tender_template

    old = os.umask(0o022)
    try:
        src = tender_file(tmp_path / "t.xlsx")
        assert run("validate", src, "-o", tmp_path / "findings.csv", "--format", "csv", *AS_OF).exit_code == 0
        assert stat.S_IMODE((tmp_path / "findings.csv").stat().st_mode) == 0o644
        wb = build_tender_template()
        fill_tender(wb, example_tender())
        wb.save(tmp_path / "tender.xlsx")
        result = run("summaries", tmp_path / "tender.xlsx", "-o", tmp_path / "docs", *AS_OF)
        assert result.exit_code == 0, result.output
        docs = list((tmp_path / "docs").glob("*.docx"))
        assert docs and {stat.S_IMODE(p.stat().st_mode) for p in docs} == {0o644}
    finally:
        os.umask(old)


def test_a_write_that_cannot_happen_exits_2_for_every_command(tmp_path):
    """The README's exit-code table: a refused or failed write is 2, whatever the command."""
    src = tender_file(tmp_path / "t.xlsx")
    missing = tmp_path / "no" / "such" / "folder"
    assert run("validate", src, "-o", missing / "f.csv", *AS_OF).exit_code == 2
    assert run("score", src, "-o", missing / "s.xlsx", *AS_OF).exit_code == 2
    assert run("new", "tender", missing / "n.xlsx").exit_code == 2
    (tmp_path / "blocker").write_text("a file where the folder should be")
    from tests.support.fill import fill_tender
    from sv_workbook.xlsx.tender_template import build_tender_template

    wb = build_tender_template()
    fill_tender(wb, example_tender())
    wb.save(tmp_path / "tender.xlsx")
    assert run("summaries", tmp_path / "tender.xlsx", "-o", tmp_path / "blocker" / "docs", *AS_OF).exit_code == 2
