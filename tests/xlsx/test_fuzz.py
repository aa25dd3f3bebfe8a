"""Fuzzing: random workbooks that follow and break the contract, damaged real files, the corpus.

The property is the same everywhere: findings or one clear error, never an uncaught
exception. Examples are derandomized so CI is repeatable; ``fuzz/run_campaign.py`` runs
the same generators at random for longer. Time per input is measured there, not
asserted here (the deadline below is only a generous guard against hangs).
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fuzz.mutations import byte_ops, damaged_copy, edits, seed_files, tenders, try_input, write_fuzzed_tender

from tests.support.paths import ROOT

FUZZ = settings(deadline=timedelta(seconds=60), derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(FUZZ, max_examples=20)
@given(tender=tenders(), ops=edits)
def test_random_workbooks_give_findings_never_exceptions(tender, ops):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzzed.xlsx"
        assume(write_fuzzed_tender(tender, ops, path))
        trial = try_input(path, score=True)
    assert trial.failure is None, trial.failure


SEEDS = seed_files(ROOT)


@settings(FUZZ, max_examples=40)
@given(seed=st.sampled_from(SEEDS), ops=byte_ops)
def test_damaged_real_files_give_findings_never_exceptions(seed, ops):
    with damaged_copy(seed, ops) as (path, _):
        trial = try_input(path, score=True)
    assert trial.failure is None, trial.failure


def test_seeds_include_the_committed_workbooks_and_the_corpus(corpus):
    names = {p.name for p in SEEDS}
    assert {"tender_evaluation.xlsx", "tender_example.xlsx", "vba.xlsm", "picture.xlsx"} <= names


def test_every_corpus_file_gives_findings_or_one_clear_error(corpus):
    files = sorted(p for p in corpus.iterdir() if p.is_file())
    assert len(files) > 100
    for path in files:
        trial = try_input(path)
        assert trial.failure is None, f"{path.name}: {trial.failure}"
    from sv_workbook.app.analyse import analyse_file
    from sv_workbook.core.policy import DEFAULT_POLICY

    for path in files:
        outcome = analyse_file(path, DEFAULT_POLICY)
        if not outcome.readable:
            [only] = outcome.findings
            assert only.code == "FILE-UNREADABLE" and only.workbook == path.name and only.hint


@pytest.mark.parametrize("name, reason", [("pass_protected.xlsx", "password-protected"), ("any_sheets.xls", ".xls"),
                                          ("issue_182.xlsb", ".xlsb"), ("any_sheets.ods", ".ods"),
                                          ("issue252.xlsx", "damaged")])
def test_corpus_reasons_are_specific(corpus, name, reason):
    from sv_workbook.app.analyse import analyse_file
    from sv_workbook.core.policy import DEFAULT_POLICY

    [only] = analyse_file(corpus / name, DEFAULT_POLICY).findings
    assert reason in only.message
