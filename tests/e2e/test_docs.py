"""The README's contract section is the contract declaration, word for word."""

import shutil
import subprocess
from pathlib import Path

from sv_workbook.core.contracts import CONTRACTS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_contract_section_matches_declaration():
    text = README.read_text(encoding="utf-8")
    section = text.split("<!-- contract:start -->\n", 1)[1].split("<!-- contract:end -->", 1)[0]
    expected = "\n".join(c.to_markdown() for c in CONTRACTS.values())
    assert section == expected, "README is stale: run `python scripts/update-readme-contracts.py`"


def _sh_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return [block.split("```", 1)[0] for block in text.split("```sh\n")[1:]]


def test_first_command_works_with_and_without_sudo(tmp_path):
    """The set-up line's apt steps run as root without sudo (a container) and through sudo elsewhere.

    apt-get and sudo are stand-ins that log their arguments; only the apt steps are run.
    """
    import subprocess

    first = _sh_blocks()[0].strip().splitlines()[0]
    apt_steps = " && ".join(step for step in first.split(" && ") if "apt-get" in step)
    assert apt_steps, first
    log = tmp_path / "log"
    for with_sudo in (False, True):
        bin_dir = tmp_path / f"bin-{with_sudo}"
        bin_dir.mkdir()
        (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "apt-get $*" >> {log}\n')
        if with_sudo:
            (bin_dir / "sudo").write_text(f'#!/bin/sh\necho "sudo $*" >> {log}\nexec "$@"\n')
        for stub in bin_dir.iterdir():
            stub.chmod(0o755)
        log.write_text("")
        env = {"PATH": f"{bin_dir}:/usr/bin:/bin" if with_sudo else str(bin_dir), "HOME": str(tmp_path)}
        shell = "/bin/sh"
        proc = subprocess.run([shell, "-c", apt_steps], env=env, capture_output=True, text=True)
        assert proc.returncode == 0, (with_sudo, proc.stderr)
        lines = log.read_text().splitlines()
        assert "apt-get install -y python3-venv" in lines
        assert any(line.startswith("sudo apt-get") for line in lines) == with_sudo


def test_gitignore_covers_what_the_readme_commands_write():
    """Every file a README command writes into the checkout (-o NAME, report's NAME.xlsx/.html) is ignored."""
    import re
    import subprocess

    written = set()
    for block in _sh_blocks():
        for line in block.splitlines():
            for name in re.findall(r"(?:^|\s)-o\s+(\S+)", line):
                if " report " in f" {line} ":
                    written |= {f"{name}.xlsx", f"{name}.html"}
                else:
                    written.add(name)
            if re.search(r"\bscore\s+(\S+\.xlsx)(?!.*\s-o\s)", line):  # score without -o: FILE.scored.xlsx
                written.add(re.search(r"\bscore\s+(\S+)\.xlsx", line).group(1) + ".scored.xlsx")
    written |= {"examples/tender_example.scored.xlsx", ".venv/bin/python"}
    assert {"scored.xlsx", "findings.csv", "results.xml", "sv-report-FY2025.html"} <= written
    root = README.parent
    proc = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], input="\n".join(sorted(written)),
                          capture_output=True, text=True, cwd=root)
    ignored = set(proc.stdout.split())
    assert written <= ignored, sorted(written - ignored)


def test_ci_script_waits_for_a_held_apt_lock():
    """scripts/test.sh gives every apt-get the lock timeout, so a parallel apt makes it wait, not die."""
    script = (README.parent / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "DPkg::Lock::Timeout=600" in script
    calls = [line for line in script.splitlines() if "apt-get " in line and not line.lstrip().startswith("#")]
    assert calls and all('"${APT_WAIT[@]}"' in line for line in calls), calls


def test_ci_script_installs_only_what_is_missing(tmp_path):
    """Node from another source (NodeSource) carries its own npm, and Debian's npm cannot be installed
    beside it: the script must ask apt only for what is missing. Run its install block with stand-ins:
    node and npm present, LibreOffice, Chromium and poppler absent."""
    script = (README.parent / "scripts" / "test.sh").read_text(encoding="utf-8")
    block = script[script.index("NEED=()"):script.index("python3 -m venv .venv")]
    stubs, log = tmp_path / "bin", tmp_path / "apt.log"
    stubs.mkdir()
    for name, body in {"apt-get": f'echo "$*" >> {log}', "node": "exit 0", "npm": "exit 0", "python3": "exit 0",
                       "fc-list": "echo Carlito"}.items():
        (stubs / name).write_text(f"#!/bin/sh\n{body}\n")
        (stubs / name).chmod(0o755)
    (stubs / "grep").symlink_to(shutil.which("grep"))
    run = subprocess.run([shutil.which("bash"), "-c", 'set -euo pipefail; SUDO=""\n' + block], env={"PATH": str(stubs)},
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    install = [line for line in log.read_text().splitlines() if " install " in f" {line} "][0].split()
    assert {"libreoffice-calc-nogui", "chromium", "poppler-utils"} <= set(install)
    assert not {"npm", "nodejs", "fonts-crosextra-carlito", "python3-venv"} & set(install)
