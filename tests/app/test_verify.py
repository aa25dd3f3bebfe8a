"""`sv-workbook verify`: the fingerprint `score` writes, recomputed; changes named in an auditor's words."""

from __future__ import annotations


import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from sv_workbook.cli.commands import main
from sv_workbook.core.tender.fingerprint import canonical, digest, Entry
from tests.support.lo import needs_libreoffice, recalc
from tests.support.paths import TODAY
from tests.support.tender_files import tender_file


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def scored(tmp_path):
    src = tender_file(tmp_path / "t.xlsx")
    out = tmp_path / "scored.xlsx"
    assert run("score", src, "-o", out, "--as-of", TODAY.isoformat()).exit_code == 0
    return out


def edit(path, sheet, coord, value):
    wb = load_workbook(path)
    wb[sheet][coord] = value
    wb.save(path)


def test_an_unchanged_scored_workbook_verifies(scored):
    result = run("verify", scored)
    assert result.exit_code == 0 and "VERIFIED" in result.output
    fingerprint = load_workbook(scored)["Scored inputs"]["B4"].value
    assert len(fingerprint) == 64 and fingerprint in load_workbook(scored)["Report"]["B8"].value


def test_a_changed_mark_is_named_with_its_row_the_evaluator_bidder_criterion_and_both_values(scored):
    ws = load_workbook(scored)["Scores"]
    assert (ws["A6"].value, ws["B6"].value, ws["C6"].value, ws["D6"].value) == (
        "Moorland Property Services Ltd", "Q2", "J. Okafor", 3)
    edit(scored, "Scores", "D6", 5)
    result = run("verify", scored)
    assert result.exit_code == 1
    assert ("Scores row 6: J. Okafor's mark for Moorland Property Services Ltd / Q2 is 5, was 3 when scored"
            in result.output)


def test_a_changed_price_and_weight_are_named_too(scored):
    edit(scored, "Bidders", "B2", 1_000_000)
    result = run("verify", scored)
    assert result.exit_code == 1
    assert "Bidders row 2: Moorland Property Services Ltd's price is 1000000, was 1640000 when scored" in result.output
    assert "Moorland Property Services Ltd's unrounded total score is" in result.output


def test_an_edited_record_is_caught(scored):
    ws = load_workbook(scored)["Scored inputs"]
    row = next(r for r in range(7, ws.max_row + 1) if ws.cell(row=r, column=1).value.startswith("score|"))
    edit(scored, "Scored inputs", f"D{row}", "1.0")
    result = run("verify", scored)
    assert result.exit_code == 1 and "VERIFY-RECORD-EDITED" in result.output


def test_another_policy_is_a_named_difference(scored, tmp_path):
    policy = tmp_path / "p.toml"
    policy.write_text("sv_min_percent_of_quality = 12\n")
    result = run("verify", scored, "--policy", policy)
    assert result.exit_code == 1
    assert "Policy setting sv_min_percent_of_quality is 12, was 10 when scored" in result.output


def test_unscored_is_1_and_unreadable_is_2(tmp_path):
    assert run("verify", tender_file(tmp_path / "t.xlsx")).exit_code == 1
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip at all")
    assert run("verify", bad).exit_code == 2


def test_the_hash_is_over_content_and_canonical_numbers():
    a = [Entry("k|1", "x", "Scores row 2", canonical(3)), Entry("k|2", "y", "here", canonical("t"))]
    b = [Entry("k|2", "other words", "moved", "t"), Entry("k|1", "x", "Scores row 9", canonical(3.0))]
    assert digest(a) == digest(b)  # order, words and places are not hashed; 3 and 3.0 are one value
    assert digest(a) != digest([a[0], Entry("k|2", "y", "here", "u")])
    assert canonical(0.1 + 0.2) == "0.30000000000000004"  # unrounded


@needs_libreoffice
def test_a_scored_copy_resaved_by_libreoffice_still_verifies(scored, tmp_path):
    resaved = recalc(scored, tmp_path / "lo")
    assert resaved.read_bytes() != scored.read_bytes()
    result = run("verify", resaved)
    assert result.exit_code == 0, result.output
