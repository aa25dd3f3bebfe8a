"""One verdict per file: every entry point classifies every file the same way, in plain words.

``validate``, ``score``, ``summaries`` (through the command line, with the workbook named as a
user names it), the check behind ``report`` and the xlwings Check button each say of a file
that it is of a kind, readable but of no kind, or unreadable; they must all say the same, and
none may print a Python exception's name or text or an absolute path. Run over the shared
corpus (files other tools made), damaged and hostile copies of a tender, and fuzzed encodings.
"""

from __future__ import annotations

import re
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz.mutations import encoding_ops, reencode_parts
from tests.support.verdicts import PYTHON_WORDS, entry_point_verdicts
from tests.support.zips import reencode, rewrite, sheet_part


def _agreeing(path: Path) -> tuple[str, str]:
    found = entry_point_verdicts(path)
    assert found.agree, f"{path.name}: the entry points disagree: {found.by_entry}"
    assert not found.leaks, f"{path.name}: Python's words or a full path reached the user: {found.leaks}"
    return next(iter(found.by_entry.values()))


def test_every_entry_point_agrees_on_every_corpus_file(corpus):
    files = sorted(p for p in corpus.iterdir() if p.is_file())
    assert len(files) > 100
    verdicts = {p.name: _agreeing(p) for p in files}
    kinds = {v[0] for v in verdicts.values()}
    assert kinds == {"unreadable", "not-a-kind"}  # none follows a contract; both other classes occur


