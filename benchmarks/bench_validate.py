"""Benchmark of batch validation: the straightforward path, ours, and the I/O floor, side by side.

    PYTHONPATH=$PWD python benchmarks/bench_validate.py --n 1000 [--source independent]  # issue 12's targets
    PYTHONPATH=$PWD python benchmarks/bench_validate.py --n 1000 --copies 10 --skip-baseline  # memory, 10,000 files

It generates N realistic KPI registers (50 KPIs x 12 periods by default, a seeded mix of
planted errors), then times, in one run:

1. openpyxl: what `validate` did before: load each file with openpyxl (the reference
   reader, ``xlsx.openpyxl_read.read_rawbook``) and check it, one process. Slow, so it is timed on
   a sample (``--baseline-sample``) and its throughput used for the ratio;
2. batch: ``sv-workbook validate`` internals (discover, fast reader, process pool, JSON
   output) in a child process, whose peak RSS is measured: the largest single process
   (``getrusage`` self + children) and the whole process tree sampled with psutil;
3. calamine: python-calamine alone reading every sheet of the same files, one process:
   the floor no reader of these files can beat by much.

The three are run ``--repeat`` times (default 3), interleaved, and each one's fastest run
is compared, as ``timeit`` does: on a shared machine the slower runs differ only by what else
was running (the slowest, and each run against the runs beside it, are printed too). Targets
(issue 12, on a quiet machine, every run): batch >= 12x the openpyxl path's throughput; batch
within 1.8x of calamine alone's time; (issue 5) peak RSS < 400 MB for 10,000 files. The figures
are printed, never asserted.
KPI registers come from ``tests.support.example_registers`` when it exists; until then a minimal
register is written here from the KPI_REGISTER contract.
"""

from __future__ import annotations

import argparse
import calendar
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

AS_OF = date(2026, 11, 27)
OPENPYXL = "openpyxl, one process"
CALAMINE = "python-calamine alone, one process"


# --- generating registers ------------------------------------------------------------------

#: Where the registers come from (``--source``): our template filled in; the same data written by
#: the tests' independent builder, which follows only the published contract (shuffled and extra
#: columns, Tables away from A1, names anywhere, some Total Rows); or those re-saved by LibreOffice.
SOURCES = ("template", "independent", "libreoffice")


def write_one(args: tuple[int, str, int, int, float, str]) -> str:
    seed, path, n_kpis, n_periods, error_rate, source = args
    from tests.support.example_registers import make_register, write_register

    data = as_of_run_date(make_register(seed, n_kpis=n_kpis, n_periods=n_periods, error_rate=error_rate))
    if source == "template":
        write_register(data, path)
    else:
        from tests.support.contract_builder import Layout, write_contract_workbook

        layout = Layout(seed=seed, name_scope=("book", "sheet")[seed % 2],
                        total_rows=("KPIs", "Actuals") if seed % 3 == 0 else ())
        write_contract_workbook(Path(path), "kpi-register", data.names,
                                {"KPIs": data.kpis, "Actuals": data.actuals}, layout)
    return path


