/**
 * Debian's `jupyter console --kernel tsdl` in a real terminal (a pseudo-terminal driven by
 * pexpect): a multi-line function is continued through is_complete_request, and values print
 * as `Out[n]:`.
 */
import { test, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installKernelspec } from "./helpers/jupyter.js";

// prompt_toolkit puts colour and cursor sequences between the characters of a prompt.
const DRIVER = String.raw`
import os, re, sys, pexpect
A = r"(?:\x1b\[[0-9;?]*[A-Za-z])*"
def ansi(text):
    return A.join(re.escape(ch) for ch in text)
child = pexpect.spawn("jupyter", ["console", "--kernel", "tsdl"], env=os.environ, encoding="utf-8", timeout=150, dimensions=(40, 200))
step = "start"
try:
    step = "first prompt"; child.expect(ansi("In [1]:"))
    child.send("function add(a: number, b: number) {\r")
    step = "continuation prompt after an open brace"; child.expect(ansi("...:"))
    child.send("return a + b\r")
    child.send("}\r")
    step = "second prompt after the function ran"; child.expect(ansi("In [2]:"))
    child.send("add(2, 3)\r")
    step = "Out[2]: 5"; child.expect(ansi("Out[2]:") + A + r"\s*" + A + "5")
    child.send("console.log('printed by ' + 'the cell')\r")
    step = "printed output"; child.expect("printed by the cell")
    step = "fourth prompt"; child.expect(ansi("In [4]:"))
    child.sendcontrol("d")
    step = "exit question"; child.expect("exit")
    child.send("y\r")
    step = "console exit"; child.expect(pexpect.EOF)
    print("PASSED")
except Exception as e:
    print("FAILED at", step, "; the terminal showed:", repr(child.before)[-1500:])
finally:
    child.close(force=True)
`;

test("jupyter console continues a multi-line function through is_complete and prints its value as Out[n]", { timeout: 300_000 }, () => {
  const { env } = installKernelspec();
  const script = join(mkdtempSync(join(tmpdir(), "tsdl-console-")), "drive.py");
  writeFileSync(script, DRIVER);
  const r = spawnSync("/usr/bin/python3", [script], { env, encoding: "utf8", timeout: 290_000 });
  expect(r.stdout.trim(), r.stderr).toBe("PASSED");
});