def _damaged(example: Path, folder: Path) -> dict[str, tuple[Path, str]]:
    """Damaged and hostile copies of a tender, and the verdict each must get everywhere."""
    bidders = sheet_part(example, "Bidders")
    out: dict[str, tuple[Path, str]] = {}

    def make(name: str, verdict: str, edit) -> None:
        out[name] = (rewrite(example, folder / f"{name}.xlsx", edit), verdict)

    make("style-excel-never-writes", "unreadable", lambda n, d: re.sub(
        rb"(<cellXfs[^>]*>\s*<xf )", rb'\1quotePrefix="0" ', d, count=1) if n == "xl/styles.xml" else d)
    make("properties-malformed", "unreadable", lambda n, d: d[: len(d) // 2] if n == "docProps/core.xml" else d)
    make("sheet-missing", "kind", lambda n, d: None if n == bidders else d)  # a tender lacking its Bidders table
    make("doctype-in-utf16", "unreadable", lambda n, d: reencode(
        b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE w [<!ENTITY a "b">]>' + d, "utf-16-le-bom")
        if n == bidders else d)
    make("latin-1-declared", "unreadable", lambda n, d: b'<?xml version="1.0" encoding="ISO-8859-1"?>' + d
         if n == bidders else d)
    for encoding in ("utf-16-le-bom", "utf-16-be-bom", "utf-16-le", "utf-16-be"):
        make(f"bidders-{encoding}", "kind", lambda n, d, e=encoding: reencode(d, e) if n == bidders else d)
    data = example.read_bytes()
    (folder / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    out["truncated"] = (folder / "truncated.xlsx", "unreadable")
    out["intact"] = (example, "kind")
    return out


def test_every_entry_point_agrees_on_damaged_and_hostile_tenders(tmp_path, example_path):
    """The style case is the one real files showed: validate said 'not a tender' or scored it,
    score said 'damaged (TypeError: CellStyle.__init__() got an unexpected keyword …)'."""
    for name, (path, expected) in _damaged(example_path, tmp_path).items():
        assert _agreeing(path)[0] == expected, name


def test_the_technical_detail_is_kept_for_verbose(tmp_path, example_path):
    from click.testing import CliRunner

    from sv_workbook.cli.commands import main

    path, _ = _damaged(example_path, tmp_path)["style-excel-never-writes"]
    quiet = CliRunner().invoke(main, ["score", str(path)])
    loud = CliRunner().invoke(main, ["score", "--verbose", str(path)])
    assert "uses a cell style Excel does not write" in quiet.output and not PYTHON_WORDS.search(quiet.output)
    assert "technical detail:" in loud.output and "technical detail:" not in quiet.output


SEEDS = st.sampled_from(["tender", "register"])


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> dict[str, bytes]:
    from tests.support.example_registers import make_register, write_register
    from tests.support.example_tender import write_example_tender

    folder = tmp_path_factory.mktemp("seeds")
    return {"tender": write_example_tender(folder / "tender.xlsx").read_bytes(),
            "register": write_register(make_register(3), folder / "register.xlsx").read_bytes()}


@settings(deadline=timedelta(seconds=120), derandomize=True, database=None, max_examples=12,
          suppress_health_check=list(HealthCheck))
@given(seed=SEEDS, ops=encoding_ops)
def test_every_entry_point_agrees_on_fuzzed_encodings(seeds, seed, ops):
    """Parts re-saved in random encodings, declared truly or falsely, mixed across the package,
    some carrying a DTD: one verdict everywhere, and a planted DTD is refused by all."""
    data, planted = reencode_parts(seeds[seed], ops)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{seed}.xlsx"
        path.write_bytes(data)
        verdict = _agreeing(path)
    if planted:
        assert verdict[0] == "unreadable"


# --- user text that looks like Python's: echoed as typed, not a leak ----------------------------

def _tender_with_bidder(path: Path, name: str) -> Path:
    """The independent builder's tender with its first bidder renamed ``name`` everywhere, as typed."""
    from tests.support.contract_builder import tender_data, write_contract_workbook

    names, tables = tender_data()
    first = tables["Bidders"][0]["Bidder"]
    for table in ("Bidders", "Scores", "Consensus"):
        for row in tables[table]:
            if row["Bidder"] == first:
                row["Bidder"] = name
    return write_contract_workbook(path, "tender", names, tables)


@pytest.mark.parametrize("name", ["__proto__", "__init__"])
def test_a_bidder_named_like_a_dunder_is_shown_as_typed_and_not_counted_a_leak(tmp_path, name):
    """The fuzz campaign's one failure: a bidder typed as ``__proto__`` was shown in the ranking (as
    it must be) and the harness counted the name as Python's words reaching the user."""
    from click.testing import CliRunner

    from sv_workbook.cli.commands import main

    path = _tender_with_bidder(tmp_path / "tender.xlsx", name)
    assert _agreeing(path) == ("kind", "tender")
    shown = CliRunner().invoke(main, ["validate", "--as-of", "2026-11-27", str(path)]).output
    assert re.search(rf"^\s+\d\s+[\d.]+\s+{re.escape(name)}\s+\[Ranked\]$", shown, re.MULTILINE), shown


def test_the_detector_still_flags_real_leaks_in_a_workbook_carrying_a_dunder(tmp_path, example_path):
    """Excusing the workbook's own words excuses only those: a real exception's text, a traceback
    and a path are still found, from a workbook whose bidder is ``__proto__``."""
    from click.testing import CliRunner

    from sv_workbook.cli.commands import main
    from tests.support.verdicts import _leaks, python_words, workbook_words

    own = workbook_words(_tender_with_bidder(tmp_path / "proto.xlsx", "__proto__"))
    assert own == {"__proto__"}
    try:
        getattr({}, "__proto__")
    except AttributeError:
        import traceback
        text = traceback.format_exc()
    assert {"Traceback", "AttributeError", "object has no attribute"} <= set(python_words(text, own))
    assert python_words("CellStyle.__init__() got an unexpected keyword argument", own) == [
        "__init__", "unexpected keyword"]
    assert f"absolute path {tmp_path}" in _leaks(f"could not open {tmp_path}/x.xlsx", tmp_path, own)
    # the product's own technical detail (shown only with --verbose) is found, on a real damaged file
    path, _ = _damaged(example_path, tmp_path)["style-excel-never-writes"]
    loud = CliRunner().invoke(main, ["score", "--verbose", str(path)]).output
    detail = re.search(r"technical detail: (\w+)", loud)
    assert detail and detail.group(1) in python_words(loud, own | workbook_words(path))
