"""Batch validation: every workbook under some paths, in parallel, one result per file.

The procurement and performance team checks hundreds of KPI registers and tenders each
half-year. This module finds the files, has each one checked (``check.check_file``: the fast
reader and the rules) in a pool of processes (or on a Dask cluster), and returns one ``Outcome``
per file sorted by path, so the output is the same whatever the number of workers.

It imports neither the readers nor the rules: the process running the batch only hands out
files and collects outcomes, and the workers have ``check`` from the forkserver. So the pool
starts sooner (the forkserver's imports no longer wait for the same imports in the parent).
"""

from __future__ import annotations

import gc
import glob
import multiprocessing
import os
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from itertools import repeat
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from sv_workbook.core.catalogue import CHECK_FAILED
from sv_workbook.core.outcome import Outcome
from sv_workbook.core.policy import Policy

#: Extensions a folder scan picks up; .xls/.xlsb are included so they are reported, not skipped.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb")
GLOB_CHARS = frozenset("*?[")


class BatchUsageError(ValueError):
    """The command was given something that is not a file, folder or matching glob."""


@dataclass(frozen=True)
class Target:
    """One file to check: the path as people wrote it, and where a worker finds it."""

    shown: str
    absolute: str


def discover(paths: Iterable[str]) -> list[Target]:
    """Files, folders (recursively) and globs, each file once, sorted by the path shown.

    Excel's owner files (``~$Book.xlsx``) are skipped: they are not workbooks, and the
    workbook they belong to gets an "open in Excel" note instead.
    """
    found: dict[str, Target] = {}

    def add(p: Path) -> None:
        absolute = str(p.resolve())
        found.setdefault(absolute, Target(str(p), absolute))

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.is_file() and child.suffix.lower() in WORKBOOK_SUFFIXES and not child.name.startswith("~$"):
                    add(child)
        elif p.exists() or p.is_symlink():
            add(p)
        elif GLOB_CHARS & set(raw):
            matches = [Path(m) for m in sorted(glob.glob(raw, recursive=True))]
            files = [m for m in matches if m.is_file() and not m.name.startswith("~$")]
            if not files:
                raise BatchUsageError(f"No files match {raw!r}.")
            for m in files:
                add(m)
        else:
            raise BatchUsageError(f"{raw!r} does not exist.")
    if not found:
        raise BatchUsageError("No workbooks (.xlsx, .xlsm) found under the paths given.")
    return sorted(found.values(), key=lambda t: (t.shown, t.absolute))


