/**
 * Comms: long-lived channels between a cell's code and the front end (widgets, custom
 * messages), opened from either side. A global `comms` in every cell:
 *
 * ```ts
 * comms.registerTarget("echo", (comm, data) => comm.onMessage((d) => comm.send(d)));
 * const c = comms.open("my.target", { hello: 1 }); c.send({ x: 2 }); c.close();
 * ```
 * An open request for a target nobody registered is answered with comm_close (the classic
 * Notebook opens `jupyter.widget.version` at start; it must not break anything).
 */
import { randomUUID } from "node:crypto";

export type CommData = Record<string, unknown>;
type Publish = (msgType: string, content: Record<string, unknown>) => void;

export class Comm {
  private readonly messageHandlers: ((data: CommData, msg: Record<string, unknown>) => void)[] = [];
  private readonly closeHandlers: ((data: CommData) => void)[] = [];
  closed = false;

  constructor(
    readonly id: string,
    readonly targetName: string,
    private readonly manager: CommManager,
  ) {}

  /** Sends `data` to the front end's side of this comm. */
  send(data: CommData = {}, metadata: Record<string, unknown> = {}): void {
    if (this.closed) throw new Error(`comm ${this.id} (${this.targetName}) is closed; open a new one to send`);
    this.manager.publish("comm_msg", { comm_id: this.id, data }, metadata);
  }

  /** Closes the comm on both sides. */
  close(data: CommData = {}): void {
    if (this.closed) return;
    this.manager.publish("comm_close", { comm_id: this.id, data });
    this.manager.forget(this.id, data);
  }

  /** Calls `handler(data)` for every message from the front end. */
  onMessage(handler: (data: CommData, msg: Record<string, unknown>) => void): this {
    this.messageHandlers.push(handler);
    return this;
  }

  /** Calls `handler(data)` when either side closes the comm. */
  onClose(handler: (data: CommData) => void): this {
    this.closeHandlers.push(handler);
    return this;
  }

  /** @internal */
  deliver(data: CommData, msg: Record<string, unknown>): void {
    for (const h of this.messageHandlers) h(data, msg);
  }

  /** @internal */
  closedBy(data: CommData): void {
    this.closed = true;
    for (const h of this.closeHandlers) h(data);
  }
}

export type TargetHandler = (comm: Comm, data: CommData, msg: Record<string, unknown>) => void;

export class CommManager {
  private readonly targets = new Map<string, TargetHandler>();
  private readonly open_ = new Map<string, Comm>();

  constructor(private readonly publisher: (msgType: string, content: Record<string, unknown>, metadata?: Record<string, unknown>) => void) {}

  publish(msgType: string, content: Record<string, unknown>, metadata: Record<string, unknown> = {}): void {
    this.publisher(msgType, content, metadata);
  }

  /** The API cells see as `comms`. */
  api() {
    return {
      /** Registers `handler(comm, data)` for comms the front end opens with `targetName`. */
      registerTarget: (targetName: string, handler: TargetHandler) => void this.targets.set(targetName, handler),
      /** Stops accepting comms for `targetName`. */
      unregisterTarget: (targetName: string) => void this.targets.delete(targetName),
      /** Opens a comm to the front end's `targetName`. */
      open: (targetName: string, data: CommData = {}, metadata: Record<string, unknown> = {}) => {
        const comm = new Comm(randomUUID().replace(/-/g, ""), targetName, this);
        this.open_.set(comm.id, comm);
        this.publish("comm_open", { comm_id: comm.id, target_name: targetName, data }, metadata);
        return comm;
      },
      /** The comms open now, by id. */
      list: () => new Map(this.open_),
    };
  }

  /** comm_open from the front end. */
  opened(content: { comm_id: string; target_name: string; data?: CommData }, msg: Record<string, unknown>): void {
    const handler = this.targets.get(content.target_name);
    if (!handler) {
      this.publish("comm_close", { comm_id: content.comm_id, data: {} });
      return;
    }
    const comm = new Comm(content.comm_id, content.target_name, this);
    this.open_.set(comm.id, comm);
    handler(comm, content.data ?? {}, msg);
  }

  /** comm_msg from the front end. */
  message(content: { comm_id: string; data?: CommData }, msg: Record<string, unknown>): void {
    this.open_.get(content.comm_id)?.deliver(content.data ?? {}, msg);
  }

  /** comm_close from the front end. */
  closed(content: { comm_id: string; data?: CommData }): void {
    this.forget(content.comm_id, content.data ?? {});
  }

  forget(id: string, data: CommData): void {
    const comm = this.open_.get(id);
    this.open_.delete(id);
    comm?.closedBy(data);
  }

  /** comm_info_reply's `comms`, optionally only one target's. */
  info(targetName?: string): Record<string, { target_name: string }> {
    const out: Record<string, { target_name: string }> = {};
    for (const c of this.open_.values()) {
      if (!targetName || c.targetName === targetName) out[c.id] = { target_name: c.targetName };
    }
    return out;
  }
}
