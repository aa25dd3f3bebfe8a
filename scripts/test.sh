#!/usr/bin/env bash
# Install what the tests need (LibreOffice headless for the formula parity tests, with its UNO bridge
# python3-uno for the macro-enabled workbook checks, poppler-utils to read the PDFs LibreOffice prints
# and Carlito (metric-compatible with Calibri) so they are laid out as in Excel, Chromium for the
# report page's render test,
# Node with the npm package pyodide and xlwings' pure wheel for the xlwings Lite tests, a virtual
# environment with the package and its test extras) and run the whole suite. Pyodide and the wheel
# go into a cache folder (SV_CACHE, default ~/.cache/sv-workbook) that CI can keep between runs;
# the tests themselves run offline.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
PYODIDE_VERSION=314.0.8
CACHE="${SV_CACHE:-$HOME/.cache/sv-workbook}"
# Only what is missing is installed: a machine may already have Node from another source (NodeSource's
# nodejs carries its own npm, and Debian's npm package cannot be installed beside it).
NEED=()
command -v soffice >/dev/null || NEED+=(libreoffice-calc-nogui)
/usr/bin/python3 -c 'import uno' 2>/dev/null || NEED+=(python3-uno)
command -v chromium >/dev/null || NEED+=(chromium)
command -v pdftotext >/dev/null || NEED+=(poppler-utils)
fc-list : family | grep -i carlito >/dev/null || NEED+=(fonts-crosextra-carlito)
command -v node >/dev/null || NEED+=(nodejs)
command -v npm >/dev/null || NEED+=(npm)
python3 -c 'import venv, ensurepip' 2>/dev/null || NEED+=(python3-venv)
if [ "${#NEED[@]}" -gt 0 ]; then
  # another apt (unattended upgrades, a parallel job) may hold the lock: wait up to 10 minutes for it
  APT_WAIT=(-o DPkg::Lock::Timeout=600)
  $SUDO apt-get "${APT_WAIT[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get "${APT_WAIT[@]}" install -y -qq "${NEED[@]}" >/dev/null
fi
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
export SV_PYODIDE_DIR="$CACHE/pyodide/node_modules/pyodide" SV_WHEELS_DIR="$CACHE/wheels"
if [ ! -f "$SV_PYODIDE_DIR/pyodide.mjs" ]; then
  mkdir -p "$CACHE/pyodide"
  npm install --prefix "$CACHE/pyodide" --no-audit --no-fund --silent "pyodide@$PYODIDE_VERSION"
fi
XLWINGS_VERSION="$(sed -n 's/^xlwings==//p' macros/lite/requirements.txt)"
if [ ! -f "$SV_WHEELS_DIR/xlwings-$XLWINGS_VERSION-py3-none-any.whl" ]; then
  .venv/bin/pip download -q --disable-pip-version-check --no-deps --only-binary=:all: --platform any \
    --python-version 3.14 -d "$SV_WHEELS_DIR" "xlwings==$XLWINGS_VERSION"
fi
SV_REQUIRE_LIBREOFFICE=1 SV_REQUIRE_CHROMIUM=1 SV_REQUIRE_PYODIDE=1 .venv/bin/python -m pytest -q "$@"
