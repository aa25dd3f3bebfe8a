"""The shared reading rules (core/reading.py), case by case."""

from __future__ import annotations

from datetime import date

import pytest

from sv_workbook.core.reading import (DefinedNameText, choose_names, clean_text, data_rows, date_from_text,
                                      name_target, number_from_text)

SHEETS = ["Setup", "Criteria", "My sheet", "O'Brien"]


@pytest.mark.parametrize("text, target", [
    ("Setup!$B$5", ("Setup", "B5")), ("=Setup!B5", ("Setup", "B5")), ("setup!b5", ("Setup", "B5")),
    ("'My sheet'!$C$2:$C$2", ("My sheet", "C2")), ("'O''Brien'!A1", ("O'Brien", "A1")),
])
def test_names_pointing_at_one_cell(text, target):
    assert name_target(text, SHEETS) == target


@pytest.mark.parametrize("text, reason", [
    ("[1]Setup!$B$5", "points at another workbook"), ("'C:\\x\\[Book.xlsx]Setup'!$A$1", "points at another workbook"),
    ("Setup!#REF!", "points at a deleted cell (#REF!)"), ("0.2", "is not a cell reference"),
    ("Bidders[Price]", "is not a cell reference"), ("Setup!$B$5,Setup!$B$6", "does not point at a single cell"),
    ("Nowhere!A1", "points at a sheet that does not exist"), ("Setup!A1:B2", "points at a range"),
    ("Setup!$A", "inside the sheet"), ("Setup!$3", "inside the sheet"), ("Setup!$A$0", "inside the sheet"),
    ("Setup!$XFE$1", "inside the sheet"), ("Setup!$B$1048577", "inside the sheet"), (None, "is not a cell reference"),
])
def test_names_that_are_not_one_cell_say_why(text, reason):
    said = name_target(text, SHEETS)
    assert isinstance(said, str) and reason in said


def test_a_name_scoped_to_the_contract_sheet_wins_and_a_disagreement_is_said():
    chosen = choose_names([DefinedNameText("TenderRef", "Setup!$B$9"), DefinedNameText("TenderRef", "Setup!$B$3", "Setup"),
                           DefinedNameText("Other", "Setup!$A$1")], SHEETS)
    assert chosen.targets == {"TenderRef": ("Setup", "B3"), "Other": ("Setup", "A1")}
    [note] = chosen.notes
    assert note.code == "NAME-SCOPE-CONFLICT" and "Setup!B3" in note.message and "Setup!B9" in note.message


def test_names_scoped_to_other_sheets_are_not_contract_names():
    chosen = choose_names([DefinedNameText("TenderRef", "Criteria!$B$3", "Criteria"),
                           DefinedNameText("Rate", "Setup!$A$1", "Setup")], SHEETS)
    assert chosen.targets == {} and chosen.notes == []


def test_a_bad_workbook_name_behind_a_good_sheet_name():
    chosen = choose_names([DefinedNameText("TenderRef", "#REF!"), DefinedNameText("TenderRef", "Setup!$B$3", "Setup")],
                          SHEETS)
    assert chosen.targets == {"TenderRef": ("Setup", "B3")} and chosen.bad == {}
    assert "deleted cell" in chosen.notes[0].message


def test_total_rows_leave_the_data():
    assert data_rows(4, 10, 0) == (5, 10)
    assert data_rows(4, 10, 1) == (5, 9)


@pytest.mark.parametrize("text, clean", [("\u00a0K1\u200b ", "K1"), ("Acme\u00a0Ltd", "Acme Ltd"),
                                         ("\ufeffQ1", "Q1"), ("Yes\u202f", "Yes"), ("  plain  ", "plain")])
def test_pasted_spaces(text, clean):
    assert clean_text(text) == clean


@pytest.mark.parametrize("text, value", [
    ("£120,000.00", 120000.0), ("120,000", 120000.0), ("1 250", 1250.0), ("1\u00a0250", 1250.0),
    ("15%", 15.0), ("12.5 %", 12.5), ("-£5", -5.0), ("£ 1,250,000.5", 1250000.5), ("0.1", 0.1),
])
def test_numbers_as_people_type_them(text, value):
    read = number_from_text(text)
    assert read is not None and read[0] == value


@pytest.mark.parametrize("text", ["1,2", "12.000,5", "about 100k", "£15%", "1,23,456", "--5", "1 25", "", "1e5", "£"])
def test_ambiguous_or_not_numbers(text):
    assert number_from_text(text) is None


@pytest.mark.parametrize("text, day", [
    ("31/03/2026", date(2026, 3, 31)), ("31-03-2026", date(2026, 3, 31)), ("31 Mar 2026", date(2026, 3, 31)),
    ("31 March 2026", date(2026, 3, 31)), ("2026-03-31", date(2026, 3, 31)), ("4/3/2026", date(2026, 3, 4)),
    ("1st Sept 2026", date(2026, 9, 1)),
])
def test_uk_dates(text, day):
    assert date_from_text(text) == day


@pytest.mark.parametrize("text", ["03/31/2026", "31/02/2026", "31/03/26", "31/03-2026", "March 31, 2026", "soon"])
def test_not_uk_dates(text):
    assert date_from_text(text) is None
