/**
 * The heartbeat, control and stdin sockets live on their own thread so that a cell stuck in a
 * synchronous loop neither looks dead to the client (heartbeat keeps echoing) nor becomes
 * impossible to interrupt by message, and so that a synchronous `prompt()` can block the main
 * thread while its input_reply is received here.
 *
 * Stdin messages are passed on unread (the main thread verifies them, as it does shell's)
 * through a port of their own, and a counter in shared memory is bumped and notified after each:
 * a blocked main thread waits on it (`Atomics.wait`) and reads the port without its event loop
 * (`receiveMessageOnPort`). A Stop bumps the same counter, so a waiting prompt is withdrawn at
 * once.
 *
 * An interrupt_request is handed to the main thread, and when that thread is stuck in a cell's
 * script it is turned into SIGINT to this very process, which breaks the script exactly as a
 * signal-mode interrupt does (kernel/exec/interrupt.ts says why not always SIGINT). Every other
 * control message is forwarded to the main thread, which verifies it again (its replay guard
 * covers all channels) and answers through us.
 *
 * This thread verifies every control message before acting on it, keeps its own replay guard
 * (the signatures of control messages, and of shell and stdin messages as the main thread reports
 * them), and never lets a received message end a loop.
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { Router } from "zeromq";
import { Signer } from "./signer.js";
import { deserialize, makeHeader, serialize, MAX_FRAME_BYTES, MAX_SMALL_FRAME_BYTES, WireError } from "./message.js";
import { ReplayGuard } from "./replay.js";
import { SendQueue } from "./send-queue.js";
import { receiveLoop } from "./receive-loop.js";
import { SHARED, SIGNAL_AFTER_MS } from "../exec/interrupt.js";

export interface ControlWorkerData {
  hbEndpoint: string;
  controlEndpoint: string;
  stdinEndpoint: string;
  /** Where stdin messages go, as frames (the main thread's end is KernelSockets.stdinPort). */
  stdinPort: MessagePort;
  /** Bumped and notified after each stdin message and each Stop (KernelSockets.waitForStdin waits on it). */
  stdinWake: Int32Array;
  key: string;
  session: string;
  /** Interrupts.shared of the main thread. */
  shared: Int32Array;
  /** Set to 1 (and notified) once this thread's sockets are closed; the process exits after it. */
  closed: Int32Array;
}

/** Messages the worker posts to the main thread. */
export type FromControlWorker =
  | { type: "ready" }
  | { type: "error"; text: string }
  | { type: "log"; text: string }
  | { type: "control"; frames: Uint8Array[] }
  /** The signature of a control message this thread answered itself (interrupt_request). */
  | { type: "seen"; signature: string }
  | { type: "interrupt"; cell: number };

/** Messages the main thread posts to the worker. */
export type ToControlWorker =
  | { type: "send"; channel: "control" | "stdin"; frames: Uint8Array[] }
  /** The signature of a shell or stdin message the main thread accepted. */
  | { type: "seen"; signature: string }
  | { type: "close" };

const data = workerData as ControlWorkerData;
const port = parentPort!;
const signer = new Signer(data.key);
const replay = new ReplayGuard();
// A ROUTER that echoes every message to its sender, as ipykernel's heartbeat does: unlike a REP
// socket it has no request/reply state that a malformed ping could wedge.
const hb = new Router({ linger: 0, maxMessageSize: MAX_SMALL_FRAME_BYTES });
const control = new Router({ linger: 0, maxMessageSize: MAX_FRAME_BYTES });
const controlOut = new SendQueue(control);
const stdin = new Router({ linger: 0, maxMessageSize: MAX_FRAME_BYTES });
const stdinOut = new SendQueue(stdin);

function log(text: string): void {
  port.postMessage({ type: "log", text } satisfies FromControlWorker);
}

async function heartbeat(frames: Buffer[]): Promise<void> {
  await hb.send(frames);
}

/** Wakes a main thread blocked in waitForStdin (a stdin message, or a Stop). */
function wakeStdinWaiter(): void {
  Atomics.add(data.stdinWake, 0, 1);
  Atomics.notify(data.stdinWake, 0);
}

function forwardStdin(frames: Buffer[]): void {
  data.stdinPort.postMessage(frames);
  wakeStdinWaiter();
}

async function receive(frames: Buffer[]): Promise<void> {
  let msg;
  try {
    msg = deserialize(frames, signer, replay);
  } catch (e) {
    log(`dropped a control message: ${e instanceof WireError ? e.message : (e as Error).stack}`);
    return;
  }
  if (msg.header.msg_type !== "interrupt_request") {
    port.postMessage({ type: "control", frames } satisfies FromControlWorker);
    return;
  }
  if (signer.signing) port.postMessage({ type: "seen", signature: frames[msg.identities.length + 1].toString() } satisfies FromControlWorker);
  await interrupt();
  const reply = {
    identities: msg.identities,
    header: makeHeader("interrupt_reply", data.session),
    parent_header: msg.header,
    metadata: {},
    content: { status: "ok" },
    buffers: [],
  };
  await controlOut.send(serialize(reply, signer));
}

/**
 * Asks the main thread to stop the running cell; raises SIGINT when the thread has not taken the
 * request within SIGNAL_AFTER_MS and is still inside the same cell's script (a synchronous loop).
 */
async function interrupt(): Promise<void> {
  const { shared } = data;
  const cell = Atomics.load(shared, SHARED.cell);
  const acks = Atomics.load(shared, SHARED.ack);
  // Read by the main thread as the cell starts, however busy it is now.
  Atomics.store(shared, SHARED.stop, cell);
  port.postMessage({ type: "interrupt", cell } satisfies FromControlWorker);
  wakeStdinWaiter();
  const wait = Atomics.waitAsync(shared, SHARED.ack, acks, SIGNAL_AFTER_MS);
  const outcome = wait.async ? await wait.value : wait.value;
  if (outcome === "timed-out" && Atomics.load(shared, SHARED.inScript) === 1 && Atomics.load(shared, SHARED.cell) === cell) {
    process.kill(process.pid, "SIGINT");
  }
}

port.on("message", (m: ToControlWorker) => {
  if (m.type === "send") (m.channel === "stdin" ? stdinOut : controlOut).send(m.frames.map((f) => Buffer.from(f)));
  if (m.type === "seen") replay.remember(m.signature);
  if (m.type === "close") {
    void Promise.all([controlOut.drain(), stdinOut.drain()]).then(() => {
      hb.close();
      control.close();
      stdin.close();
      data.stdinPort.close();
      Atomics.store(data.closed, 0, 1);
      Atomics.notify(data.closed, 0);
      port.close();
    });
  }
});

try {
  await hb.bind(data.hbEndpoint);
  await control.bind(data.controlEndpoint);
  await stdin.bind(data.stdinEndpoint);
  port.postMessage({ type: "ready" });
  void receiveLoop(hb, "heartbeat", heartbeat, log);
  void receiveLoop(control, "control", receive, log);
  void receiveLoop(stdin, "stdin", forwardStdin, log);
} catch (e) {
  port.postMessage({ type: "error", text: (e as Error).message });
}
