"""Saves are durable (flushed before and after the rename) and tidy (stale temporaries removed, and said so)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from openpyxl import Workbook

from sv_workbook.app.jobs import score_file
from sv_workbook.core.policy import DEFAULT_POLICY
from sv_workbook.xlsx import safe_write
from sv_workbook.xlsx.safe_write import STALE_SECONDS, atomic_save, remove_stale_temporaries

from tests.support.paths import TODAY


def _named(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="names open files through /proc (Linux)")
def test_temporary_file_and_backup_are_flushed_before_the_rename_and_the_folder_after(tmp_path, monkeypatch):
    target = tmp_path / "book.xlsx"
    Workbook().save(target)
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append(("fsync", _named(fd))), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append(("replace", str(a))), real_replace(a, b))[1])
    backup = atomic_save(Workbook(), target)
    [replaced] = [i for i, (what, _) in enumerate(events) if what == "replace"]
    tmp = events[replaced][1]
    assert ("fsync", tmp) in events[:replaced], "the new file's data reaches the disk before its name does"
    assert ("fsync", str(backup)) in events[:replaced], "so does the backup's"
    assert ("fsync", str(tmp_path)) in events[replaced + 1:], "and the rename itself, by flushing the folder"


def test_stale_temporaries_are_removed_and_reported_fresh_ones_and_others_kept(tmp_path, example_path):
    old = time.time() - STALE_SECONDS - 60
    stale = [tmp_path / ".sv-workbook-unfinished-k3j2h1g0.xlsx", tmp_path / ".sv-workbook-ab12cd34.xlsx"]
    fresh = tmp_path / ".sv-workbook-unfinished-running1.xlsx"  # another run, writing right now
    mine = tmp_path / ".sv-workbook-notes.xlsx"  # not a name the tool gives (and old)
    for p in [*stale, fresh, mine]:
        p.write_bytes(b"partial")
    for p in [*stale, mine]:
        os.utime(p, (old, old))
    outcome = score_file(example_path, tmp_path / "scored.xlsx", DEFAULT_POLICY, TODAY)
    assert outcome.written
    assert not any(p.exists() for p in stale) and fresh.exists() and mine.exists()
    [said] = [f for f in outcome.findings if f.code == "STALE-TEMP-REMOVED"]
    assert all(p.name in said.message for p in stale) and fresh.name not in said.message
    assert remove_stale_temporaries(tmp_path) == []


def test_a_failed_save_leaves_no_temporary_file(tmp_path):
    def broken(path: str) -> None:
        Path(path).write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        safe_write.atomic_write(tmp_path / "out.xlsx", broken)
    assert list(tmp_path.iterdir()) == []


def test_the_temporary_file_has_a_name_a_later_run_recognises(tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(os, "replace", lambda a, b: (seen.append(Path(a).name), os.rename(a, b))[1])
    atomic_save(Workbook(), tmp_path / "x.xlsx")
    assert safe_write.STALE_NAME.match(seen[0])


def test_the_buttons_step_names_its_temporary_file_as_a_later_run_recognises(tmp_path, monkeypatch):
    """A template's save rewrites the saved file once more to draw the xlwings Lite buttons; a run killed
    then leaves that step's temporary file, which the next save must recognise as stale."""
    from sv_workbook.xlsx.tender_template import write_tender_template

    seen = []
    monkeypatch.setattr(os, "replace", lambda a, b: (seen.append(Path(a).name), os.rename(a, b))[1])
    write_tender_template(tmp_path / "t.xlsx")
    assert len(seen) == 2  # the buttons step, then the save itself
    assert all(safe_write.STALE_NAME.match(name) for name in seen), seen


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="names open files through /proc (Linux)")
def test_validate_results_file_is_flushed_and_its_temporary_recognised(tmp_path, example_path, monkeypatch):
    """`validate -o` replaces its results file as a save does: flushed before the rename, the folder after,
    from a temporary file a later save recognises as stale if the run was killed."""
    from click.testing import CliRunner

    from sv_workbook.cli.commands import main

    out = tmp_path / "results.json"
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append(("fsync", _named(fd))), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append(("replace", str(a))), real_replace(a, b))[1])
    result = CliRunner().invoke(main, ["validate", str(example_path), "--format", "json", "-o", str(out), "-j", "1",
                                       "--no-progress"])
    assert result.exit_code in (0, 1), result.output
    [replaced] = [i for i, (what, _) in enumerate(events) if what == "replace"]
    tmp = events[replaced][1]
    assert safe_write.STALE_NAME.match(Path(tmp).name), tmp
    assert ("fsync", tmp) in events[:replaced]
    assert ("fsync", str(tmp_path)) in events[replaced + 1:]
    assert out.read_text(encoding="utf-8").startswith("[")
