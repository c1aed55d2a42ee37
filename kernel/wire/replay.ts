/**
 * Replay protection, as jupyter_client's Session keeps it: every signature accepted is
 * remembered, and a message whose signature was seen before is dropped — the same signed
 * execute_request sent twice runs once. Memory is bounded: past `capacity` signatures the
 * oldest are forgotten (jupyter_client keeps 2^16 too).
 *
 * @example const guard = new ReplayGuard(); guard.admit(sig); // true, then false for the same sig
 */
export class ReplayGuard {
  private readonly seen = new Set<string>();
  /** The remembered signatures in arrival order, as a ring: `next` is the oldest once full. */
  private readonly ring: string[] = [];
  private next = 0;

  constructor(private readonly capacity = 1 << 16) {}

  /** Records `signature`; false when it had been recorded before (the message is a replay). */
  admit(signature: string): boolean {
    if (this.seen.has(signature)) return false;
    this.remember(signature);
    return true;
  }

  /** Records a signature accepted elsewhere (the other thread's channels). */
  remember(signature: string): void {
    if (this.seen.has(signature)) return;
    this.seen.add(signature);
    if (this.ring.length < this.capacity) {
      this.ring.push(signature);
      return;
    }
    // Full: the oldest goes. (Deleting a Set's first entry instead is slow: V8 scans the holes
    // that earlier deletions left at its front.)
    this.seen.delete(this.ring[this.next]);
    this.ring[this.next] = signature;
    this.next = (this.next + 1) % this.capacity;
  }

  get size(): number {
    return this.seen.size;
  }
}
