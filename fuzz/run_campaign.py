"""A longer fuzzing campaign than the test suite runs: random, not derandomized.

    PYTHONPATH=. python fuzz/run_campaign.py --minutes 5

Alternates random contract-following/breaking workbooks (built from the template),
byte-level damage to real files (the template, the example, the corpus) and the encoding
layer (parts re-saved in other encodings, true and false declarations, BOMs, mixed
encodings, planted DTDs), checks each with ``analyse`` (openpyxl reader and fast reader)
and, when it can be scored, ``score`` (encoding inputs go through every entry point:
``tests.support.verdicts``), and prints how many inputs it tried, how many broke the
promise (an uncaught exception, no findings and no result, the entry points giving a file
different verdicts, Python's words or a full path shown to a user),
the slowest input and the spread of outcomes. Failing inputs are saved under
``--out`` with their traceback so they can be replayed with ``sv-workbook validate``.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fuzz.mutations import (Trial, byte_ops, damaged_copy, edits, encoding_ops, reencode_parts,  # noqa: E402
                            seed_files, tenders, write_fuzzed_tender, try_input)
from tests.support.verdicts import entry_point_verdicts  # noqa: E402


@dataclass
class Stats:
    tried: Counter = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")
    readable: Counter = field(default_factory=Counter)
    tolerated: Counter = field(default_factory=Counter)

    def record(self, kind: str, trial, data: bytes, suffix: str, out: Path) -> None:
        self.tried[kind] += 1
        self.times.append(trial.seconds)
        self.readable[(kind, trial.readable)] += 1
        self.tolerated[kind] += trial.tolerated
        if trial.seconds > self.slowest[0]:
            self.slowest = (trial.seconds, f"{kind} input of {len(data):,} bytes")
        if trial.failure:
            digest = hashlib.sha1(data).hexdigest()[:12]
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{digest}{suffix}").write_bytes(data)
            (out / f"{digest}.txt").write_text(trial.failure, encoding="utf-8")
            self.failures.append((digest, trial.failure.strip().splitlines()[-1]))


def run(minutes: float, out: Path) -> Stats:
    stats = Stats()
    seeds = seed_files(ROOT)
    chunk = settings(max_examples=25, deadline=None, database=None, phases=[Phase.generate],
                     suppress_health_check=list(HealthCheck))

    @chunk
    @given(tender=tenders(), ops=edits)
    def structured(tender, ops):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "fuzzed.xlsx"
            if not write_fuzzed_tender(tender, ops, path):
                return
            stats.record("structured", try_input(path, score=True), path.read_bytes(), ".xlsx", out)

    @chunk
    @given(seed=st.sampled_from(seeds), ops=byte_ops)
    def damaged(seed, ops):
        with damaged_copy(seed, ops) as (path, data):
            stats.record("byte-level", try_input(path, score=True), data, seed.suffix, out)

    @settings(chunk, max_examples=5)
    @given(seed=st.sampled_from(seeds), ops=encoding_ops)
    def encodings(seed, ops):
        data, planted = reencode_parts(seed.read_bytes(), ops)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / seed.name
            path.write_bytes(data)
            stats.record("encoding", entry_points_trial(path, planted), data, seed.suffix, out)

    end = time.monotonic() + minutes * 60
    while time.monotonic() < end:
        structured()
        damaged()
        encodings()
    return stats


def entry_points_trial(path: Path, planted: bool) -> Trial:
    """Every entry point on one file (``tests.support.verdicts``): a disagreement, a leaked exception
    text or full path, or a planted DTD that any entry point read, is a failure."""
    start = time.perf_counter()
    try:
        found = entry_point_verdicts(path)
    except Exception:  # noqa: BLE001 - an uncaught exception is the failure itself
        import traceback
        return Trial(time.perf_counter() - start, traceback.format_exc())
    verdicts = set(found.by_entry.values())
    readable = verdicts != {("unreadable", "")}
    failure = (f"the entry points disagree: {found.by_entry}" if len(verdicts) > 1 else
               f"Python's words or a full path reached the user: {found.leaks}" if found.leaks else
               "a planted DTD was read" if planted and readable else None)
    return Trial(time.perf_counter() - start, failure, readable, False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "fuzz-failures")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # openpyxl's warnings about odd inputs are expected here
    started = time.monotonic()
    stats = run(args.minutes, args.out)
    total = sum(stats.tried.values())
    print(f"Ran {time.monotonic() - started:.0f} s; inputs tried: {total:,} "
          f"({', '.join(f'{k} {v:,}' for k, v in sorted(stats.tried.items()))})")
    for (kind, readable), n in sorted(stats.readable.items()):
        print(f"  {kind}: {n:,} {'read (findings or a result)' if readable else 'refused with one clear error'}")
    for kind, n in sorted(stats.tolerated.items()):
        if n:
            print(f"  {kind}: {n:,} refused by score but read by validate (counted as failures)")
    print(f"Failures (uncaught exception, no outcome, entry points disagreeing, leaked Python words or "
          f"paths): {len(stats.failures)}")
    for digest, last in stats.failures[:20]:
        print(f"  {digest}: {last}")
    if stats.times:
        q = statistics.quantiles(stats.times, n=100) if len(stats.times) > 1 else stats.times * 99
        print(f"Time per input: median {statistics.median(stats.times):.3f} s, 99th percentile {q[98]:.3f} s, "
              f"slowest {stats.slowest[0]:.3f} s ({stats.slowest[1]})")
    sys.exit(1 if stats.failures else 0)


if __name__ == "__main__":
    main()
