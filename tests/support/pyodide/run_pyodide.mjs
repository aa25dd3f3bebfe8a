// Run lite_driver.py inside real Pyodide under Node, offline.
// Usage: node run_pyodide.mjs PYODIDE_DIR JOB.json OUT.json WHEEL...
// The wheels are written into Pyodide's file system and unpacked into its site-packages
// (no micropip, no network); the job names the main.py to load, the scripts and the calls.
import { readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [pyodideDir, jobPath, outPath, ...wheels] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + "/" });
const here = dirname(fileURLToPath(import.meta.url));
const job = JSON.parse(readFileSync(jobPath, "utf-8"));
pyodide.FS.mkdirTree("/job");
const inside = [];
for (const wheel of wheels) {
  const target = "/job/" + basename(wheel);
  pyodide.FS.writeFile(target, readFileSync(wheel));
  inside.push(target);
}
pyodide.FS.writeFile("/job/main.py", readFileSync(job.main_py));
pyodide.FS.writeFile("/job/lite_driver.py", readFileSync(join(here, "lite_driver.py")));
job.main_py = "/job/main.py";
pyodide.FS.writeFile("/job/job.json", JSON.stringify(job));
pyodide.globals.set("wheels", pyodide.toPy(inside));
await pyodide.runPythonAsync(`
import site, sys, zipfile
for wheel in wheels:
    zipfile.ZipFile(wheel).extractall(site.getsitepackages()[0])
sys.path.insert(0, "/job")
import lite_driver
await lite_driver.run_file("/job/job.json", "/job/out.json")
`);
writeFileSync(outPath, pyodide.FS.readFile("/job/out.json", { encoding: "utf8" }));
