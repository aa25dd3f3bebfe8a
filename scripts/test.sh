#!/usr/bin/env bash
# Install what the tests need (LibreOffice headless for the formula parity tests, Chromium for
# the report page's render test, poppler-utils to read the PDFs LibreOffice prints, Carlito (metric-compatible with Calibri) so they are laid out as in Excel, a virtual environment with the package and its test extras)
# and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v soffice >/dev/null || ! command -v chromium >/dev/null || ! command -v pdftotext >/dev/null || ! fc-list | grep -qi carlito || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libreoffice-calc-nogui fonts-crosextra-carlito chromium poppler-utils python3-venv >/dev/null
fi
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
SV_REQUIRE_LIBREOFFICE=1 SV_REQUIRE_CHROMIUM=1 .venv/bin/python -m pytest -q "$@"
