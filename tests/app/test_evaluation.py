"""split -> evaluators fill -> merge -> score -> verify, and every way a return is refused.

Returns are filled the way an evaluator would: only the Score and Comment cells (and the
declaration), found by the headers the workbook shows, with openpyxl or re-saved by LibreOffice.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from sv_workbook.cli.commands import main
from sv_workbook.core.tender.parse import parse_tender
from sv_workbook.xlsx.openpyxl_read import read_rawbook
from tests.support.example_tender import EVALUATORS, example_tender
from tests.support.lo import needs_libreoffice, recalc
from tests.support.paths import TODAY
from tests.support.tender_files import tender_file


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def blank_master(path: Path) -> Path:
    """The example tender before anyone has marked or declared."""
    return tender_file(path, replace(example_tender(), scores=(), consensus=(), declarations=()))


def split(master: Path, outdir: Path) -> dict[str, Path]:
    result = run("split", master, "-o", outdir)
    assert result.exit_code == 0, result.output
    files = sorted(outdir.glob("*.xlsx"))
    return {load_workbook(f)["Instructions"]["B6"].value: f for f in files}


def headers(ws, row=1):
    return {ws.cell(row=row, column=c).value: c for c in range(1, ws.max_column + 1) if ws.cell(row=row, column=c).value}


def fill(path: Path, marks: dict[tuple[str, str], float], declaration=("No", None, None), save_to: Path | None = None):
    """What an evaluator does: type marks and comments, and declare."""
    wb = load_workbook(path)
    ws = wb["Scores"]
    h = headers(ws)
    for r in range(2, ws.max_row + 1):
        key = (ws.cell(row=r, column=h["Bidder"]).value, ws.cell(row=r, column=h["CriterionID"]).value)
        if key in marks:
            ws.cell(row=r, column=h["Score"]).value = marks[key]
            ws.cell(row=r, column=h["Comment"]).value = f"Evidence for {key[1]} supports {marks[key]}."
    d = wb["Declaration"]
    dh = headers(d, 3)
    from datetime import datetime
    d.cell(row=4, column=dh["DeclaredOn"]).value = datetime(2026, 2, 2)
    for column, value in zip(("Conflict", "Details", "Mitigation"), declaration):
        d.cell(row=4, column=dh[column]).value = value
    wb.save(save_to or path)
    return save_to or path


def example_marks(evaluator: str) -> dict[tuple[str, str], float]:
    return {(s.bidder, s.criterion_id): s.score for s in example_tender().scores if s.evaluator == evaluator}


def fill_all(returns: dict[str, Path]) -> list[Path]:
    okafor = example_tender().declarations[1]
    for name, path in returns.items():
        fill(path, example_marks(name), ("Yes", okafor.details, okafor.mitigation) if name == "J. Okafor" else
             ("No", None, None))
    return list(returns.values())


def add_consensus(path: Path) -> None:
    """Moderation, in the master: the panel's agreed marks."""
    from tests.support.fill import fill_table
    wb = load_workbook(path)
    fill_table(wb, "Consensus", [{"Bidder": m.bidder, "CriterionID": m.criterion_id, "Score": m.score,
                                  "Rationale": m.rationale} for m in example_tender().consensus])
    wb.save(path)


def scores_of(path: Path):
    tender, _ = parse_tender(read_rawbook(path))
    return sorted((s.evaluator, s.bidder, s.criterion_id, s.score, s.comment) for s in tender.scores), tender


# --- the whole process ------------------------------------------------------------------------

