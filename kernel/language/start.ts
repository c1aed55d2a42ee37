/**
 * Starts the language service's process (server.ts) with little more than node:child_process
 * loaded, so the kernel can start it first thing (cli.ts) and the service, which needs about a
 * second to load, is ready sooner. It runs under `nice -n 19` where that command exists (and
 * `setpriv --pdeathsig KILL`, so it ends with the kernel however the kernel ends), so
 * even Node's own start-up in it yields to the kernel (server.ts lowers its threads anyway,
 * for machines without it).
 * What the process says before the kernel's LanguageService (client.ts) listens is kept.
 *
 * @example const started = startLanguageServer(process.cwd()); …; new LanguageService({ started });
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { entryPoint } from "../paths.js";

/** `TSDL_LANGUAGE=off`: no language service (no completion, no type checks). */
export const LANGUAGE_OFF = /^(0|off|false|no)$/i.test(process.env.TSDL_LANGUAGE ?? "");

export interface StartedServer {
  process: ChildProcess;
  /** Messages it sent before anyone listened, in order, and how it ended if it did. */
  takeEarly(): { messages: unknown[]; error: Error | null; exit: { code: number | null; signal: NodeJS.Signals | null } | null };
}

export function startLanguageServer(cwd: string): StartedServer {
  const script = fileURLToPath(entryPoint("language/server.js", "language.bundle.js"));
  const node = [process.execPath, ...process.execArgv, script, cwd];
  const found = (name: string) => [`/usr/bin/${name}`, `/bin/${name}`].find((p) => existsSync(p));
  const nice = found("nice");
  // setpriv (util-linux) makes the process die with the kernel, even stopped: the kernel stops a
  // service that is still loading while a cell computes (client.ts, pauseLoading), and a kernel
  // killed meanwhile must not leave it stopped for ever.
  const setpriv = found("setpriv");
  const [command, ...args] = [...(setpriv ? [setpriv, "--pdeathsig", "KILL"] : []), ...(nice ? [nice, "-n", "19"] : []), ...node];
  const child = spawn(command, args, {
    // Its stdout is not a cell's; its stderr (a crash) goes to the kernel's log.
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    serialization: "advanced",
    // A process group of its own: a signal-mode interrupt (SIGINT to the kernel's group) or a
    // Ctrl-C at a terminal running the kernel is for the cell, not for the service.
    detached: true,
  });
  // The kernel exits when it is told to, whatever the service is doing; the service then sees
  // its channel close and exits too.
  child.unref();
  child.channel?.unref();
  const messages: unknown[] = [];
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let error: Error | null = null;
  const onMessage = (m: unknown) => messages.push(m);
  const onExit = (code: number | null, signal: NodeJS.Signals | null) => (exit = { code, signal });
  // An 'error' nobody listens to (a spawn that failed) would end the kernel as it starts.
  const onError = (e: Error) => (error = e);
  child.on("message", onMessage);
  child.on("exit", onExit);
  child.on("error", onError);
  return {
    process: child,
    takeEarly() {
      child.off("message", onMessage);
      child.off("exit", onExit);
      child.off("error", onError);
      return { messages, error, exit };
    },
  };
}
