"""openpyxl adapter: put data into a template's named cells and Tables.

Used to build the bundled examples and the test workbooks from plain data, through the
same contract the readers use. Tables grow when the data has more rows than the
template, as they do when a user drags the table handle in Excel.
"""

from __future__ import annotations

from typing import Any, Sequence

from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook

from sv_workbook.core.bind import norm
from sv_workbook.core.tender.model import Tender
from sv_workbook.xlsx.table_edit import grow_table
from sv_workbook.xlsx.write_helpers import put_value


def set_name(wb: Workbook, name: str, value: Any) -> None:
    sheet, coord = next(iter(wb.defined_names[name].destinations))
    put_value(wb[sheet], coord.replace("$", ""), value)


def find_table(wb: Workbook, name: str):
    for ws in wb.worksheets:
        if name in ws.tables:
            return ws, ws.tables[name]
    raise KeyError(f"no table {name}")


def fill_table(wb: Workbook, name: str, rows: Sequence[dict[str, Any]]) -> None:
    """Write ``rows`` (dicts keyed by header) from the table's first data row; clear the rest."""
    ws, table = find_table(wb, name)
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    headers = [norm(ws.cell(row=min_row, column=c).value) for c in range(min_col, max_col + 1)]
    max_row = grow_table(table, len(rows))
    for i in range(max_row - min_row):
        data = rows[i] if i < len(rows) else {}
        keyed = {norm(k): v for k, v in data.items()}
        for j, header in enumerate(headers):
            cell = ws.cell(row=min_row + 1 + i, column=min_col + j)
            if cell.data_type == "f" and header not in keyed:
                continue  # calculated column: leave the formula
            if header in keyed or i >= len(rows):
                put_value(ws, cell.coordinate, keyed.get(header))


def yes_no(flag: bool | None) -> str | None:
    return None if flag is None else ("Yes" if flag else "No")


def fill_tender(wb: Workbook, tender: Tender) -> None:
    """Fill a tender template (``build_tender_template``) with ``tender``."""
    s = tender.setup
    for name, value in s.named_values():
        set_name(wb, name, value)
    fill_table(wb, "Evaluators", [{"Evaluator": e} for e in tender.evaluators])
    fill_table(wb, "Criteria", [{"ID": c.id, "Criterion": c.name, "Weight": c.weight,
                                 "SocialValue": yes_no(c.social_value), "Priority": c.priority,
                                 "MinScore": c.min_score} for c in tender.criteria])
    fill_table(wb, "Bidders", [{"Bidder": b.name, "Price": b.price, "SME": yes_no(b.sme), "VCSE": yes_no(b.vcse)}
                               for b in tender.bidders])
    fill_table(wb, "Scores", [{"Bidder": x.bidder, "CriterionID": x.criterion_id, "Evaluator": x.evaluator,
                               "Score": x.score, "Comment": x.comment} for x in tender.scores])
    fill_table(wb, "AbnormallyLow", [{"Bidder": e.bidder, "FlaggedOn": e.flagged_on, "RequestSent": e.request_sent,
                                      "SupplierAnswer": e.supplier_answer, "Decision": e.decision}
                                     for e in tender.abnormally_low_log])
    if tender.declarations is None:  # a workbook made before the Declarations table existed
        ws, _ = find_table(wb, "Declarations")
        del ws.tables["Declarations"]
    else:
        fill_table(wb, "Declarations", [{"Evaluator": d.evaluator, "DeclaredOn": d.declared_on,
                                         "Conflict": yes_no(d.conflict), "Details": d.details,
                                         "Mitigation": d.mitigation} for d in tender.declarations])
    fill_table(wb, "Consensus", [{"Bidder": m.bidder, "CriterionID": m.criterion_id, "Score": m.score,
                                  "Rationale": m.rationale} for m in tender.consensus])