def resave_with_libreoffice(paths: list[Path], folder: Path) -> list[Path]:
    """Open and save each file in LibreOffice headless (one soffice run for all), as a colleague
    who edits the registers in LibreOffice Calc would hand them back."""
    out = folder.with_name(folder.name + "-libreoffice")  # beside, not inside: a batch reads folders whole
    done = [out / p.name for p in paths]
    todo = [p for p, d in zip(paths, done) if not d.exists()]
    if todo:
        out.mkdir(parents=True, exist_ok=True)
        profile = folder.with_name(folder.name + "-lo-profile")
        t = time.perf_counter()
        for start in range(0, len(todo), 100):
            subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                            "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out),
                            *map(str, todo[start:start + 100])], check=True, capture_output=True, timeout=3600)
        print(f"re-saved {len(todo)} registers with LibreOffice in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return done


def as_of_run_date(data):
    """Move a generated register's dates by whole months so it is due at ``AS_OF``.

    A half-year run checks every register on the same day; without this, registers
    generated for other years would be full of overdue and future periods instead of the
    seeded mistakes. Month ends stay month ends, so reporting periods stay valid.
    """
    shift = (AS_OF.year * 12 + AS_OF.month) - (data.as_of.year * 12 + data.as_of.month)

    def move(value):
        if not isinstance(value, date):
            return value
        month = value.year * 12 + value.month - 1 + shift
        year, month = divmod(month, 12)
        month += 1
        last = calendar.monthrange(year, month)[1]
        day = last if value.day == calendar.monthrange(value.year, value.month)[1] else min(value.day, last)
        return value.replace(year=year, month=month, day=day)

    data.names = {k: move(v) for k, v in data.names.items()}
    data.actuals = [{k: move(v) for k, v in row.items()} for row in data.actuals]
    data.as_of = move(data.as_of)
    return data


def generate(folder: Path, n: int, n_kpis: int, n_periods: int, error_rate: float, seed: int, jobs: int,
             source: str = "template") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"register-{seed + i:05d}.xlsx" for i in range(n)]
    todo = [(seed + i, str(p), n_kpis, n_periods, error_rate, "template" if source == "template" else "independent")
            for i, p in enumerate(paths) if not p.exists()]
    if todo:
        t = time.perf_counter()
        with ProcessPoolExecutor(jobs) as pool:
            for _ in pool.map(write_one, todo, chunksize=8):
                pass
        print(f"generated {len(todo)} registers in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return paths


def replicate(paths: list[Path], folder: Path, copies: int) -> None:
    """Extra copies (hard links) in sub-folders: a big batch without generating every file.

    Copies left by an earlier run with more copies are removed, so the batch sees N x COPIES.
    """
    for stale in folder.glob("copy-*"):
        if int(stale.name.split("-")[1]) >= copies:
            shutil.rmtree(stale)
    for c in range(1, copies):
        sub = folder / f"copy-{c:02d}"
        sub.mkdir(exist_ok=True)
        for p in paths:
            target = sub / p.name
            if not target.exists():
                try:
                    os.link(p, target)
                except OSError:
                    shutil.copy2(p, target)


# --- the three paths ---------------------------------------------------------------------------

def options() -> dict:
    """The kinds' extra inputs, as `validate` builds them once per run (default measure library)."""
    from sv_workbook.core.kpi.measures import load_library

    return {"library": load_library(None)[0], "proxies": None}


def openpyxl_path(paths: list[Path]) -> tuple[float, float]:
    """(wall, CPU) seconds to check ``paths`` the straightforward way: openpyxl loads, one process."""
    from sv_workbook.app.analyse import analyse_file
    from sv_workbook.core.policy import DEFAULT_POLICY

    opts = options()
    t, c = time.perf_counter(), time.process_time()
    for p in paths:
        analyse_file(p, DEFAULT_POLICY, AS_OF, opts)
    return time.perf_counter() - t, time.process_time() - c


def calamine_path(paths: list[Path]) -> tuple[float, float]:
    """(wall, CPU) seconds for python-calamine alone to read every sheet of ``paths``, one process."""
    import python_calamine

    t, c = time.perf_counter(), time.process_time()
    for p in paths:
        book = python_calamine.CalamineWorkbook.from_path(str(p))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
        book.close()
    return time.perf_counter() - t, time.process_time() - c


def reader_path(paths: list[Path]) -> tuple[float, float]:
    """(wall, CPU) seconds for our fast reader alone (no rules), one process: reading vs checking."""
    from sv_workbook.xlsx.fast_read import read_rawbook_fast

    t, c = time.perf_counter(), time.process_time()
    for p in paths:
        read_rawbook_fast(p)
    return time.perf_counter() - t, time.process_time() - c


def batch_child(folder: str, jobs: int) -> None:
    """Runs in a child process: what `sv-workbook validate FOLDER --format json -o FILE` does, timed."""
    t = time.perf_counter()
    from sv_workbook.app.batch import discover, iter_batch
    from sv_workbook.core.findings import Severity
    from sv_workbook.reports.batch_formats import write_results
    from sv_workbook.core.policy import DEFAULT_POLICY

    codes: dict[str, int] = {}

    def counted(outcomes):
        for o in outcomes:
            for f in o.findings:
                codes[f.code] = codes.get(f.code, 0) + 1
            yield o

    targets = discover([folder])
    with open(os.devnull, "w", encoding="utf-8") as out:
        tally = write_results(counted(iter_batch(targets, DEFAULT_POLICY, AS_OF, options(), jobs=jobs)), "json",
                              Severity.ERROR, out)
    elapsed = time.perf_counter() - t
    # The workers are the forkserver's children: stop it, so it reaps them and is reaped here,
    # and their CPU time reaches RUSAGE_CHILDREN (a private API of multiprocessing; a benchmark only).
    from multiprocessing import forkserver

    forkserver._forkserver._stop()
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"seconds": elapsed, "files": tally.workbooks, "failing": tally.failing, "codes": codes,
                      "cpu_seconds": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
                      "self_maxrss_kb": me.ru_maxrss, "children_maxrss_kb": kids.ru_maxrss}))


