"""Run the xlwings Lite scripts and worksheet functions as xlwings Lite calls them, in any Python.

The same file runs under CPython (the test) and inside Pyodide under Node
(``run_pyodide.mjs``), so the two runs can be compared byte for byte. It loads the
``main.py`` a trust pastes into xlwings Lite, hands each script the book built from the
client's JSON (``xw.Book(json=...)``) through xlwings' own ``custom_scripts_call``, and
calls each worksheet function through ``custom_functions_call``, as Excel's custom
function runtime does. Only the standard library and what the job's wheels hold are
imported: in Pyodide nothing else is installed.

The clock is fixed (``job["now"]``) so that the report's "Generated" line and the dates
the policy's review checks use are the same in both runs.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from datetime import datetime

HEAVY = ("openpyxl", "pandas", "numpy", "python_calamine", "docx", "click", "tqdm")


async def run(job: dict) -> dict:
    """Run every script and function call in ``job``; return their actions and results."""
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    os.environ["XLWINGS_ON_SERVER"] = "true"  # the decorators xlwings Lite uses
    started = time.perf_counter()
    spec = importlib.util.spec_from_file_location("main", job["main_py"])
    main = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(main)
    import_seconds = time.perf_counter() - started

    import xlwings as xw
    from xlwings.server import custom_functions_call, custom_scripts_call

    import sv_workbook.macros as macros

    fixed = datetime.fromisoformat(job["now"])

    class FixedClock(datetime):
        @classmethod
        def now(cls, tz=None):
            return fixed

    macros.datetime = FixedClock
    scripts = []
    for case in job["scripts"]:
        book = xw.Book(json=case["payload"])
        await custom_scripts_call(main, case["script"], typehint_to_value={xw.Book: book})
        scripts.append(json.loads(json.dumps(book.json())))
    functions = []
    for name, args in job["functions"]:
        data = {"func_name": name, "args": args, "version": xw.__version__, "client": "Office.js",
                "runtime": "1.4", "caller_address": "Sheet1!A1", "culture_info_name": "en-GB",
                "date_format": "dd/mm/yyyy"}
        functions.append(await custom_functions_call(data, main))
    return {"scripts": scripts, "functions": json.loads(json.dumps(functions)),
            "python": sys.version.split()[0], "platform": sys.platform, "import_seconds": import_seconds,
            "heavy_loaded": sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))}


def run_file(job_path: str, out_path: str) -> None:
    """Pyodide's entry: read the job, run it, write the result (awaited by the Node runner)."""
    import asyncio

    with open(job_path, encoding="utf-8") as f:
        job = json.load(f)
    return asyncio.ensure_future(_write(job, out_path))


async def _write(job: dict, out_path: str) -> None:
    result = await run(job)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(result, f)
