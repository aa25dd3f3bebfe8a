"""Regenerate the README's workbook-contract section from sv_workbook/core/contracts.py."""

from pathlib import Path

from sv_workbook.core.contracts import CONTRACTS

readme = Path(__file__).resolve().parents[1] / "README.md"
text = readme.read_text(encoding="utf-8")
head, rest = text.split("<!-- contract:start -->\n", 1)
_, tail = rest.split("<!-- contract:end -->", 1)
body = "\n".join(c.to_markdown() for c in CONTRACTS.values())
readme.write_text(f"{head}<!-- contract:start -->\n{body}<!-- contract:end -->{tail}", encoding="utf-8")