def test_the_example_goes_through_split_fill_merge_score_verify(tmp_path):
    master = blank_master(tmp_path / "tender.xlsx")
    returns = split(master, tmp_path / "out")
    assert set(returns) == set(EVALUATORS)
    merged = tmp_path / "merged.xlsx"
    result = run("merge", master, *fill_all(returns), "-o", merged)
    assert result.exit_code == 0, result.output
    add_consensus(merged)
    scored = tmp_path / "scored.xlsx"
    result = run("score", merged, "-o", scored, "--as-of", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    assert "declarations complete for all 3" in load_workbook(scored)["Report"]["B6"].value
    # the same ranking as the example scored in one shared workbook
    reference = tmp_path / "ref-scored.xlsx"
    run("score", tender_file(tmp_path / "ref.xlsx"), "-o", reference, "--as-of", TODAY.isoformat())
    ranking = lambda p: [(c[1].value, c[6].value) for c in load_workbook(p)["Report"].iter_rows(min_row=10, max_row=13)]
    assert ranking(scored) == ranking(reference)
    assert run("verify", scored).exit_code == 0
    wb = load_workbook(scored)
    ws = wb["Scores"]
    row = next(r for r in range(2, 80) if ws[f"C{r}"].value == "S. Lewis" and ws[f"B{r}"].value == "Q2")
    was = ws[f"D{row}"].value
    ws[f"D{row}"] = 5 if was != 5 else 1
    wb.save(scored)
    result = run("verify", scored)
    assert result.exit_code == 1
    assert f"Scores row {row}: S. Lewis's mark for {ws[f'A{row}'].value} / Q2 is" in result.output
    assert f"was {was:g} when scored" in result.output


def test_an_evaluator_workbook_shows_no_prices_and_no_other_evaluator(tmp_path):
    master = tender_file(tmp_path / "tender.xlsx")  # the master already holds everyone's marks
    returns = split(master, tmp_path / "out")
    path = returns["J. Okafor"]
    assert path.name == "PPHT-2026-014 - J_Okafor.xlsx"
    wb = load_workbook(path)
    text = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    for other in ("A. Patel", "S. Lewis"):
        assert not any(other in t for t in text)
    for bid in example_tender().bidders:
        assert not any(f"{bid.price:.0f}" in t.replace(",", "") for t in text)
    assert "Price" not in headers(wb["Bidders"])
    ws = wb["Scores"]
    h = headers(ws)
    assert ws.max_row - 1 == 4 * 6  # one row per bidder x criterion
    assert ws.protection.sheet
    for column, locked in (("Bidder", True), ("CriterionID", True), ("Evaluator", True), ("Check", True),
                           ("Score", False), ("Comment", False)):
        assert ws.cell(row=2, column=h[column]).protection.locked is locked, column
    # J. Okafor's marks already in the master are carried over, and the declaration too
    marks = {(ws.cell(row=r, column=1).value, ws.cell(row=r, column=2).value): ws.cell(row=r, column=h["Score"]).value
             for r in range(2, ws.max_row + 1)}
    assert marks == example_marks("J. Okafor")
    assert wb["Declaration"]["C4"].value == "Yes" and wb["Declaration"]["E4"].protection.locked is False
    assert wb["Criteria"]["B2"].value == "Technical approach to responsive repairs"
    assert "Descriptors" in wb["Criteria"].tables


def test_merging_twice_changes_nothing_and_replaces_earlier_rows(tmp_path):
    master = tender_file(tmp_path / "tender.xlsx")
    returns = split(master, tmp_path / "out")
    marks = example_marks("A. Patel")
    changed = {k: (0.0 if v > 2 else 4.0) for k, v in marks.items()}
    fill(returns["A. Patel"], changed)
    once, twice = tmp_path / "once.xlsx", tmp_path / "twice.xlsx"
    assert run("merge", master, returns["A. Patel"], "-o", once).exit_code == 0
    assert run("merge", once, returns["A. Patel"], "-o", twice).exit_code == 0
    first, tender = scores_of(once)
    assert first == scores_of(twice)[0]
    patel = {(s[1], s[2]): s[3] for s in first if s[0] == "A. Patel"}
    assert patel == changed and len(first) == len(example_tender().scores)
    ws1, ws2 = load_workbook(once)["Scores"], load_workbook(twice)["Scores"]
    assert [[c.value for c in r] for r in ws1.iter_rows()] == [[c.value for c in r] for r in ws2.iter_rows()]


def test_in_place_keeps_a_backup_and_refuses_when_open_in_excel(tmp_path):
    master = blank_master(tmp_path / "tender.xlsx")
    returns = split(master, tmp_path / "out")
    fill(returns["S. Lewis"], example_marks("S. Lewis"))
    before = master.read_bytes()
    lock = tmp_path / "~$nder.xlsx"
    lock.write_bytes(b"")
    result = run("merge", master, returns["S. Lewis"], "--in-place")
    assert result.exit_code == 2 and "open in Excel" in result.output and master.read_bytes() == before
    lock.unlink()
    result = run("merge", master, returns["S. Lewis"], "--in-place")
    assert result.exit_code == 0, result.output
    backups = list(tmp_path.glob("tender.backup-*.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == before
    assert len(scores_of(master)[0]) == 24
    assert not (tmp_path / "tender.merged.xlsx").exists()


def test_the_default_output_is_a_copy(tmp_path):
    master = blank_master(tmp_path / "tender.xlsx")
    returns = split(master, tmp_path / "out")
    before = sha(master)
    assert run("merge", master, fill(returns["A. Patel"], example_marks("A. Patel"))).exit_code == 0
    assert sha(master) == before and (tmp_path / "tender.merged.xlsx").exists()


def test_a_master_with_the_templates_lite_buttons_merges_and_keeps_them(tmp_path):
    """`new tender` draws the xlwings Lite buttons; openpyxl's save drops shapes, so merge must put them back
    (as score does) instead of refusing the save as a loss."""
    from sv_workbook.xlsx.lite_buttons import BUTTONS, add_buttons, buttons_in

    master = blank_master(tmp_path / "tender.xlsx")
    add_buttons(master, BUTTONS["tender"])  # as write_template does for a template
    returns = split(master, tmp_path / "out")
    merged = tmp_path / "merged.xlsx"
    result = run("merge", master, fill(returns["A. Patel"], example_marks("A. Patel")), "-o", merged)
    assert result.exit_code == 0, result.output
    assert buttons_in(merged) == list(BUTTONS["tender"])


@needs_libreoffice
def test_a_return_resaved_by_libreoffice_still_merges(tmp_path):
    master = blank_master(tmp_path / "tender.xlsx")
    returns = split(master, tmp_path / "out")
    filled = fill(returns["A. Patel"], example_marks("A. Patel"))
    resaved = recalc(filled, tmp_path / "lo")
    assert resaved.read_bytes() != filled.read_bytes()
    out = tmp_path / "merged.xlsx"
    result = run("merge", master, resaved, "-o", out)
    assert result.exit_code == 0, result.output
    merged, tender = scores_of(out)
    assert {(s[1], s[2]): s[3] for s in merged} == example_marks("A. Patel")
    assert [d.evaluator for d in tender.declarations] == ["A. Patel"]


# --- refusals: nothing written, the master byte for byte unchanged ----------------------------

def refused(tmp_path, master: Path, *returns: Path, expect: str, where: str | None = None) -> str:
    before = sha(master)
    out = tmp_path / "merged.xlsx"
    result = run("merge", master, *returns, "-o", out)
    assert result.exit_code == 2, result.output
    assert expect in result.output and "Nothing merged" in result.output
    if where:
        assert where in result.output, result.output
    assert sha(master) == before and not out.exists()
    result = run("merge", master, *returns, "--in-place")
    assert result.exit_code == 2 and sha(master) == before
    assert not list(tmp_path.glob("tender.backup-*"))
    return result.output


def test_a_return_from_another_tender_is_refused(tmp_path):
    other = tender_file(tmp_path / "other.xlsx", replace(example_tender(), setup=replace(example_tender().setup,
                                                                                         ref="PPHT-2026-099")))
    returns = split(other, tmp_path / "out")
    master = blank_master(tmp_path / "tender.xlsx")
    ret = fill(returns["A. Patel"], example_marks("A. Patel"))
    refused(tmp_path, master, ret, expect="RETURN-OTHER-TENDER",
            where="'PPHT-2026-099 - A_Patel.xlsx' Instructions!B4")


def test_a_stale_return_is_refused_saying_what_changed(tmp_path):
    master = blank_master(tmp_path / "tender.xlsx")
    returns = split(master, tmp_path / "out")
    ret = fill(returns["A. Patel"], example_marks("A. Patel"))
    wb = load_workbook(master)
    wb["Criteria"]["C2"] = 25  # Q1's weight
    wb["Criteria"]["C3"] = 25
    wb.save(master)
    output = refused(tmp_path, master, ret, expect="RETURN-STALE", where="Instructions!B8")
    assert "criterion Q1's weight changed" in output


@pytest.mark.parametrize("damage", ["relabel", "add", "delete", "swap", "criteria-text"])
def test_edited_locked_cells_are_refused_naming_the_cell(tmp_path, damage):
    master = blank_master(tmp_path / "tender.xlsx")
    returns = split(master, tmp_path / "out")
    ret = fill(returns["A. Patel"], example_marks("A. Patel"))
    wb = load_workbook(ret)
    ws = wb["Scores"]
    table = ws.tables["Scores"]
    if damage == "relabel":
        ws["A3"] = "Northern Homes Repairs Group plc"
        where = "Scores!A3"
    elif damage == "add":
        for col in "ABCDEFH":
            ws[f"{col}26"] = ws[f"{col}25"].value
        table.ref = "A1:H26"
        where = "Scores!A26"
    elif damage == "delete":
        for col in "ABCDEFGH":
            ws[f"{col}25"] = None
        table.ref = "A1:H24"
        where = "1 pre-listed row(s) were deleted"
    elif damage == "swap":
        ws["A2"], ws["A8"] = ws["A8"].value, ws["A2"].value
        where = "Scores!A2"
    else:
        wb["Criteria"]["C3"] = 40
        where = "Criteria!C3"
    wb.save(ret)
    refused(tmp_path, master, ret, expect="RETURN-TAMPERED", where=where)


def test_an_evaluator_not_on_the_panel_is_refused(tmp_path):
    master = blank_master(tmp_path / "tender.xlsx")
    wider = tender_file(tmp_path / "wider.xlsx", replace(example_tender(), scores=(), consensus=(), declarations=(),
                                                         evaluators=(*EVALUATORS, "R. Stranger")))
    returns = split(wider, tmp_path / "out")
    ret = fill(returns["R. Stranger"], example_marks("A. Patel"))
    refused(tmp_path, master, ret, expect="RETURN-NOT-ON-PANEL", where="Instructions!B6")


def test_two_disagreeing_returns_for_one_evaluator_are_refused_but_identical_copies_merge(tmp_path):
    master = blank_master(tmp_path / "tender.xlsx")
    returns = split(master, tmp_path / "out")
    first = fill(returns["A. Patel"], example_marks("A. Patel"))
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(first.read_bytes())
    assert run("merge", master, first, copy, "-o", tmp_path / "ok.xlsx").exit_code == 0
    marks = example_marks("A. Patel")
    marks[("Moorland Property Services Ltd", "Q1")] = 1.0
    second = fill(first, marks, save_to=tmp_path / "second.xlsx")
    refused(tmp_path, master, first, second, expect="RETURN-CONFLICTING", where="Scores!E2")


def test_a_workbook_that_is_not_a_return_is_refused_with_the_good_returns(tmp_path):
    master = blank_master(tmp_path / "tender.xlsx")
    returns = split(master, tmp_path / "out")
    good = fill(returns["A. Patel"], example_marks("A. Patel"))
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really")
    output = refused(tmp_path, master, good, tender_file(tmp_path / "t2.xlsx"), junk, expect="RETURN-NOT-A-RETURN")
    assert "'junk.xlsx'" in output and "'t2.xlsx'" in output


def test_marks_out_of_range_or_blank_merge_and_are_the_usual_findings(tmp_path):
    master = blank_master(tmp_path / "tender.xlsx")
    returns = split(master, tmp_path / "out")
    marks = example_marks("A. Patel")
    marks[("Moorland Property Services Ltd", "Q1")] = 9
    ret = fill(returns["A. Patel"], marks)
    wb = load_workbook(ret)
    wb["Scores"]["E3"] = None  # a comment but no mark
    wb["Scores"]["E4"] = "=1+1"  # a formula is never run: it arrives as text
    wb.save(ret)
    out = tmp_path / "merged.xlsx"
    assert run("merge", master, ret, "-o", out).exit_code == 0
    result = run("validate", out, "--as-of", TODAY.isoformat())
    assert "SCORE-OUT-OF-RANGE" in result.output and "BLANK" in result.output and "NOT-A-NUMBER" in result.output
    assert load_workbook(out)["Scores"]["D4"].data_type == "s"
