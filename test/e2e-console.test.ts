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
//
// The keystrokes are paced, because Debian 12's jupyter_console (6.4, on jupyter_client 7) waits
// for the kernel's is_complete_reply *inside* prompt_toolkit's Enter key handler, through
// jupyter_client's run_sync, which runs the asyncio loop re-entrantly (nest_asyncio). Any
// prompt_toolkit callback that falls due during that wait runs inside the handler and kills the
// prompt ("Unhandled exception in event loop", then "Press ENTER to continue..."):
//  - keys that arrive during the wait: the stdin reader runs again in the contextvars Context it
//    is already running in — "cannot enter context: <Context> is already entered" (the old test
//    sent "}\r" right after "return a + b\r");
//  - the key-flush timers of the keys before Enter (ttimeoutlen 0.5 s, which restarts the 1 s
//    timeoutlen): they feed the key processor while it handles Enter — "generator already
//    executing";
//  - the 2 s timeout of the cursor position request (CPR) that this pseudo-terminal never
//    answers: it prints a warning through run_in_terminal.
// And the console gives up on an is_complete_reply after 1 s (kernel_is_complete_timeout) and runs
// the unfinished line. The wait is long while the kernel is still loading TypeScript for its
// first reply, longer on a loaded machine: so the test passed alone and failed in the full suite.
// Hence the driver first waits for the kernel to answer an is_complete_request of its own (a
// second client on the console's connection file, as a person waits for a kernel to settle),
// turns CPR off (PROMPT_TOOLKIT_NO_CPR, as for a terminal without it), sends Enter alone once
// the key timers of the line's text have run out (SETTLE), and sends nothing while Enter is
// being handled.
// jupyter_client 8 no longer nests the loop (its run_sync uses a thread).
const DRIVER = String.raw`
import os, re, sys, time, pexpect
A = r"(?:\x1b\[[0-9;?]*[A-Za-z])*"
def ansi(text):
    return A.join(re.escape(ch) for ch in text)
# prompt_toolkit's 0.5 s flush timer plus the 1 s key timeout it restarts, and slack for a loaded machine.
SETTLE = 2.0
child = pexpect.spawn("jupyter", ["console", "--kernel", "tsdl"], env=dict(os.environ, PROMPT_TOOLKIT_NO_CPR="1"), encoding="utf-8", timeout=150, dimensions=(40, 200))
step = "start"
def kernel_answers_is_complete():
    from jupyter_client import BlockingKernelClient
    kc = BlockingKernelClient()
    # jupyter console names the connection file after its own process id.
    kc.load_connection_file(os.path.join(os.environ["JUPYTER_RUNTIME_DIR"], "kernel-%d.json" % child.pid))
    kc.start_channels()
    try:
        msg_id = kc.is_complete("1")
        while kc.get_shell_msg(timeout=150)["parent_header"].get("msg_id") != msg_id:
            pass
    finally:
        kc.stop_channels()
def line(text, name, then):
    global step
    child.send(text)
    time.sleep(SETTLE)
    # Only what Enter brings counts: drop the echo of the text.
    try:
        while True: child.read_nonblocking(65536, timeout=0)
    except pexpect.TIMEOUT:
        pass
    child.send("\r")
    step = name; child.expect(then)
try:
    step = "first prompt"; child.expect(ansi("In [1]:"))
    step = "the kernel's first is_complete_reply"; kernel_answers_is_complete()
    line("function add(a: number, b: number) {", "continuation prompt after an open brace", ansi("...:"))
    line("return a + b", "continuation prompt inside the function", ansi("...:"))
    line("}", "second prompt after the function ran", ansi("In [2]:"))
    line("add(2, 3)", "Out[2]: 5", ansi("Out[2]:") + A + r"\s*" + A + "5")
    line("console.log('printed by ' + 'the cell')", "printed output", "printed by the cell")
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
