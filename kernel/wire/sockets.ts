/**
 * The five sockets of a kernel, bound to the connection file's ip and ports only.
 * Shell and stdin are ROUTERs, IOPub is an XPUB (so it sees subscriptions and can greet each
 * new subscriber with `iopub_welcome`, JEP 65), heartbeat and control run on a worker thread.
 *
 * @example const s = await bindSockets(conn, signer, session); s.onShell(handle);
 */
import { Worker } from "node:worker_threads";
import { Router, XPublisher } from "zeromq";
import { endpoint, type ConnectionInfo } from "./connection.js";
import type { Signer } from "./signer.js";
import { deserialize, makeHeader, serialize, WireError, type Message } from "./message.js";
import { SendQueue } from "./send-queue.js";
import type { ControlWorkerData, FromControlWorker, ToControlWorker } from "./control-worker.js";
import { log } from "../log.js";

export type Channel = "shell" | "control" | "stdin";

export class KernelSockets {
  readonly shell = new Router({ linger: 0 });
  readonly stdin = new Router({ linger: 0 });
  readonly iopub = new XPublisher({ linger: 0 });
  private readonly shellOut = new SendQueue(this.shell);
  private readonly stdinOut = new SendQueue(this.stdin);
  private readonly iopubOut = new SendQueue(this.iopub);
  private worker!: Worker;

  constructor(
    private readonly conn: ConnectionInfo,
    readonly signer: Signer,
    readonly session: string,
  ) {
    // Every subscribe, even a repeated one, must reach us so each new client gets its welcome.
    this.iopub.verbosity = "allSubs";
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
    await this.shell.bind(endpoint(c, c.shell_port));
    await this.stdin.bind(endpoint(c, c.stdin_port));
    await this.iopub.bind(endpoint(c, c.iopub_port));
    const data: ControlWorkerData = {
      hbEndpoint: endpoint(c, c.hb_port),
      controlEndpoint: endpoint(c, c.control_port),
      key: c.key,
      session: this.session,
      shared: handlers.shared,
    };
    // The worker (its own zeromq load and binds) starts alongside the shell loop, so a first
    // kernel_info_request is answered without waiting for it; bind() resolves once both are up.
    this.worker = new Worker(new URL("./control-worker.js", import.meta.url), { workerData: data });
    this.worker.unref();
    const workerReady = new Promise<void>((resolve, reject) => {
      this.worker.on("error", (e) => reject(e));
      this.worker.on("message", (m: FromControlWorker) => {
        if (m.type === "ready") resolve();
        else if (m.type === "error") reject(new Error(`tsdl kernel: cannot bind heartbeat/control: ${m.text}`));
        else if (m.type === "log") log(m.text);
        else if (m.type === "control") this.receive("control", m.frames.map((f) => Buffer.from(f)), handlers.onMessage);
        else if (m.type === "interrupt") handlers.onInterrupt(m.cell);
      });
    });
    void this.loop("shell", this.shell, handlers.onMessage);
    void this.loop("stdin", this.stdin, handlers.onMessage);
    void this.welcomeLoop();
    await workerReady;
  }

  private async loop(channel: Channel, socket: Router, onMessage: (c: Channel, m: Message) => void): Promise<void> {
    try {
      for await (const frames of socket) this.receive(channel, frames, onMessage);
    } catch (e) {
      if (!socket.closed) log(`${channel} loop ended: ${(e as Error).message}`);
    }
  }

  private parse(channel: Channel, frames: Buffer[]): Message | null {
    try {
      return deserialize(frames, this.signer);
    } catch (e) {
      if (e instanceof WireError) {
        log(`dropped a ${channel} message: ${e.message}`);
        return null;
      }
      throw e;
    }
  }

  private receive(channel: Channel, frames: Buffer[], onMessage: (c: Channel, m: Message) => void): void {
    const msg = this.parse(channel, frames);
    if (msg) onMessage(channel, msg);
  }

  /** Greets each subscription with iopub_welcome on the subscribed topic. */
  private async welcomeLoop(): Promise<void> {
    try {
      for await (const [frame] of this.iopub) {
        if (frame.length === 0 || frame[0] !== 1) continue;
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
    } catch (e) {
      if (!this.iopub.closed) log(`iopub subscription loop ended: ${(e as Error).message}`);
    }
  }

  /** Sends a reply or request on a ROUTER channel (identities route it to the right client). */
  send(channel: Channel, msg: Message): Promise<void> {
    const frames = serialize(msg, this.signer);
    if (channel === "shell") return this.shellOut.send(frames);
    if (channel === "stdin") return this.stdinOut.send(frames);
    this.worker.postMessage({ type: "send", frames } satisfies ToControlWorker);
    return Promise.resolve();
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
    await Promise.all([this.shellOut.drain(), this.stdinOut.drain(), this.iopubOut.drain()]);
    this.worker.postMessage({ type: "close" } satisfies ToControlWorker);
    await new Promise((r) => setTimeout(r, 30));
    this.shell.close();
    this.stdin.close();
    this.iopub.close();
  }
}
