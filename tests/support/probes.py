"""Functions run inside worker processes by tests, importable by the workers (not in ``__main__``)."""

import sys

HEAVY = frozenset({"openpyxl", "click", "tqdm", "pandas", "numpy", "docx", "xlwings"})


def heavy_modules_loaded(_: object = None) -> list[str]:
    """The heavy libraries this process has imported, by top-level name."""
    return sorted({m.split(".")[0] for m in sys.modules} & HEAVY)
