"""Random and damaged workbooks: the fast reader gives the openpyxl reader's findings.

The same generators as ``test_fuzz.py`` (tenders that follow and break the contract,
real files with damaged XML). Whenever the openpyxl path can read a file, the batch
path must report exactly the same findings; it must never raise.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fuzz.mutations import byte_ops, damaged_copy, edits, tenders, write_fuzzed_tender
from sv_workbook.xlsx.fast_read import read_rawbook_fast
from sv_workbook.app.analyse import analyse_file
from sv_workbook.core.policy import DEFAULT_POLICY

from tests.support.paths import ROOT, TODAY
from tests.xlsx.test_fuzz import FUZZ


def same_findings(path: Path) -> None:
    slow = analyse_file(path, DEFAULT_POLICY, TODAY)
    fast = analyse_file(path, DEFAULT_POLICY, TODAY, reader=read_rawbook_fast)
    if slow.readable:
        assert (fast.kind, fast.findings) == (slow.kind, slow.findings)
    else:  # a file openpyxl cannot read: the fast reader may read more, but never raises
        assert fast.findings


@pytest.mark.filterwarnings("ignore:File may not be readable")
@settings(FUZZ, max_examples=15)
@given(tender=tenders(), ops=edits)
def test_random_tenders_give_the_same_findings(tender, ops):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzzed.xlsx"
        assume(write_fuzzed_tender(tender, ops, path))
        same_findings(path)


WORKBOOK_SEEDS = sorted([*(ROOT / "workbooks").glob("*.xlsx"), *(ROOT / "examples").glob("*.xlsx")])


@settings(FUZZ, max_examples=25)
@given(seed=st.sampled_from(WORKBOOK_SEEDS), ops=byte_ops)
def test_damaged_workbooks_give_the_same_findings(seed, ops):
    with damaged_copy(seed, ops) as (path, _):
        same_findings(path)


def test_the_seeds_are_the_committed_workbooks():
    assert {p.name for p in WORKBOOK_SEEDS} >= {"tender_evaluation.xlsx", "kpi_register_example.xlsx"}
