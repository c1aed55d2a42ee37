/**
 * zeromq.js allows one send in flight per socket ("Socket is busy writing"): every send from
 * anywhere in the kernel goes through this queue so concurrent senders never collide.
 *
 * @example const q = new SendQueue(socket); q.send(frames);
 */
import type { Writable } from "zeromq";

export class SendQueue {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly socket: Writable) {}

  /** Queues `frames`; resolves once they are handed to ZeroMQ. Errors are logged, not thrown. */
  send(frames: Buffer[]): Promise<void> {
    this.tail = this.tail.then(
      () => this.socket.send(frames),
    ).catch((e) => {
      process.emitWarning(`tsdl kernel: send failed: ${(e as Error).message}`);
    });
    return this.tail;
  }

  /** Resolves when every queued send is done. */
  drain(): Promise<void> {
    return this.tail;
  }
}