def check_chunk(targets: Sequence[Target], policy: Policy, today: date, options: dict[str, Any] | None = None,
                with_lines: bool = False, keep_result: bool = False) -> list[Outcome]:
    """Check a chunk of files (``check.check_file`` each), the task each pool or Dask worker runs:
    a chunk per task, so the per-task overhead is paid once per chunk.

    ``check`` is imported here, not at the top: a worker already holds it (the forkserver loaded
    it), and the process running the batch never needs it unless it checks files itself (one job).
    """
    from sv_workbook.app.check import check_file

    return [check_file(t, policy, today, options, with_lines, keep_result) for t in targets]


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def chunked(targets: Sequence[Target], workers: int) -> list[list[Target]]:
    """Contiguous chunks, of at most 32 files (progress, memory), shrinking towards the end.

    Each chunk holds about an eighth of what is left per worker, so the last chunks are a file
    or two: no worker sits idle for long while another finishes a big last chunk (with chunks
    of a fixed size that wait was about half a chunk, a few tenths of a second per batch).
    """
    chunks, start = [], 0
    while start < len(targets):
        size = max(1, min(32, (len(targets) - start) // (workers * 8)))
        chunks.append(list(targets[start:start + size]))
        start += size
    return chunks


def run_batch(targets: Sequence[Target], policy: Policy, today: date, options: dict[str, Any] | None = None,
              jobs: int | None = None, dask_scheduler: str | None = None,
              on_progress: Callable[[int], None] | None = None, with_lines: bool = False,
              results: bool = False) -> list[Outcome]:
    """Every outcome at once, sorted by path (``iter_batch`` streams them instead)."""
    return list(iter_batch(targets, policy, today, options, jobs, dask_scheduler, on_progress, with_lines, results))


def iter_batch(targets: Sequence[Target], policy: Policy, today: date, options: dict[str, Any] | None = None,
               jobs: int | None = None, dask_scheduler: str | None = None,
               on_progress: Callable[[int], None] | None = None, with_lines: bool = False,
               results: bool = False) -> Iterator[Outcome]:
    """Check every target, yielding outcomes in the targets' order (sorted by path).

    Workers finish in any order, but chunks are handed back in submission order, so
    output can be written as results arrive and memory stays flat however many files
    there are. ``on_progress(n)`` is called as each chunk of ``n`` files is done (the
    progress bar); ``with_lines`` asks for each workbook's ranking or KPI status lines, and
    ``results`` for each workbook's analysis (``Outcome.result``).
    """
    jobs = jobs or default_jobs()
    if dask_scheduler:
        chunks = _dask_chunks(targets, policy, today, options, with_lines, results, dask_scheduler)
    elif jobs == 1 or len(targets) == 1:
        chunks = (check_chunk([t], policy, today, options, with_lines, results) for t in targets)
    else:
        chunks = _pool_chunks(targets, policy, today, options, with_lines, results, jobs)
    for chunk in chunks:
        yield from chunk
        if on_progress:
            on_progress(len(chunk))


#: How worker processes start. A forkserver starts one clean interpreter that has imported only
#: ``check`` (the fast reader and the rules) and this module, and forks each worker from it: workers carry
#: neither the command line's click and tqdm nor anything else the parent loaded. Nor do files
#: bring openpyxl in: a file openpyxl would refuse must get the same verdict from ``validate`` as
#: from ``score``, and ``xlsx.part_acceptance`` vouches without openpyxl for the styles, properties,
#: workbook and Table parts Excel, LibreOffice and our templates write; openpyxl (and numpy) are
#: imported only by a worker meeting a part it is not sure of. This holds on Linux and macOS alike (both have a forkserver,
#: whatever their default method); where there is none (Windows), workers are spawned, which is as clean.
START_METHOD = "forkserver"


def worker_context() -> multiprocessing.context.BaseContext | None:
    """The multiprocessing context the pools use (None: the platform's default)."""
    if START_METHOD not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context(START_METHOD)
    if START_METHOD == "forkserver":
        context.set_forkserver_preload([__name__, "sv_workbook.app.check"])
    return context


def _pool_chunks(targets: Sequence[Target], policy: Policy, today: date, options: dict[str, Any] | None,
                 with_lines: bool, keep_result: bool, jobs: int) -> Iterator[list[Outcome]]:
    chunks = chunked(targets, jobs)
    done = 0
    try:
        # gc.freeze in each worker: the modules it inherited are never garbage, so collections
        # (frequent: every workbook makes thousands of objects) skip them. About 15% faster.
        with ProcessPoolExecutor(max_workers=min(jobs, len(targets)), initializer=gc.freeze,
                                 mp_context=worker_context()) as pool:
            for chunk in pool.map(check_chunk, chunks, repeat(policy), repeat(today), repeat(options),
                                  repeat(with_lines), repeat(keep_result)):
                done += 1
                yield chunk
    except BrokenProcessPool:
        # A worker died (a crash inside a C library, or the system killing it for memory).
        # The rest are checked one file per process, so only the culprit is reported.
        for target in (t for chunk in chunks[done:] for t in chunk):
            yield [_isolated(target, policy, today, options, with_lines, keep_result)]


def _isolated(target: Target, policy: Policy, today: date, options: dict[str, Any] | None,
              with_lines: bool, keep_result: bool) -> Outcome:
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=worker_context()) as pool:
            return pool.submit(check_chunk, [target], policy, today, options, with_lines, keep_result).result()[0]
    except BrokenProcessPool:
        return Outcome(target.shown, None, [CHECK_FAILED(
            "The check of this workbook stopped abruptly (its process died, for example for lack "
            "of memory).", "Open and re-save the workbook in Excel; if it is very large, split it. If it persists, "
            "send the file to the sv-workbook maintainers.").at_workbook(Path(target.shown).name)], readable=False)


def _dask_chunks(targets: Sequence[Target], policy: Policy, today: date, options: dict[str, Any] | None,
                 with_lines: bool, keep_result: bool, address: str) -> Iterator[list[Outcome]]:
    """The same per-chunk task on a Dask cluster; workers must see the files at the same paths."""
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise BatchUsageError("--dask-scheduler needs Dask: pip install 'sv-workbook[dask]'.") from exc
    try:
        client = Client(address, set_as_default=False, timeout="5s")
    except (OSError, TimeoutError) as exc:
        raise BatchUsageError(f"Cannot reach the Dask scheduler at {address}: {exc}") from exc
    with client:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        futures = client.map(check_chunk, chunked(targets, workers), policy=policy, today=today, options=options,
                             with_lines=with_lines, keep_result=keep_result, pure=False)
        for i in range(len(futures)):
            chunk = futures[i].result()
            futures[i] = None  # dropping the future lets the cluster forget a result already taken
            yield chunk


@contextmanager
def progress_bar(total: int, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A tqdm bar on stderr, or nothing (output piped, or a scheduled job)."""
    from tqdm import tqdm

    with tqdm(total=total, unit="workbook", disable=not enabled, leave=False, dynamic_ncols=True) as bar:
        yield bar.update
