/**
 * zeromq.js allows one send in flight per socket ("Socket is busy writing"): every send from
 * anywhere in the kernel goes through this queue so concurrent senders never collide. When
 * nothing is in flight the frames are handed to ZeroMQ at once, in the caller's own tick: a cell
 * that then blocks the thread in a synchronous loop must not hold back its execute_input.
 * `flushSync()` hands over what waits behind a send in flight too, for a thread about to block
 * (a synchronous `prompt()`), whose event loop would otherwise not send it until it wakes.
 *
 * @example const q = new SendQueue(socket); q.send(frames); await q.drain();
 */
import type { Writable } from "zeromq";

export class SendQueue {
  private tail: Promise<void> = Promise.resolve();
  private inFlight = 0;
  /** Frames queued behind the send in flight, oldest first, until sent (by the queue or flushSync). */
  private readonly waiting: { frames: Buffer[]; taken: boolean }[] = [];
  constructor(private readonly socket: Writable) {}

  /** Queues `frames`; resolves once they are handed to ZeroMQ. Errors are logged, not thrown. */
  send(frames: Buffer[]): Promise<void> {
    this.inFlight++;
    let sent: Promise<void>;
    if (this.inFlight === 1) {
      sent = attempt(() => this.socket.send(frames));
    } else {
      const item = { frames, taken: false };
      this.waiting.push(item);
      sent = this.tail.then(() => {
        if (item.taken) return;
        this.take(item);
        return this.socket.send(frames);
      });
    }
    this.tail = sent
      .catch(warn)
      .finally(() => {
        this.inFlight--;
      });
    return this.tail;
  }

  /**
   * Hands every waiting message to ZeroMQ now, in order, without the event loop. It stops at the
   * first one the socket cannot take at once (a send still in progress: the peer is slow), which
   * then goes the usual way, in order, when the thread's loop runs again.
   * @example sockets.iopubOut.flushSync(); Atomics.wait(cell, 0, 0);
   */
  flushSync(): void {
    while (this.waiting.length > 0) {
      const item = this.waiting[0];
      let sent: Promise<void>;
      try {
        sent = this.socket.send(item.frames);
      } catch {
        return; // busy writing: zeromq.js throws before taking the frames
      }
      this.take(item);
      sent.catch(warn);
    }
  }

  /** Resolves when every queued send is done. */
  drain(): Promise<void> {
    return this.tail;
  }

  private take(item: { taken: boolean }): void {
    item.taken = true;
    const i = this.waiting.indexOf(item as (typeof this.waiting)[number]);
    if (i >= 0) this.waiting.splice(i, 1);
  }
}

function warn(e: unknown): void {
  process.emitWarning(`tsdl kernel: send failed: ${(e as Error).message}`);
}

function attempt(f: () => Promise<void>): Promise<void> {
  try {
    return f();
  } catch (e) {
    return Promise.reject(e);
  }
}
