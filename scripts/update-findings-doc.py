"""Regenerate docs/findings.md from sv_workbook/core/catalogue.py (tests/core/test_catalogue.py checks it)."""

from pathlib import Path

from sv_workbook.core.catalogue import catalogue_markdown

doc = Path(__file__).resolve().parents[1] / "docs" / "findings.md"
doc.write_text(catalogue_markdown(), encoding="utf-8")
