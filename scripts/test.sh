#!/usr/bin/env bash
# Install what the tests need (LibreOffice headless for the formula parity tests, with its UNO bridge
# python3-uno for the macro-enabled workbook checks, Chromium for
# the report page's render test, a virtual environment with the package and its test extras)
# and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
# another apt (unattended upgrades, a parallel job) may hold the lock: wait up to 10 minutes for it
APT_WAIT=(-o DPkg::Lock::Timeout=600)
if ! command -v soffice >/dev/null || ! command -v chromium >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null \
   || ! /usr/bin/python3 -c 'import uno' 2>/dev/null; then
  $SUDO apt-get "${APT_WAIT[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get "${APT_WAIT[@]}" install -y -qq libreoffice-calc-nogui python3-uno chromium python3-venv >/dev/null
fi
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
SV_REQUIRE_LIBREOFFICE=1 SV_REQUIRE_CHROMIUM=1 .venv/bin/python -m pytest -q "$@"
