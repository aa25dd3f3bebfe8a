"""`sv-workbook codes`: a user who meets a code in a finding looks it up."""

from __future__ import annotations

from click.testing import CliRunner

from sv_workbook.cli.commands import main
from sv_workbook.core.catalogue import CATALOGUE, MISSING_COLUMN, describe


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_codes_lists_every_code_under_its_area():
    result = run("codes")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    for entry in CATALOGUE.values():
        row = next(line for line in lines if line.split()[:1] == [entry.code])
        assert entry.severity.value in row and entry.title in row
        assert lines.index(entry.area) < lines.index(row)


def test_codes_code_explains_one_entry_whatever_its_spelling():
    for spelling in ("MISSING-COLUMN", "missing-column", "missing_column "):
        result = run("codes", spelling)
        assert result.exit_code == 0 and result.output == describe(MISSING_COLUMN)
    assert "Severity: error (can also be warning)" in result.output
    assert "Fix: Rename the header" in result.output


def test_an_unknown_code_is_a_usage_error_with_a_suggestion():
    result = CliRunner().invoke(main, ["codes", "WEIGHT-SUMS"])
    assert result.exit_code == 2
    assert "no finding code 'WEIGHT-SUMS'" in result.output and "Did you mean WEIGHTS-SUM" in result.output
