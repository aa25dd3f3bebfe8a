"""openpyxl adapter: write one evaluator's workbook for `split`, and read a return for `merge`.

The evaluator sees the criteria with their descriptors, the bidders' names (never prices), a
Scores table pre-listed for them alone and their own declaration row. Only Score, Comment and
the declaration's answers are unlocked. No other evaluator's name or mark is written. All text
from the master is written as inert text.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils.cell import range_boundaries

from sv_workbook.core.bind import norm
from sv_workbook.core.contracts import YES_NO
from sv_workbook.core.policy import DEFAULT_POLICY, Policy
from sv_workbook.core.tender.descriptors import DESCRIPTORS
from sv_workbook.core.tender.model import Tender
from sv_workbook.core.tender.returns import (EvaluatorReturn, ReturnRow, ShownCriterion, carried_over, declaration_of,
                                             row_check, tender_fingerprint)
from sv_workbook.xlsx.openpyxl_read import close_workbook, open_workbook
from sv_workbook.xlsx.safe_write import atomic_save
from sv_workbook.xlsx.write_helpers import (BOLD, TITLE_FONT, WRAP, add_table, date_validation, define_name,
                                            fix_properties, list_validation, mark_input, number_validation, protect,
                                            put_formula, put_text, put_value, set_widths)

SCORES_HEADERS = ["Bidder", "CriterionID", "Criterion", "Evaluator", "Score", "Comment", "Descriptor", "Check"]
DECLARATION_HEADERS = ["Evaluator", "DeclaredOn", "Conflict", "Details", "Mitigation"]
CRITERIA_HEADERS = ["ID", "Criterion", "Weight", "SocialValue", "MinScore"]
#: Return details on the Instructions sheet: defined name -> (row, label).
META = {"ReturnTenderRef": (4, "Tender reference"), "ReturnTitle": (5, "Tender title"),
        "ReturnEvaluator": (6, "Evaluator"), "ScoreScaleMax": (7, "Top of the marking scale"),
        "ReturnFingerprint": (8, "Tender fingerprint (SHA-256)"), "ReturnSplitOn": (9, "Split on")}


def build_evaluator_workbook(tender: Tender, evaluator: str, today: date) -> Workbook:
    """The workbook one evaluator fills in and sends back."""
    s = tender.setup
    fingerprint = tender_fingerprint(tender)
    wb = Workbook()
    ws = wb.active
    ws.title = "Instructions"
    ws["A1"] = "Evaluator workbook"
    ws["A1"].font = TITLE_FONT
    put_text(ws, "A2", f"{s.ref} – {s.title}: marks of {evaluator}")
    ws["A2"].font = BOLD
    for name, (row, label) in META.items():
        ws.cell(row=row, column=1, value=label).font = BOLD
        value = {"ReturnTenderRef": s.ref, "ReturnTitle": s.title, "ReturnEvaluator": evaluator,
                 "ScoreScaleMax": s.scale_max, "ReturnFingerprint": fingerprint, "ReturnSplitOn": today}[name]
        put_value(ws, f"B{row}", value)
        if name == "ReturnSplitOn":
            ws[f"B{row}"].number_format = "dd/mm/yyyy"
        define_name(wb, name, "Instructions", f"B{row}")
    steps = [
        "How to mark",
        "1. Declaration sheet: before you read the bids, declare any conflict of interest (Conflict Yes or No, "
        "with the date). If Yes, say what it is and agree the mitigation with the chair before scoring.",
        "2. Criteria sheet: read each criterion, its weight, any minimum score and the descriptors of the marks.",
        f"3. Scores sheet: give every bid a mark from 0 to {s.scale_max:g} on every criterion, with a comment "
        "saying why (suppliers' debriefs quote it). The descriptor beside your mark shows what it means.",
        "4. Mark alone: do not discuss marks with other evaluators before moderation. This workbook holds no prices "
        "and no other evaluator's marks.",
        "5. Save the workbook (keep its name) and send it back to the procurement officer, who merges it with "
        "`sv-workbook merge`.",
        "Only the yellow cells can be changed. Do not add, delete, move or relabel rows: the merge checks every "
        "row and refuses a return whose locked cells were edited. Re-saving in Excel or LibreOffice is fine.",
    ]
    for i, text in enumerate(steps):
        cell = ws.cell(row=11 + i, column=1, value=text)
        cell.alignment = WRAP
        if i == 0:
            cell.font = BOLD
        else:
            ws.merge_cells(start_row=11 + i, start_column=1, end_row=11 + i, end_column=2)
            ws.row_dimensions[11 + i].height = 32
    set_widths(ws, {"A": 40, "B": 80})
    protect(ws)
    _declaration(wb, tender, evaluator)
    _criteria(wb, tender)
    _bidders(wb, tender)
    _scores(wb, tender, evaluator, fingerprint)
    for sheet in wb.worksheets:  # printable: each sheet one page wide, landscape
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    wb.active = wb.sheetnames.index("Declaration")
    fix_properties(wb)
    return wb


def _declaration(wb: Workbook, tender: Tender, evaluator: str) -> None:
    ws = wb.create_sheet("Declaration")
    ws["A1"] = "Conflict-of-interest declaration (Procurement Act 2023 ss.81-83)"
    ws["A1"].font = TITLE_FONT
    add_table(ws, "Declarations", 1, 3, DECLARATION_HEADERS, 1)
    d = declaration_of(tender, evaluator)
    put_text(ws, "A4", evaluator)
    for col, value in zip("BCDE", (d.declared_on, None if d.conflict is None else YES_NO[0 if d.conflict else 1],
                                   d.details, d.mitigation) if d else (None,) * 4):
        mark_input(ws, f"{col}4", "dd/mm/yyyy" if col == "B" else None)
        put_value(ws, f"{col}4", value)
        ws[f"{col}4"].alignment = WRAP
    ws.row_dimensions[4].height = 48
    date_validation(ws, "B4", "The date you declared (before scoring).")
    list_validation(ws, "C4", YES_NO, "Yes if you have or may have a conflict of interest in any bid.")
    ws["A6"] = ("A conflict is any interest that could be seen to affect your impartiality: a past or present "
                "employer, shareholding, family or close personal link with a bidder. If Yes, give the details and "
                "the mitigation agreed with the chair.")
    ws["A6"].alignment = WRAP
    ws.merge_cells("A6:E6")
    ws.row_dimensions[6].height = 45
    set_widths(ws, {"A": 24, "B": 14, "C": 10, "D": 50, "E": 50})
    protect(ws)


def _criteria(wb: Workbook, tender: Tender) -> None:
    ws = wb.create_sheet("Criteria")
    add_table(ws, "Criteria", 1, 1, CRITERIA_HEADERS, len(tender.criteria))
    for i, c in enumerate(tender.criteria):
        r = 2 + i
        for col, value in zip("ABCDE", (c.id, c.name, c.weight, YES_NO[0 if c.social_value else 1], c.min_score)):
            put_value(ws, f"{col}{r}", value)
        ws[f"B{r}"].alignment = WRAP
    start = len(tender.criteria) + 4
    ws.cell(row=start - 1, column=1, value="What the marks mean").font = BOLD
    add_table(ws, "Descriptors", 1, start, ["FromMark", "Descriptor", "Meaning"], len(DESCRIPTORS))
    scale = tender.setup.scale_max
    for i, (share, label, meaning) in enumerate(DESCRIPTORS):
        r = start + 1 + i
        ws.cell(row=r, column=1, value=share * scale).number_format = "0.##"
        ws.cell(row=r, column=2, value=label)
        ws.cell(row=r, column=3, value=meaning)
    define_name(wb, "ScoreDescriptors", "Criteria", f"A{start + 1}:B{start + len(DESCRIPTORS)}")
    set_widths(ws, {"A": 10, "B": 60, "C": 70, "D": 12, "E": 10})
    protect(ws)


def _bidders(wb: Workbook, tender: Tender) -> None:
    ws = wb.create_sheet("Bidders")
    add_table(ws, "Bidders", 1, 1, ["Bidder"], len(tender.bidders))
    for i, b in enumerate(tender.bidders):
        put_text(ws, f"A{2 + i}", b.name)
    ws["C1"] = "Bidders' names only: prices are evaluated separately."
    set_widths(ws, {"A": 50})
    protect(ws)


def _scores(wb: Workbook, tender: Tender, evaluator: str, fingerprint: str) -> None:
    ws = wb.create_sheet("Scores")
    names = {norm(c.id): c.name for c in tender.criteria}
    rows = [(b.name, c.id) for b in tender.bidders for c in tender.criteria]
    add_table(ws, "Scores", 1, 1, SCORES_HEADERS, len(rows))
    marks = carried_over(tender, evaluator)
    for i, (bidder, cid) in enumerate(rows):
        r = 2 + i
        score, comment = marks.get((norm(bidder), norm(cid)), (None, None))
        for col, value in zip("ABCD", (bidder, cid, names[norm(cid)], evaluator)):
            put_text(ws, f"{col}{r}", value)
        mark_input(ws, f"E{r}")
        mark_input(ws, f"F{r}")
        put_value(ws, f"E{r}", score)
        put_value(ws, f"F{r}", comment)
        ws[f"F{r}"].alignment = WRAP
        put_formula(ws, f"G{r}", f'=IF(ISNUMBER(E{r}),IFERROR(VLOOKUP(E{r},ScoreDescriptors,2,TRUE),""),"")')
        put_text(ws, f"H{r}", row_check(fingerprint, evaluator, bidder, cid))
    last = len(rows) + 1
    number_validation(ws, f"E2:E{last}", "0", "=ScoreScaleMax", "A mark from 0 to the top of the scale.")
    set_widths(ws, {"A": 34, "B": 11, "C": 40, "D": 16, "E": 8, "F": 60, "G": 20, "H": 18})
    ws.freeze_panes = "A2"
    protect(ws)


def write_evaluator_workbook(tender: Tender, evaluator: str, path: Path, today: date) -> Path:
    atomic_save(build_evaluator_workbook(tender, evaluator, today), path)
    return path


class NotAReturn(Exception):
    """The file is not an evaluator workbook (the message says what is missing)."""


def read_return(path: Path, policy: Policy = DEFAULT_POLICY) -> EvaluatorReturn:
    """Read a return's labels, marks, checks and declaration, each with its cell; never runs a formula.

    A formula typed in a cell is read as its text, so the master gets inert text (and a finding).
    Raises ``WorkbookUnreadable`` for a file that cannot be opened and ``NotAReturn`` for a workbook
    that is not an evaluator workbook.
    """
    wb = open_workbook(path, policy)
    try:
        places, values = {}, {}
        for name, key in (("ReturnTenderRef", "ref"), ("ReturnEvaluator", "evaluator"),
                          ("ReturnFingerprint", "fingerprint")):
            dn = wb.defined_names.get(name)
            if dn is None:
                raise NotAReturn(f"it has no defined name {name}")
            sheet, coord = next(iter(dn.destinations))
            coord = coord.replace("$", "")
            places[key] = (sheet, coord)
            values[key] = _text(wb[sheet][coord].value)
        scores = _table(wb, "Scores", ["Bidder", "CriterionID", "Evaluator", "Score", "Comment", "Check"])
        rows = tuple(ReturnRow(_text(c["Bidder"][0]), _text(c["CriterionID"][0]), _text(c["Evaluator"][0]),
                               c["Score"][0], c["Comment"][0], _text(c["Check"][0]),
                               {k: v[1] for k, v in c.items()}) for c in scores
                     if any(v[0] not in (None, "") for v in c.values()))
        criteria = tuple(ShownCriterion(_text(c["ID"][0]), _text(c["Criterion"][0]), c["Weight"][0],
                                        c["SocialValue"][0], c["MinScore"][0], {k: v[1] for k, v in c.items()}
                                        | {"id": c["ID"][1]})
                         for c in _table(wb, "Criteria", CRITERIA_HEADERS) if _text(c["ID"][0]))
        bidders = tuple((_text(c["Bidder"][0]), c["Bidder"][1]) for c in _table(wb, "Bidders", ["Bidder"])
                        if _text(c["Bidder"][0]))
        decl_rows = _table(wb, "Declarations", DECLARATION_HEADERS)
        declaration = decl_where = None
        if decl_rows:
            declaration = {k: v[0] for k, v in decl_rows[0].items()}
            declaration["Evaluator"] = _text(declaration["Evaluator"])
            decl_where = {k: v[1] for k, v in decl_rows[0].items()}
        return EvaluatorReturn(path.name, values["ref"], values["evaluator"], values["fingerprint"], places, rows,
                               criteria, bidders, declaration, decl_where or {})
    finally:
        close_workbook(wb)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _table(wb: Workbook, name: str, columns: list[str]) -> list[dict[str, tuple[Any, tuple[str, str]]]]:
    """Rows of table ``name`` as {column: (value, (sheet, cell))}; headers matched ignoring case and spaces."""
    for ws in wb.worksheets:
        for tname, ref in ws.tables.items():
            if tname.casefold() != name.casefold():
                continue
            min_col, min_row, max_col, max_row = range_boundaries(ref)
            headers = {norm(ws.cell(row=min_row, column=c).value): c for c in range(min_col, max_col + 1)}
            missing = [c for c in columns if norm(c) not in headers]
            if missing:
                raise NotAReturn(f"its table {name} has no column {', '.join(missing)}")
            out = []
            for r in range(min_row + 1, max_row + 1):
                row = {}
                for c in columns:
                    cell = ws.cell(row=r, column=headers[norm(c)])
                    row[c] = (cell.value, (ws.title, cell.coordinate))
                out.append(row)
            return out
    raise NotAReturn(f"it has no table {name}")


__all__ = ["build_evaluator_workbook", "write_evaluator_workbook", "read_return", "NotAReturn"]
