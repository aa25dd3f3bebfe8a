"""Where the tests find the repository, the shared corpus, and the date every test runs "on"."""

from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 27)
#: Real-world files (calamine's test suite), kept beside the clone: ../shared/corpus/ from the repository root.
CORPUS = ROOT.parent / "shared" / "corpus" / "calamine"