def batch_path(folder: Path, jobs: int) -> dict:
    """Run ``batch_child`` in a fresh process and sample the RSS of its whole process tree.

    The child is started with ``-c``, not as this script: multiprocessing re-runs a script that is
    the main module in every pool worker, and ``sv-workbook``'s own script imports nothing (``cli``),
    so a child running this file would charge each worker for the benchmark's imports."""
    code = f"from benchmarks.bench_validate import batch_child; batch_child({str(folder)!r}, {jobs})"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    peak_tree = [0]

    def sample() -> None:
        """Sum the tree's RSS four times a second (memory is flat, so that finds the peak).
        Finding the children walks all of /proc, so it is done once a second: the sampling
        must take as little CPU as possible from the run it measures."""
        try:
            import psutil
        except ImportError:
            return
        try:
            parent = psutil.Process(proc.pid)
            tree, n = [parent], 0
            while proc.poll() is None:
                if n % 4 == 0:
                    tree = [parent, *parent.children(recursive=True)]
                n += 1
                total = 0
                for p in tree:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                peak_tree[0] = max(peak_tree[0], total)
                time.sleep(0.25)
        except psutil.Error:
            pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    sampler.join()
    result = json.loads(out.strip().splitlines()[-1])
    result["tree_peak_rss_mb"] = peak_tree[0] / 2**20 if peak_tree[0] else None
    return result


