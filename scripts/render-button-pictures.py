"""Render the button sheets of the committed workbooks to the PNGs docs/live-excel.md shows.

    python scripts/render-button-pictures.py

Needs LibreOffice (``soffice``) and poppler's ``pdftoppm``. Run it after a template change moves
or relabels a button, and commit what it writes into docs/img/.

Each picture comes from a temporary copy of the workbook (the committed file is never touched)
changed at the zip level so LibreOffice prints what the picture needs: the sheet's print area set
to the cells around the buttons, and the form-control buttons of the .xlsm marked printable (the
workbooks keep them off the printout, ``<x:PrintObject>False``, so a printed Setup sheet has no
buttons on it). LibreOffice 7.4 prints hidden sheets too, so the sheet's page is found by its
page header (the templates put the sheet's name there); pdftoppm rasterises that page at 80 dpi
and crops it to the printed cells.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.lo import convert  # noqa: E402
from tests.support.zips import rewrite  # noqa: E402

DPI = 80


@dataclass(frozen=True)
class Picture:
    """One button sheet: which workbook and sheet, which cells to print, where the PNG goes."""

    workbook: str
    sheet: str
    cells: str  # print area, e.g. "$A$1:$G$20"
    png: str
    crop: tuple[int, int, int, int]  # x, y, width, height in pixels at DPI, from the page's top left


PICTURES = (
    Picture("workbooks/tender_evaluation.xlsm", "Setup", "$A$1:$F$23",
            "docs/img/desktop-setup-buttons.png", (30, 40, 860, 318)),
    Picture("workbooks/kpi_register.xlsm", "Contract", "$A$1:$H$12",
            "docs/img/desktop-contract-buttons.png", (30, 42, 835, 140)),
    Picture("workbooks/tender_evaluation.xlsx", "Setup", "$A$1:$F$23",
            "docs/img/lite-setup-buttons.png", (30, 40, 860, 318)),
)


def with_print_area(workbook_xml: str, sheet: str, cells: str) -> str:
    """``workbook.xml`` with the print area the template gives ``sheet`` replaced by ``cells``."""
    index = re.findall(r'<sheet\b[^>]*\bname="([^"]*)"', workbook_xml).index(sheet)
    area = f"<definedName name=\"_xlnm.Print_Area\" localSheetId=\"{index}\">'{sheet}'!{cells}</definedName>"
    old = re.compile(rf'<definedName name="_xlnm.Print_Area" localSheetId="{index}">[^<]*</definedName>')
    if not old.search(workbook_xml):
        raise SystemExit(f"sheet {sheet!r} has no print area: the templates give every sheet one")
    return old.sub(area, workbook_xml)


def sheet_page(pdf: Path, sheet: str) -> int:
    """The PDF page that prints ``sheet``: the templates' page header ends with the sheet's name."""
    pages = int(re.search(r"^Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout, re.MULTILINE).group(1))
    for page in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        header = next((line for line in text.splitlines() if line.strip()), "")
        if header.rstrip().endswith(sheet):
            return page
    raise SystemExit(f"{pdf.name}: no page has the header of sheet {sheet!r}")


def print_copy(picture: Picture, dest: Path) -> Path:
    """A copy of the picture's workbook that prints only its button sheet, buttons included."""

    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/workbook.xml":
            return with_print_area(data.decode("utf-8"), picture.sheet, picture.cells).encode("utf-8")
        if name.startswith("xl/drawings/") and name.endswith(".vml"):
            return data.replace(b"<x:PrintObject>False</x:PrintObject>", b"<x:PrintObject>True</x:PrintObject>")
        return data

    return rewrite(ROOT / picture.workbook, dest, edit)


def render(picture: Picture, work: Path) -> Path:
    """Print the copy to PDF with LibreOffice and write the sheet's page, cropped, as the picture's PNG."""
    copy = print_copy(picture, work / Path(picture.workbook).name)
    pdf = convert(copy, work / "pdf", "pdf")
    out = ROOT / picture.png
    out.parent.mkdir(parents=True, exist_ok=True)
    page = str(sheet_page(pdf, picture.sheet))
    x, y, width, height = picture.crop
    crop = ["-x", str(x), "-y", str(y), "-W", str(width), "-H", str(height)]
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", page, "-l", page, "-singlefile", *crop,
                    str(pdf), str(out.with_suffix(""))], check=True)
    return out


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="button-pictures-") as tmp:
        for number, picture in enumerate(PICTURES):
            work = Path(tmp) / str(number)
            work.mkdir()
            out = render(picture, work)
            print(f"{out.relative_to(ROOT)}: {out.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
