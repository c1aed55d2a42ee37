/**
 * zeromq.js allows one send in flight per socket ("Socket is busy writing"): every send from
 * anywhere in the kernel goes through this queue so concurrent senders never collide. When
 * nothing is in flight the frames are handed to ZeroMQ at once, in the caller's own tick: a cell
 * that then blocks the thread in a synchronous loop must not hold back its execute_input.
 *
 * @example const q = new SendQueue(socket); q.send(frames); await q.drain();
 */
import type { Writable } from "zeromq";

export class SendQueue {
  private tail: Promise<void> = Promise.resolve();
  private inFlight = 0;
  constructor(private readonly socket: Writable) {}

  /** Queues `frames`; resolves once they are handed to ZeroMQ. Errors are logged, not thrown. */
  send(frames: Buffer[]): Promise<void> {
    this.inFlight++;
    const start = () => this.socket.send(frames);
    const sent = this.inFlight === 1 ? attempt(start) : this.tail.then(start);
    this.tail = sent
      .catch((e) => {
        process.emitWarning(`tsdl kernel: send failed: ${(e as Error).message}`);
      })
      .finally(() => {
        this.inFlight--;
      });
    return this.tail;
  }

  /** Resolves when every queued send is done. */
  drain(): Promise<void> {
    return this.tail;
  }
}

function attempt(f: () => Promise<void>): Promise<void> {
  try {
    return f();
  } catch (e) {
    return Promise.reject(e);
  }
}
