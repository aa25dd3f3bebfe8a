"""One SHA-256 over every finding the tool gives on a fixed set of workbooks.

    python scripts/findings-fingerprint.py make-inputs /tmp/fp        # once, before a change
    python scripts/findings-fingerprint.py fingerprint /tmp/fp        # before and after: same hash

Why: a change that should not alter behaviour (a move, a rename, a speed-up) must give the same
findings, word for word, on the examples, the corpus, seeded KPI registers and damaged files.
``make-inputs`` writes those files once, so the same bytes are fingerprinted before and after;
``fingerprint`` only runs the command line (``validate --format json`` for the fast batch path and
``score`` for the openpyxl path), so it works whatever the package's layout.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "calamine"


def make_inputs(out: Path) -> None:
    """Copy the bundled and corpus workbooks and write seeded registers and damaged copies."""
    sys.path.insert(0, str(ROOT))
    from fuzz.mutations import mutate_bytes
    from tests.support.example_registers import make_register, write_register

    out.mkdir(parents=True, exist_ok=True)
    for folder in ("examples", "examples/portfolio", "workbooks"):
        for p in sorted((ROOT / folder).glob("*.xls[xm]")):
            shutil.copy(p, out / f"{folder.replace('/', '_')}_{p.name}")
    for p in sorted(CORPUS.glob("*")):
        if p.is_file() and p.suffix.lower() in {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}:
            shutil.copy(p, out / f"corpus_{p.name}")
    for seed in range(40):
        write_register(make_register(seed, n_kpis=12, n_periods=8, error_rate=0.08), out / f"seeded_{seed:02d}.xlsx")
    rng = random.Random(17)
    seeds = [ROOT / "workbooks" / "tender_evaluation.xlsx", ROOT / "examples" / "tender_example.xlsx",
             ROOT / "examples" / "kpi_register_example.xlsx"]
    for i in range(60):
        seed = seeds[i % len(seeds)]
        ops = [(rng.choice(["member", "member", "flip", "insert"]), rng.randrange(1 << 20),
                bytes(rng.randrange(256) for _ in range(rng.randrange(1, 6)))) for _ in range(rng.randrange(1, 4))]
        (out / f"damaged_{i:02d}_{seed.name}").write_bytes(mutate_bytes(seed.read_bytes(), ops))


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sv_workbook", *args], capture_output=True, text=True, cwd=ROOT)


def fingerprint(inputs: Path, as_of: str) -> str:
    """Hash validate's JSON (one line per workbook) and score's printed output for every input."""
    digest = hashlib.sha256()
    files = sorted(p for p in inputs.iterdir() if p.is_file())
    batch = _cli("validate", "--format", "json", "--as-of", as_of, "--jobs", "2", *map(str, files))
    digest.update(f"validate exit {batch.returncode}\n".encode())
    digest.update(batch.stdout.encode())
    with tempfile.TemporaryDirectory() as tmp:
        for p in files:
            run = _cli("score", str(p), "-o", str(Path(tmp) / f"{p.stem}.scored{p.suffix}"), "--as-of", as_of)
            # The output file's temporary folder differs from run to run; nothing else may.
            text = re.sub(re.escape(tmp) + r"\S*", "OUT", run.stdout + run.stderr)
            digest.update(f"{p.name} exit {run.returncode}\n{text}".encode())
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("make-inputs").add_argument("folder", type=Path)
    fp = sub.add_parser("fingerprint")
    fp.add_argument("folder", type=Path)
    fp.add_argument("--as-of", default="2026-11-27")
    args = parser.parse_args()
    if args.command == "make-inputs":
        make_inputs(args.folder)
        print(f"{sum(1 for _ in args.folder.iterdir())} files in {args.folder}")
    else:
        print(fingerprint(args.folder, args.as_of))


if __name__ == "__main__":
    main()
