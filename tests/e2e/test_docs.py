"""The README's contract section is the contract declaration, word for word."""

from pathlib import Path

from sv_workbook.core.contracts import CONTRACTS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_contract_section_matches_declaration():
    text = README.read_text(encoding="utf-8")
    section = text.split("<!-- contract:start -->\n", 1)[1].split("<!-- contract:end -->", 1)[0]
    expected = "\n".join(c.to_markdown() for c in CONTRACTS.values())
    assert section == expected, "README is stale: run `python scripts/update-readme-contracts.py`"
