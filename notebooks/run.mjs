#!/usr/bin/env node
/**
 * `npm run notebooks [-- NAME …]`: executes the notebooks in notebooks/ in place, in order, so the
 * committed copies keep the outputs of a real run on the current code (GitHub and nbviewer show
 * them without running anything). NAME picks notebooks by a part of their file name
 * (`npm run notebooks -- 03 05`).
 *
 * It registers the "tsdl" kernel for this user first when Jupyter has none, or one that runs
 * another checkout's kernel (`tsdl install --user`). Each notebook runs in a fresh kernel through
 * `jupyter nbconvert --execute --inplace`, with TSDL_STRICT=1: a type error stops its cell and
 * the run, rather than being saved under it. A cell that fails (other than one tagged
 * `raises-exception`) stops the run and leaves that notebook as it was. Timing metadata is not
 * recorded, so a re-run changes outputs only.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const cli = join(root, "dist", "kernel", "cli.js");
// Debian's Python prints a debugger warning on every jupyter start without the first.
const env = { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1", PYTHONWARNINGS: "ignore", TSDL_STRICT: "1" };

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { env, encoding: "utf8", ...options });
  if (r.error) throw new Error(`notebooks: cannot run ${cmd}: ${r.error.message}`);
  return r;
}

if (!existsSync(cli)) {
  console.error(`notebooks: ${cli} is missing; build first (npm run build:ts)`);
  process.exit(1);
}

// The kernelspec Jupyter would pick for "tsdl": this checkout's, or install it for the user.
const list = run("jupyter", ["kernelspec", "list", "--json"]);
if (list.status !== 0) {
  console.error(`notebooks: \`jupyter kernelspec list\` failed (is Jupyter installed? bash .ci/setup installs it):\n${list.stderr}`);
  process.exit(1);
}
const tsdl = JSON.parse(list.stdout).kernelspecs?.tsdl;
if (!tsdl?.spec?.argv?.includes(cli)) {
  console.error(tsdl ? `notebooks: the installed tsdl kernel runs ${tsdl.spec.argv.join(" ")}; installing this checkout's` : "notebooks: installing the tsdl kernel for this user");
  const r = run(process.execPath, [cli, "install", "--user"], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const wanted = process.argv.slice(2);
const notebooks = readdirSync(here)
  .filter((f) => f.endsWith(".ipynb") && (wanted.length === 0 || wanted.some((w) => f.includes(w))))
  .sort();
if (notebooks.length === 0) {
  console.error(`notebooks: no notebook in ${here} matches ${wanted.join(", ")}`);
  process.exit(1);
}
for (const name of notebooks) {
  const started = Date.now();
  process.stderr.write(`${name} … `);
  const r = run(
    "jupyter",
    ["nbconvert", "--to", "notebook", "--execute", "--inplace", "--ExecutePreprocessor.kernel_name=tsdl", "--ExecutePreprocessor.timeout=1800", "--ExecutePreprocessor.record_timing=False", join(here, name)],
    { cwd: here },
  );
  if (r.status !== 0) {
    process.stderr.write(`failed\n${r.stderr}`);
    process.exit(r.status ?? 1);
  }
  process.stderr.write(`${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