def stolen_seconds() -> float | None:
    """CPU seconds the hypervisor has given to other guests so far ("steal" in ``/proc/stat``,
    summed over this machine's cores); None where the figure is not available.

    On a shared virtual machine a run can be slowed by other guests while the load average, which
    counts only this machine's work, stays low. The batch uses every core and calamine one, so
    time taken from the cores moves their ratio; printed beside each run, it says which runs to
    distrust."""
    try:
        return int(Path("/proc/stat").read_text().split("\n", 1)[0].split()[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def timed_with_steal(run):
    """``run()``'s result, and the share of the cores' time stolen while it ran (None if unknown)."""
    start, t = stolen_seconds(), time.perf_counter()
    result = run()
    end, elapsed = stolen_seconds(), time.perf_counter() - t
    share = (end - start) / (elapsed * (os.cpu_count() or 1)) if start is not None and end is not None else None
    return result, share


#: Libraries a batch worker should load only when its file needs them (issue 12: no openpyxl
#: unless a file falls back to it; no click or tqdm in workers).
HEAVY = ("openpyxl", "numpy", "pandas", "click", "tqdm", "docx", "xlwings", "dask")


def startup(repeat: int) -> None:
    """Print the command line's start-up against a bare interpreter, and what a worker imports.

    Each command runs ``repeat`` times, interleaved; min, median and max are printed (the median
    is the figure to quote on a shared machine)."""
    import statistics

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    commands = {
        "bare python (-c pass)": [sys.executable, "-c", "pass"],
        "sv-workbook --version": [sys.executable, "-m", "sv_workbook", "--version"],
        "a batch worker's imports": [sys.executable, "-c", "import sv_workbook.app.batch, sv_workbook.app.check"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, cmd in commands.items():
            t = time.perf_counter()
            subprocess.run(cmd, env=env, check=True, capture_output=True)
            times[name].append(time.perf_counter() - t)
    bare = statistics.median(times["bare python (-c pass)"])
    print(f"\nstart-up ({repeat} runs each, interleaved): min / median / max seconds, median over bare python")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"  {name:28} {min(ts):.3f} / {med:.3f} / {max(ts):.3f}   +{med - bare:.3f} s")
    probe = ("import sys, sv_workbook.app.batch, sv_workbook.app.check; "
             f"print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))")
    loaded = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    print(f"  libraries a worker's imports load of {', '.join(HEAVY)}: {loaded.stdout.strip() or 'none'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000, help="registers to generate")
    ap.add_argument("--kpis", type=int, default=50)
    ap.add_argument("--periods", type=int, default=12)
    ap.add_argument("--error-rate", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--copies", type=int, default=1, help="validate N x COPIES files (hard links) for memory")
    ap.add_argument("--jobs", type=int, default=None, help="batch workers (default: all cores)")
    ap.add_argument("--baseline-sample", type=int, default=100,
                    help="files timed on the slow openpyxl path (its throughput is used for the ratio)")
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--skip-single", action="store_true",
                    help="do not also time the batch with one worker and the reader alone")
    ap.add_argument("--dir", type=Path, default=None, help="where registers are kept (reused between runs)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of each path, interleaved; the fastest of each is compared (default 3)")
    ap.add_argument("--source", choices=SOURCES, default="template",
                    help="template: our template filled in; independent: the same data by the tests' independent "
                         "contract builder; libreoffice: those re-saved by LibreOffice headless")
    ap.add_argument("--startup-only", action="store_true", help="only measure the command line's start-up")
    args = ap.parse_args()
    from sv_workbook.app.batch import default_jobs

    jobs = args.jobs or default_jobs()
    if args.startup_only:
        startup(max(args.repeat, 5))
        return

    source = f"make_register data, {args.source} workbooks"
    written = "template" if args.source == "template" else "independent"
    folder = args.dir or Path(f"/tmp/sv-bench-{args.n}x{args.kpis}x{args.periods}-s{args.seed}-kpi-{AS_OF.isoformat()}"
                              f"-{written}")
    paths = generate(folder, args.n, args.kpis, args.periods, args.error_rate, args.seed, jobs, args.source)
    if args.source == "libreoffice":
        paths = resave_with_libreoffice(paths, folder)
        folder = paths[0].parent
    replicate(paths, folder, args.copies)
    total = args.n * args.copies
    size = sum(p.stat().st_size for p in paths) / len(paths)
    print(f"{total} KPI registers ({args.kpis} KPIs x {args.periods} periods, {size / 1024:.0f} KB each, "
          f"error rate {args.error_rate}); source: {source}; {jobs} worker(s) on {os.cpu_count()} cores")

    # The three paths of the targets, interleaved, --repeat times; each path's fastest run is
    # used, as timeit does: slower runs differ only by what else the machine was doing.
    sample = paths[: min(args.baseline_sample, len(paths))]
    runs: dict[str, list[tuple[int, float, float]]] = {}  # name -> [(files, wall s, CPU s)]
    batches = []
    batch_name = f"sv-workbook batch ({jobs} workers)"
    stolen: list[tuple[float | None, float | None]] = []  # (calamine, batch) per run
    for _ in range(args.repeat):
        (cal_wall, cal_cpu), cal_stolen = timed_with_steal(lambda: calamine_path(paths * args.copies))
        runs.setdefault(CALAMINE, []).append((total, cal_wall, cal_cpu))
        batch, batch_stolen = timed_with_steal(lambda: batch_path(folder, jobs))
        batches.append(batch)
        stolen.append((cal_stolen, batch_stolen))
        runs.setdefault(batch_name, []).append((batches[-1]["files"], batches[-1]["seconds"],
                                                batches[-1]["cpu_seconds"]))
        if not args.skip_baseline:
            runs.setdefault(OPENPYXL, []).append((len(sample), *openpyxl_path(sample)))
    best = {name: min(results, key=lambda r: r[1]) for name, results in runs.items()}
    slowest = {name: max(r[1] for r in results) for name, results in runs.items()}
    rows = []  # (name, files, wall seconds, CPU seconds), the fastest run of each
    if not args.skip_baseline:
        rows.append((OPENPYXL, *best[OPENPYXL]))
    rows.append((batch_name, *best[batch_name]))
    if jobs > 1 and not args.skip_single:
        single = batch_path(folder, 1)
        rows.append(("sv-workbook batch (1 worker)", single["files"], single["seconds"], single["cpu_seconds"]))
    if not args.skip_single:
        rows.append(("sv-workbook fast reader alone, one process", len(paths), *reader_path(paths)))
    rows.append((CALAMINE, *best[CALAMINE]))

    print(f"\n{'path':44} {'files':>7} {'wall s':>8} {'workbooks/s':>12} {'CPU ms/workbook':>16}"
          + (f" {'slowest run s':>14}" if args.repeat > 1 else ""))
    for name, files, secs, cpu in rows:
        print(f"{name:44} {files:7d} {secs:8.2f} {files / secs:12.1f} {cpu / files * 1000:16.2f}"
              + (f" {slowest[name]:14.2f}" if args.repeat > 1 and name in slowest else ""))

    n_batch, batch_secs, batch_cpu_secs = best[batch_name]
    batch_wall = batch_secs / n_batch
    batch_cpu = batch_cpu_secs / n_batch / jobs  # wall per file if the cores were ours alone
    _, cal, cal_cpu = best[CALAMINE]
    cal_file, cal_cpu_file = cal / total, cal_cpu / total
    print(f"\nratios (fastest of {args.repeat} run(s) each), measured wall clock | from CPU time (what an otherwise "
          "idle machine would show):")
    if not args.skip_baseline:
        n, base_wall, base_cpu = best[OPENPYXL]
        print(f"  batch vs openpyxl path: {base_wall / n / batch_wall:.1f}x | {base_cpu / n / batch_cpu:.1f}x "
              "the throughput (target >= 12x)")
    print(f"  batch vs calamine alone: {batch_wall / cal_file:.2f}x | {batch_cpu / cal_cpu_file:.2f}x the time "
          "(target <= 1.8x)")
    if args.repeat > 1:
        print(f"  the same from the slowest runs: batch vs calamine alone "
              f"{slowest[batch_name] / n_batch / (max(r[1] for r in runs[CALAMINE]) / total):.2f}x")
        # the targets hold "every run": each run of the batch against the runs beside it
        per_run = []
        for i, (files, secs, _) in enumerate(runs[batch_name]):
            text = f"calamine {secs / files / (runs[CALAMINE][i][1] / total):.2f}x"
            if not args.skip_baseline:
                n, base_wall, _ = runs[OPENPYXL][i]
                text += f", openpyxl {base_wall / n / (secs / files):.1f}x"
            per_run.append(f"run {i + 1}: {text}")
        print("  each run, wall clock: " + "; ".join(per_run))
        if all(share is not None for pair in stolen for share in pair):
            print("  CPU taken by other guests of the host (steal), share of the cores' time: "
                  + "; ".join(f"run {i + 1}: calamine {c:.1%}, batch {b:.1%}" for i, (c, b) in enumerate(stolen)))
    largest = max(max(b["self_maxrss_kb"], b["children_maxrss_kb"]) for b in batches) / 1024
    trees = [b["tree_peak_rss_mb"] for b in batches if b["tree_peak_rss_mb"]]
    print(f"peak RSS: largest single process {largest:.0f} MB; whole batch (parent + workers, sampled) "
          f"{max(trees):.0f} MB (target < 400 MB for 10,000 files)" if trees
          else f"peak RSS: largest single process {largest:.0f} MB (psutil not installed)")
    startup(max(args.repeat, 5))
    batch = batches[-1]
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work on the machine "
          "slows the wall-clock figures, the multi-process path most)")
    print(f"findings: {batch['failing']} of {batch['files']} workbooks fail; codes {dict(sorted(batch['codes'].items()))}")


if __name__ == "__main__":
    main()
