"""LibreOffice headless as an independent spreadsheet engine for the parity tests.

openpyxl writes formulas without cached values; LibreOffice computes them when it loads
the file. A throw-away profile with ``OOXMLRecalcMode`` 0 ("always recalculate") makes it
recompute even where a file carries cached values, so what we read back is what the
formulas give, not what was stored.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

needs_libreoffice = pytest.mark.libreoffice


def recalc(path: Path, outdir: Path) -> Path:
    """Open ``path`` in LibreOffice headless, recalculate everything, save as xlsx in ``outdir``."""
    return convert(path, outdir, "xlsx")


def convert(path: Path, outdir: Path, fmt: str) -> Path:
    """``path`` converted by LibreOffice headless (formulas recalculated) to ``fmt`` (xlsx, pdf) in ``outdir``."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is required for this test"
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(REGISTRY, encoding="utf-8")
        proc = subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", fmt, "--outdir", str(outdir), str(path)],
            capture_output=True, text=True, timeout=180)
    out = outdir / (path.stem + "." + fmt)
    assert out.exists(), f"LibreOffice did not convert {path}: {proc.stdout} {proc.stderr}"
    return out
