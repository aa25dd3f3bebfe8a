"""Write assessment summaries as Word documents (python-docx), one per supplier.

A thin writer: the words and figures come from ``summaries`` (pure). Supplier names and
rationales are untrusted text from the workbook: they only ever become run text (never
field codes or file paths unchecked); characters XML cannot hold are dropped; file names
are made from a safe slug inside the output folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from docx.shared import Pt

from sv_workbook.xlsx.safe_write import atomic_write
from sv_workbook.core.tender.assessment import Heading, Para, Summary, Table

#: Characters XML 1.0 cannot hold (python-docx would refuse them).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_UNSAFE_NAME = re.compile(r"[^\w\- ]+", re.UNICODE)
MAX_NAME = 60
#: The most characters a document property may hold (python-docx refuses more: a bidder's name can
#: be longer than the title allows, the text of the document itself has no such limit).
MAX_PROPERTY = 255


def clean(text: str) -> str:
    return _XML_INVALID.sub("", text)


def safe_file_name(index: int, supplier: str) -> str:
    """``03-Moorland Property Services Ltd.docx``: letters, digits, spaces, '-' and '_' only.

    The number keeps names unique (two suppliers may slug alike) and rules out reserved
    device names such as CON; slashes, dots and '..' cannot survive, so no path escapes.
    """
    slug = _UNSAFE_NAME.sub("_", supplier).strip(" _-")[:MAX_NAME].strip(" _-") or "supplier"
    return f"{index:02d}-{slug}.docx"


def property_text(text: str) -> str:
    """``text`` fitted to a document property: cut to ``MAX_PROPERTY`` characters, ending '…' if cut."""
    text = clean(text)
    return text if len(text) <= MAX_PROPERTY else text[: MAX_PROPERTY - 1] + "…"


def build_docx(summary: Summary) -> Document:
    doc = Document()
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(11)
    doc.core_properties.title = property_text(f"Assessment summary: {summary.supplier}")
    doc.core_properties.author = "sv-workbook"
    for block in summary.blocks:
        if isinstance(block, Heading):
            doc.add_heading(clean(block.text), level=block.level)
        elif isinstance(block, Para):
            doc.add_paragraph(clean(block.text))
        elif isinstance(block, Table):
            table = doc.add_table(rows=1, cols=len(block.headers))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, block.headers):
                cell.text = clean(text)
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row in block.rows:
                for cell, text in zip(table.add_row().cells, row):
                    cell.text = clean(text)
    return doc


def write_summaries(summaries: list[Summary], outdir: str | Path) -> list[Path]:
    """Write every summary into ``outdir``; an existing file is backed up, never silently lost."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    root = outdir.resolve()
    written = []
    for i, summary in enumerate(summaries, 1):
        target = outdir / safe_file_name(i, summary.supplier)
        if target.resolve().parent != root:  # belt and braces: the slug cannot do this
            raise ValueError(f"unsafe file name for supplier {summary.supplier!r}")
        atomic_write(target, build_docx(summary).save)  # backed up if it exists; umask permissions
        written.append(target)
    return written


__all__ = ["write_summaries", "build_docx", "safe_file_name", "clean", "property_text"]
