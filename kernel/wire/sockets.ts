/**
 * The five sockets of a kernel, bound to the connection file's ip and ports only.
 * Shell is a ROUTER and IOPub an XPUB (so it sees subscriptions and can greet each new
 * subscriber with `iopub_welcome`, JEP 65) on this thread (made in main-sockets.ts, and bound
 * there too when the kernel starts from cli.ts); heartbeat, control and stdin run on a
 * worker thread (control-worker.ts), stdin so that a synchronous `prompt()` can block this
 * thread while the answer arrives (`waitForStdin`).
 * Whatever arrives is checked by `deserialize` (size, framing, signature, replay, JSON) and a
 * message that fails is logged and dropped; no received message can end a receive loop.
 *
 * @example const s = await bindSockets(conn, signer, session); s.onShell(handle);
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import type { Router, XPublisher } from "zeromq";
import { endpoint, type ConnectionInfo } from "./connection.js";
import type { Signer } from "./signer.js";
import { deserialize, makeHeader, serialize, quote, WireError, type Message } from "./message.js";
import { bindMain, makeMainSockets, type MainSockets } from "./main-sockets.js";
import { ReplayGuard } from "./replay.js";
import { SendQueue } from "./send-queue.js";
import { receiveLoop } from "./receive-loop.js";
import type { ControlWorkerData, FromControlWorker, ToControlWorker } from "./control-worker.js";
import { log } from "../log.js";
import { kernelFile } from "../paths.js";

/** How long IOPub may still send the last output while the process exits. */
const EXIT_LINGER_MS = 200;

export type Channel = "shell" | "control" | "stdin";

/** How long closing waits for the control thread (it closes two sockets: milliseconds). */
const CLOSE_WAIT_MS = 2000;

export class KernelSockets {
  readonly shell: Router;
  readonly iopub: XPublisher;
  /** True when shell and IOPub came bound (cli.ts binds them first thing: main-sockets.ts). */
  private readonly bound: boolean;
  /** Signatures seen on every channel: control's too, which reach this thread from the worker. */
  private readonly replay = new ReplayGuard();
  private readonly shellOut: SendQueue;
  private readonly iopubOut: SendQueue;
  /** This thread's end of the stdin messages' port (the control thread receives them). */
  private stdinPort!: MessagePort;
  /** Bumped by the control thread after each stdin message and each Stop; waitForStdin waits on it. */
  private readonly stdinWake = new Int32Array(new SharedArrayBuffer(4));
  private worker!: Worker;
  /** 1 once the control thread has closed its sockets (or ended): see closeBeforeExit. */
  private readonly workerClosed = new Int32Array(new SharedArrayBuffer(4));

  /** `early`: shell and IOPub already bound to the connection file's ports (bindMainSockets). */
  constructor(
    private readonly conn: ConnectionInfo,
    readonly signer: Signer,
    readonly session: string,
    early?: MainSockets,
  ) {
    ({ shell: this.shell, iopub: this.iopub } = early ?? makeMainSockets());
    this.bound = early !== undefined;
    this.shellOut = new SendQueue(this.shell);
    this.iopubOut = new SendQueue(this.iopub);
  }

