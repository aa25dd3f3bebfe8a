"""bind: a RawBook's Table rows keyed by contract column, blank rows skipped.

``BoundBook.table_rows`` and ``BoundBook.cells`` pick full-width rows with ``itemgetter`` and
shorter rows and one-column tables cell by cell; these tests hold every path to the plain reading
(each contract column's cell, where the row reaches it; rows whose contract cells are all blank
left out).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sv_workbook.core.bind import BoundBook, Row, bind
from sv_workbook.core.contracts import TENDER
from sv_workbook.core.rawbook import CellValue, RawBook, RawTable


def plain_rows(name: str, table: RawTable, positions: dict[str, int]) -> list[Row]:
    """The reading ``BoundBook.table_rows`` must give, spelt plainly."""
    out = []
    for raw_row in table.rows:
        cells = {column: raw_row[i] for column, i in positions.items() if i < len(raw_row)}
        if not all(c.is_blank for c in cells.values()):
            out.append(Row(name, table.sheet, cells))
    return out


_VALUES = st.one_of(st.none(), st.sampled_from(["", "  ", "\t", "x", " K1 "]), st.integers(-2, 2), st.booleans())


@st.composite
def tables(draw):
    width = draw(st.integers(1, 6))
    chosen = draw(st.lists(st.integers(0, width - 1), min_size=1, max_size=width, unique=True))
    positions = {f"col{idx}": idx for idx in chosen}  # in any order, one column or more
    rows = []
    for r in range(draw(st.integers(0, 8))):
        n = draw(st.one_of(st.just(width), st.integers(0, width)))  # full width, or cut short (xlwings)
        rows.append([CellValue("S", f"{chr(65 + c)}{r + 2}", draw(_VALUES),
                               draw(st.one_of(st.none(), st.none(), st.just("=A1")))) for c in range(n)])
    return RawTable("T", "S", f"A1:{chr(64 + width)}{len(rows) + 1}", [f"h{c}" for c in range(width)],
                    [f"{chr(65 + c)}1" for c in range(width)], rows), positions


@settings(max_examples=300, deadline=None)
@given(tables())
def test_data_rows_read_every_row_shape_plainly(case):
    table, positions = case
    book = bound(table, positions)
    got = book.table_rows("T")
    want = plain_rows("T", table, positions)
    assert got == want
    assert all(type(r) is Row for r in got)
    assert [list(r.cells) for r in got] == [list(r.cells) for r in want]  # the contract's column order kept
    # the same rows as tuples, in any order of columns asked for, None where a row or the table has no cell
    for columns in (tuple(positions), tuple(reversed(positions)), (*positions, "absent"), tuple(positions)[:1]):
        assert book.cells("T", columns) == [tuple(r.cells.get(c) for c in columns) for r in want]
    assert book.table_rows("other") == [] and book.cells("other", ("col0",)) == []


def bound(table: RawTable, positions: dict[str, int]) -> BoundBook:
    """A book with ``table`` bound as 'T', its contract columns at ``positions``."""
    return BoundBook(RawBook("t.xlsx", [table.sheet], tables={"T": table}), TENDER, tables={"T": (table, positions)})


def test_short_rows_are_the_padded_rows_without_their_missing_cells():
    """A row cut short (the xlwings reader's, were it to trim trailing blanks) keeps the same rows
    as the full-width row padded with empty cells, and the same cells where it reaches: the cells it
    does not reach are absent from ``Row.cells``, not empty."""
    full = [["K1", "x", None, "note"], ["K2", None, None, None], [None, None, None, None], [None, None, "y", None]]
    short = [[v for v in row[:max((i for i, v in enumerate(row) if v is not None), default=-1) + 1]] for row in full]
    as_cells = lambda rows: [[CellValue("S", f"{'ABCD'[c]}{r + 2}", v) for c, v in enumerate(row)]  # noqa: E731
                             for r, row in enumerate(rows)]
    positions = {"ID": 0, "Note": 3, "Value": 2}

    def table(rows):
        return RawTable("T", "S", "A1:D5", ["ID", "Other", "Value", "Note"], ["A1", "B1", "C1", "D1"], as_cells(rows))
    padded, cut = bound(table(full), positions).table_rows("T"), bound(table(short), positions).table_rows("T")
    assert len(padded) == len(cut) == 3
    for p, c in zip(padded, cut):
        assert {k: v for k, v in p.cells.items() if k in c.cells} == c.cells
        assert all(p.cells[k].is_blank for k in p.cells.keys() - c.cells.keys())
    assert cut[1].cells == {"ID": CellValue("S", "A3", "K2")}
    assert cut == plain_rows("T", table(short), positions)


def test_a_one_column_table_is_bound_cell_by_cell():
    """The tender's Evaluators Table has one contract column: ``itemgetter`` of one index gives a
    cell, not a tuple, so such a table takes the cell-by-cell path, beside a column of the user's own."""
    cells = [("A. Patel", None), (None, "left"), ("  ", None), (None, None), ("B. Jones", "x")]
    rows = [[CellValue("Setup", f"D{r}", note), CellValue("Setup", f"E{r}", who)]
            for r, (who, note) in enumerate(cells, start=2)]
    rows.append([CellValue("Setup", "D7", None)])  # a row that stops before the Evaluator column
    rows.append([CellValue("Setup", "D8", None), CellValue("Setup", "E8", None, "=Scores!C2")])  # a formula
    raw = RawBook("t.xlsx", list(TENDER.sheets), tables={
        "Evaluators": RawTable("Evaluators", "Setup", "D1:E8", ["Notes", "Evaluator"], ["D1", "E1"], rows)})
    book = bind(raw, TENDER)
    got = book.table_rows("Evaluators")
    assert [r.cells for r in got] == [{"Evaluator": CellValue("Setup", "E2", "A. Patel")},
                                      {"Evaluator": CellValue("Setup", "E6", "B. Jones")},
                                      {"Evaluator": CellValue("Setup", "E8", None, "=Scores!C2")}]
    assert all(r == Row("Evaluators", "Setup", r.cells) for r in got)
