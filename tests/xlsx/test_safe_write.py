"""Writing never loses the user's data: other sheets unchanged, drops refused, macros kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula

from sv_workbook.app.jobs import score_file
from sv_workbook.xlsx.safe_write import WriteRefused
from sv_workbook.core.contracts import TENDER
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.xlsx.preserve import find_losses

from tests.support.paths import TODAY
from tests.support.lo import needs_libreoffice, recalc
from tests.support.zips import add_custom_xml, add_shape, make_xlsm, read_part


#: The sheets `score` rebuilds: the Report and the Scored inputs record (with its ResultFingerprint name).
REBUILT = frozenset(t.sheet for t in TENDER.tables if t.output)


def _comparable(value):
    """An array formula (the Scoring sheet's Excluded column) as its range and text: openpyxl's
    ArrayFormula objects compare by identity."""
    return ("array", value.ref, value.text) if isinstance(value, ArrayFormula) else value


def snapshot(path: Path, skip: frozenset[str] = REBUILT) -> dict:
    """Everything a person made outside the rebuilt sheets: cells, formulas, names, validations, tables."""
    wb = load_workbook(path)
    try:
        sheets = {}
        for ws in wb.worksheets:
            if ws.title in skip:
                continue
            sheets[ws.title] = {
                "cells": {c.coordinate: (_comparable(c.value), c.data_type) for row in ws.iter_rows() for c in row
                          if c.value is not None},
                "validations": sorted((dv.type, dv.operator, dv.formula1, dv.formula2, str(dv.sqref), dv.allow_blank,
                                       dv.errorStyle) for dv in ws.data_validations.dataValidation),
                "tables": {name: (ws.tables[name].ref, [c.name for c in ws.tables[name].tableColumns]) for name in ws.tables},
                "merged": sorted(str(r) for r in ws.merged_cells.ranges),
                "state": (ws.sheet_state, ws.protection.sheet),
            }
        names = {n: d.attr_text for n, d in wb.defined_names.items()
                 if not any(d.attr_text.startswith((f"'{s}'!", f"{s}!")) for s in skip)}
        return {"order": [s for s in wb.sheetnames if s not in skip], "names": names, "sheets": sheets}
    finally:
        wb.close()


def test_score_changes_nothing_outside_the_report(tmp_path, example_path):
    before = snapshot(example_path)
    out = tmp_path / "scored.xlsx"
    outcome = score_file(example_path, out, DEFAULT_POLICY, TODAY)
    assert outcome.written == str(out)
    after = snapshot(out)
    assert after == before
    # it really holds content worth comparing: formulas, validations, tables, names
    cells = [v for s in before["sheets"].values() for v in s["cells"].values()]
    assert sum(1 for _, t in cells if t == "f") > 100
    assert sum(len(s["validations"]) for s in before["sheets"].values()) >= 10
    assert {"Criteria", "Bidders", "Scores", "Consensus", "Evaluators"} <= {
        t for s in before["sheets"].values() for t in s["tables"]}
    assert "TenderRef" in before["names"]
    assert find_losses(example_path, out, ["Report"]) == []


@needs_libreoffice
def test_score_of_a_libreoffice_saved_file_changes_nothing_else(tmp_path, example_path):
    """A file saved by another spreadsheet program (cached values, its own XML) keeps its content too."""
    saved = recalc(example_path, tmp_path / "lo")
    out = tmp_path / "scored.xlsx"
    score_file(saved, out, DEFAULT_POLICY, TODAY)
    assert snapshot(out) == snapshot(saved)


def test_dropped_shape_is_refused_and_nothing_is_written(tmp_path, example_path):
    source = add_shape(example_path, tmp_path / "with-shape.xlsx", "Criteria")
    original = source.read_bytes()
    with pytest.raises(WriteRefused) as refused:
        score_file(source, None, DEFAULT_POLICY, TODAY)
    message = str(refused.value)
    assert "1 shapes (text boxes, arrows, buttons) (on 'Criteria')" in message and "--allow-loss" in message
    assert source.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tender.xlsx", "with-shape.xlsx"]  # no temp, no copy


def test_in_place_with_loss_is_refused_even_when_allowed(tmp_path, example_path):
    source = add_custom_xml(example_path, tmp_path / "with-xml.xlsx")
    original = source.read_bytes()
    with pytest.raises(WriteRefused, match="custom XML data"):
        score_file(source, None, DEFAULT_POLICY, TODAY, in_place=True)
    with pytest.raises(WriteRefused, match="--allow-loss cannot be used with --in-place"):
        score_file(source, None, DEFAULT_POLICY, TODAY, in_place=True, allow_loss=True)
    assert source.read_bytes() == original
    assert not list(tmp_path.glob("*.backup-*"))


def test_allow_loss_writes_a_new_file_and_says_what_it_lacks(tmp_path, example_path):
    source = add_custom_xml(example_path, tmp_path / "with-xml.xlsx")
    out = tmp_path / "results.xlsx"
    outcome = score_file(source, out, DEFAULT_POLICY, TODAY, allow_loss=True)
    assert outcome.written == str(out) and out.exists()
    [lost] = [f for f in outcome.findings if f.code == "WRITE-LOST-CONTENT"]
    assert "custom XML data" in lost.message and "with-xml.xlsx" in lost.hint


def test_macros_are_kept_byte_for_byte_in_xlsm(tmp_path, example_path, corpus):
    vba = read_part(corpus / "vba.xlsm", "xl/vbaProject.bin")
    source = make_xlsm(example_path, tmp_path / "tender.xlsm", vba)
    out = tmp_path / "scored.xlsm"
    outcome = score_file(source, out, DEFAULT_POLICY, TODAY)
    assert any(f.code == "HAS-MACROS" and f.severity == "info" for f in outcome.findings)
    assert read_part(out, "xl/vbaProject.bin") == vba
    assert b"macroEnabled" in read_part(out, "[Content_Types].xml")
    with pytest.raises(WriteRefused, match="file type"):
        score_file(source, tmp_path / "scored.xlsx", DEFAULT_POLICY, TODAY)


def test_excel_owner_file_blocks_in_place(tmp_path, example_path):
    (tmp_path / "~$nder.xlsx").write_bytes(b"owner")
    with pytest.raises(WriteRefused, match="open in Excel"):
        score_file(example_path, None, DEFAULT_POLICY, TODAY, in_place=True)


def test_cli_refuses_then_allows_loss_to_a_new_file(tmp_path, example_path):
    from click.testing import CliRunner

    from sv_workbook.cli.commands import main

    source = add_shape(example_path, tmp_path / "with-shape.xlsx", "Criteria")
    runner = CliRunner()
    refused = runner.invoke(main, ["score", str(source), "--as-of", TODAY.isoformat()])
    assert refused.exit_code == 2 and "Not written" in refused.output and "shapes" in refused.output
    out = tmp_path / "results.xlsx"
    allowed = runner.invoke(main, ["score", str(source), "-o", str(out), "--allow-loss", "--as-of", TODAY.isoformat()])
    assert out.exists() and "WRITE-LOST-CONTENT" in allowed.output
    in_place = runner.invoke(main, ["score", str(source), "--in-place", "--allow-loss"])
    assert in_place.exit_code == 2 and "--allow-loss cannot be used with --in-place" in in_place.output


def test_scoring_a_scored_file_again_is_fine_our_chart_is_rebuilt(tmp_path, example_path):
    first = tmp_path / "scored.xlsx"
    score_file(example_path, first, DEFAULT_POLICY, TODAY)
    assert b"drawingml.chart" in read_part(first, "[Content_Types].xml")
    second = score_file(first, tmp_path / "again.xlsx", DEFAULT_POLICY, TODAY)
    assert second.written and not [f for f in second.findings if f.code == "WRITE-LOST-CONTENT"]


def test_someone_elses_chart_is_never_silently_redrawn(tmp_path, example_path):
    from openpyxl.chart import BarChart, Reference

    wb = load_workbook(example_path)
    ws = wb["Bidders"]
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=5), titles_from_data=True)
    ws.add_chart(chart, "H2")
    source = tmp_path / "with-chart.xlsx"
    wb.save(source)
    with pytest.raises(WriteRefused, match=r"1 charts made outside this tool .* \(on 'Bidders'\)"):
        score_file(source, None, DEFAULT_POLICY, TODAY)