  /** Binds all sockets and starts the heartbeat/control thread. */
  async bind(handlers: {
    onMessage: (channel: Channel, msg: Message) => void;
    /** An interrupt_request for cell number `cell` (control-worker.ts). */
    onInterrupt: (cell: number) => void;
    /** State shared with the control thread (Interrupts.shared). */
    shared: Int32Array;
  }): Promise<void> {
    const c = this.conn;
    if (!this.signer.signing) {
      log(
        `message signing is OFF: the connection file's "key" is empty, so any process that can reach ` +
          `${c.ip} on ports ${c.shell_port}, ${c.control_port} and ${c.stdin_port} can run code as this user`,
      );
    }
    if (!this.bound) await bindMain(this, c);
    const stdinChannel = new MessageChannel();
    this.stdinPort = stdinChannel.port1;
    this.stdinPort.on("message", (frames: Uint8Array[]) => this.receive("stdin", frames.map(asBuffer), handlers.onMessage));
    this.stdinPort.unref();
    const data: ControlWorkerData = {
      hbEndpoint: endpoint(c, c.hb_port),
      controlEndpoint: endpoint(c, c.control_port),
      stdinEndpoint: endpoint(c, c.stdin_port),
      stdinPort: stdinChannel.port2,
      stdinWake: this.stdinWake,
      key: c.key,
      session: this.session,
      shared: handlers.shared,
      closed: this.workerClosed,
    };
    // The worker (its own zeromq load and binds) starts alongside the shell loop, so a first
    // kernel_info_request is answered without waiting for it; bind() resolves once both are up.
    this.worker = new Worker(kernelFile("wire/control-worker.js"), { workerData: data, transferList: [stdinChannel.port2] });
    this.worker.unref();
    this.worker.once("exit", () => Atomics.store(this.workerClosed, 0, 1));
    const workerReady = new Promise<void>((resolve, reject) => {
      this.worker.on("error", (e) => {
        log(`the heartbeat/control thread failed: ${e.stack ?? e}`);
        reject(e);
      });
      this.worker.on("message", (m: FromControlWorker) => {
        if (m.type === "ready") resolve();
        else if (m.type === "error") reject(new Error(`tsdl kernel: cannot bind heartbeat/control: ${m.text}`));
        else if (m.type === "log") log(m.text);
        else if (m.type === "control") this.receive("control", m.frames.map((f) => Buffer.from(f)), handlers.onMessage);
        else if (m.type === "seen") this.replay.remember(m.signature);
        else if (m.type === "interrupt") handlers.onInterrupt(m.cell);
      });
    });
    void receiveLoop(this.shell, "shell", (frames) => this.receive("shell", frames, handlers.onMessage), log);
    void receiveLoop(this.iopub, "iopub", (frames) => this.welcome(frames), log);
    await workerReady;
  }

  /** Verifies `frames` and hands the message on; logs and drops what fails, never throws. */
  private receive(channel: Channel, frames: Buffer[], onMessage: (c: Channel, m: Message) => void): void {
    let msg: Message;
    try {
      msg = deserialize(frames, this.signer, this.replay);
    } catch (e) {
      log(`dropped a ${channel} message: ${e instanceof WireError ? e.message : (e as Error).stack}`);
      return;
    }
    // The control thread answers interrupt_request alone (every other control message comes to
    // this thread's guard), so it must know such a signature seen here: the same request replayed
    // onto control is then dropped there too. Only those: a message to the thread per cell costs
    // each cell ~0.2 ms.
    if (channel !== "control" && this.signer.signing && msg.header.msg_type === "interrupt_request") {
      this.worker.postMessage({ type: "seen", signature: frames[msg.identities.length + 1].toString() } satisfies ToControlWorker);
    }
    try {
      onMessage(channel, msg);
    } catch (e) {
      log(`handling a ${channel} message of type ${quote(msg.header.msg_type)} failed: ${(e as Error).stack ?? e}`);
    }
  }

  /** Greets a subscription (a frame starting with byte 1) with iopub_welcome on its topic. */
  private welcome([frame]: Buffer[]): void {
    if (!frame || frame.length === 0 || frame[0] !== 1) return;
    const topic = frame.subarray(1);
    const msg: Message = {
      identities: [Buffer.from(topic)],
      header: makeHeader("iopub_welcome", this.session),
      parent_header: {},
      metadata: {},
      content: { subscription: topic.toString("utf8") },
      buffers: [],
    };
    void this.iopubOut.send(serialize(msg, this.signer));
  }

  /**
   * Sends a reply or request on a ROUTER channel (identities route it to the right client).
   * Control and stdin messages are handed to the control thread before this returns, so a
   * thread that blocks next (waitForStdin) has sent its input_request.
   */
  send(channel: Channel, msg: Message): Promise<void> {
    const frames = serialize(msg, this.signer);
    if (channel === "shell") return this.shellOut.send(frames);
    this.worker.postMessage({ type: "send", channel, frames } satisfies ToControlWorker);
    return Promise.resolve();
  }

