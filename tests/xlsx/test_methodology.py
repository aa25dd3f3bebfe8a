"""The Methodology sheet states the workbook's own rules, computed by LibreOffice from the settings."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from tests.support.example_tender import example_tender
from sv_workbook.xlsx.tender_template import METHODOLOGY_CRITERIA_COLUMNS, build_tender_template
from tests.support.fill import fill_tender, set_name

from tests.support.lo import needs_libreoffice, recalc

#: Functions Excel 2016 or LibreOffice 7.4 lack (or only know as dynamic arrays).
FORBIDDEN = ("XLOOKUP", "LET", "LAMBDA", "FILTER", "UNIQUE", "SORT", "SORTBY", "TEXTJOIN", "IFS", "MAXIFS",
             "MINIFS", "SWITCH", "CONCAT", "SEQUENCE", "XMATCH")


def test_template_formulas_use_only_portable_functions_and_short_literals():
    wb = build_tender_template()
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                seen += 1
                text = getattr(cell.value, "text", cell.value)  # an ArrayFormula carries its text
                literals = re.findall(r'"((?:[^"]|"")*)"', text)
                assert all(len(x) <= 255 for x in literals), f"{ws.title}!{cell.coordinate}: literal over 255"
                code = re.sub(r'"(?:[^"]|"")*"', '""', text)
                used = set(re.findall(r"([A-Z][A-Z0-9.]*)\(", code))
                assert not used & set(FORBIDDEN), f"{ws.title}!{cell.coordinate} uses {used & set(FORBIDDEN)}"
    assert seen > 1000 and "Methodology" in wb.sheetnames


@needs_libreoffice
def test_methodology_states_the_settings(tmp_path):
    t = example_tender()
    t = replace(t, setup=replace(t.setup, price_method="Deviation from lowest", pre_tender_estimate=1_700_000.0))
    wb = build_tender_template()
    fill_tender(wb, t)
    src = tmp_path / "m.xlsx"
    wb.save(src)
    ws = load_workbook(recalc(src, tmp_path / "lo"), data_only=True)["Methodology"]
    lines = {ws[f"A{r}"].value: ws[f"B{r}"].value for r in range(4, 13)}
    assert lines["Tender"] == "Responsive repairs and void works 2026-2030 (PPHT-2026-014)"
    assert lines["Price and quality"] == "Price carries 40% and quality 60% of the total score."
    assert lines["Marking scale"].startswith("Each quality criterion is marked from 0 to 5 against")
    assert lines["Social value"] == "Social value criteria carry 15% of the quality score (9% of the total score)."
    assert lines["Minimum scores"].startswith("Failing a minimum score disqualifies")
    assert lines["Price method"].startswith("Deviation from lowest: price score = 40 × (1 − (tender price")
    assert lines["Marks used"].endswith("only that mark is used.")
    assert "within 0.01 points" in lines["Ties"]
    assert "more than 20% below the median of the compliant tenders or the pre-tender estimate" in lines[
        "Abnormally low prices"]
    header = next(r for r in range(13, 25) if ws[f"A{r}"].value == "ID")
    assert tuple(ws.cell(row=header, column=c).value for c in range(1, 8)) == METHODOLOGY_CRITERIA_COLUMNS
    for i, c in enumerate(t.criteria):
        row = [ws.cell(row=header + 1 + i, column=k).value for k in range(1, 8)]
        assert row[:3] == [c.id, c.name, c.weight]
        assert row[3] == pytest.approx(c.weight * 0.6)
        assert row[4] == ("Yes" if c.social_value else "No")
        assert row[5] == (c.min_score if c.min_score is not None else "None")
        assert row[6] == (f"Yes: a mark below {c.min_score:g} excludes the tender" if c.min_score is not None else "No")
    assert ws.cell(row=header + 1 + len(t.criteria), column=1).value in (None, "")
    desc = next(r for r in range(header, header + 60) if ws[f"A{r}"].value == "From mark")
    assert [ws[f"A{desc + 1 + i}"].value for i in range(6)] == [0, 1, 2, 3, 4, 5]
    assert ws[f"B{desc + 6}"].value == "Excellent"


@needs_libreoffice
def test_methodology_follows_other_settings(tmp_path):
    t = example_tender()
    t = replace(t, setup=replace(t.setup, price_method="Price per quality point", consensus_rule="Mean", scale_max=10.0),
                criteria=tuple(replace(c, min_score=None) for c in t.criteria), scores=(), consensus=())
    wb = build_tender_template()
    fill_tender(wb, t)
    set_name(wb, "PriceMethod", None)  # left blank: the default, Lowest price
    src = tmp_path / "m.xlsx"
    wb.save(src)
    ws = load_workbook(recalc(src, tmp_path / "lo"), data_only=True)["Methodology"]
    lines = {ws[f"A{r}"].value: ws[f"B{r}"].value for r in range(4, 13)}
    assert lines["Price method"].startswith("Lowest price: price score = 40 × lowest price ÷ tender price.")
    assert lines["Minimum scores"].startswith("No criterion has a minimum score")
    assert "otherwise the mean" in lines["Marks used"]
    assert "or the pre-tender estimate" not in lines["Abnormally low prices"]
    assert "from 0 to 10 " in lines["Marking scale"]
