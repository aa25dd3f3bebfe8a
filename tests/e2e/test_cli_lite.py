"""`sv-workbook lite DIR`: what a trust deploys for xlwings Lite, with nothing left to fill in."""

from __future__ import annotations

import zipfile

from click.testing import CliRunner
from packaging.requirements import Requirement

from sv_workbook import __version__
from sv_workbook.cli.commands import main
from tests.support.paths import ROOT

WHEEL = f"sv_workbook-{__version__}-py3-none-any.whl"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_lite_writes_the_wheel_main_py_and_requirements_naming_the_published_wheel(tmp_path):
    result = run("lite", tmp_path / "out", "--wheel-url", "https://files.trust.example/python/")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == sorted([WHEEL, "main.py", "requirements.txt"])
    assert (out / "main.py").read_text(encoding="utf-8") == (ROOT / "macros" / "lite" / "main.py").read_text(
        encoding="utf-8")
    lines = [ln for ln in (out / "requirements.txt").read_text(encoding="utf-8").splitlines()
             if ln and not ln.startswith("#")]
    assert lines[-1] == f"https://files.trust.example/python/{WHEEL}"
    assert "example.org" not in (out / "requirements.txt").read_text(encoding="utf-8")
    pins = [Requirement(ln) for ln in lines[:-1]]
    assert [p.name for p in pins] == ["xlwings"] and str(pins[0].specifier).startswith("==")
    with zipfile.ZipFile(out / WHEEL) as whl:
        names = set(whl.namelist())
    assert {"sv_workbook/macros.py", "sv_workbook/udfs.py", "sv_workbook/data/measures.csv"} <= names
    assert not any(n.startswith("tests/") for n in names)


def test_lite_takes_the_wheel_address_itself_and_a_private_index(tmp_path):
    url = f"https://files.trust.example/{WHEEL}"
    assert run("lite", tmp_path / "a", "--wheel-url", url).exit_code == 0
    assert (tmp_path / "a" / "requirements.txt").read_text(encoding="utf-8").splitlines()[-1] == url
    assert run("lite", tmp_path / "b", "--from-index").exit_code == 0
    assert (tmp_path / "b" / "requirements.txt").read_text(encoding="utf-8").splitlines()[-1] == \
        f"sv-workbook=={__version__}"


def test_lite_refuses_an_address_the_installer_cannot_use_and_writes_nothing(tmp_path):
    for args, words in ((["--wheel-url", "http://files.trust.example/"], "https://"),
                        (["--wheel-url", "https://files.trust.example/sv.whl"], WHEEL),
                        ([], "--wheel-url"),
                        (["--wheel-url", "https://x.example/", "--from-index"], "either")):
        result = run("lite", tmp_path / "out", *args)
        assert result.exit_code == 2 and words in result.output, result.output
        assert not (tmp_path / "out").exists()