  /**
   * Hands every IOPub message queued so far to ZeroMQ now (see SendQueue.flushSync): before this
   * thread blocks in waitForStdin, what the cell printed must be on its way.
   */
  flushIopubSync(): void {
    this.iopubOut.flushSync();
  }

  /**
   * Blocks this thread — its event loop too — until `done()` or `stopped()` says so, handling
   * each stdin message as it arrives (verified and passed to `onMessage`, as when not blocked).
   * For a synchronous prompt(): the control thread receives the input_reply and wakes us; a Stop
   * wakes us too. Returns which of the two ended the wait.
   * @example sockets.waitForStdin(onMessage, () => answered, () => interrupts.stopRequested())
   */
  waitForStdin(onMessage: (c: Channel, m: Message) => void, done: () => boolean, stopped: () => boolean): "done" | "stopped" {
    for (;;) {
      // Read the counter before draining: a message posted after the drain changes it, so the
      // wait below returns at once instead of sleeping past it.
      const seen = Atomics.load(this.stdinWake, 0);
      for (let m = receiveMessageOnPort(this.stdinPort); m !== undefined; m = receiveMessageOnPort(this.stdinPort)) {
        this.receive("stdin", (m.message as Uint8Array[]).map(asBuffer), onMessage);
      }
      if (done()) return "done";
      if (stopped()) return "stopped";
      Atomics.wait(this.stdinWake, 0, seen);
    }
  }

  /** Publishes on IOPub with topic `kernel.<session>.<msg_type>`. */
  publish(msg: Message): Promise<void> {
    const topic = Buffer.from(`kernel.${this.session}.${msg.header.msg_type}`);
    return this.iopubOut.send(serialize({ ...msg, identities: [topic] }, this.signer));
  }

  /** Resolves when everything published so far has been handed to ZeroMQ. */
  drainIopub(): Promise<void> {
    return this.iopubOut.drain();
  }

  /** Flushes pending sends and closes every socket. */
  async close(): Promise<void> {
    await Promise.all([this.shellOut.drain(), this.iopubOut.drain()]);
    this.worker.postMessage({ type: "close" } satisfies ToControlWorker);
    const closed = Atomics.waitAsync(this.workerClosed, 0, 0, CLOSE_WAIT_MS);
    if (closed.async) await closed.value;
    this.shell.close();
    this.iopub.close();
    this.stdinPort?.close();
  }

  /**
   * Blocks until the control thread has closed its sockets (heartbeat, control, stdin), for a
   * process that is exiting: Node then tears that thread down, and zeromq's addon throws from its
   * destructors when a thread ends with sockets still open (zeromq.js#411) — "terminate called after throwing an instance
   * of 'Napi::Error'", an abort and a core dump instead of the exit status asked for. The worker
   * runs its own event loop, so it closes them while this thread waits.
   */
  closeBeforeExit(): void {
    // No worker yet: bind() failed before starting it (the process exits with that error).
    if (this.worker && Atomics.load(this.workerClosed, 0) === 0) {
      this.worker.postMessage({ type: "close" } satisfies ToControlWorker);
      if (Atomics.wait(this.workerClosed, 0, 0, CLOSE_WAIT_MS) === "timed-out") log("the control thread did not close its sockets in time");
    }
    // This thread's sockets too: left open, their finalizers run while Node tears the process
    // down and can throw the same way. IOPub lingers a little so the last output still leaves.
    if (!this.iopub.closed) this.iopub.linger = EXIT_LINGER_MS;
    for (const socket of [this.shell, this.iopub]) if (!socket.closed) socket.close();
  }
}

/** A frame that crossed threads (a Uint8Array) as the Buffer the wire code reads, without a copy. */
function asBuffer(f: Uint8Array): Buffer {
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}
