/**
 * Captures everything user code writes to process.stdout/process.stderr (console.* goes there
 * too) and hands it on as `stream` messages, merged while the stream name stays the same so the
 * client receives the text in order and in few messages. `flush()` runs before every reply and
 * before every display message, so outputs keep the order the cell produced them in.
 *
 * @example const c = new StreamCapture((name, text) => publish("stream", { name, text })); c.install();
 */
type Name = "stdout" | "stderr";

export class StreamCapture {
  private pending: { name: Name; text: string }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };

  constructor(
    private readonly send: (name: Name, text: string) => void,
    /** How long a partial output may wait before it is sent while a cell keeps running. */
    private readonly delayMs = 20,
  ) {}

  /** Replaces process.stdout.write and process.stderr.write for the life of the kernel. */
  install(): void {
    for (const name of ["stdout", "stderr"] as const) {
      const stream = process[name];
      stream.write = ((chunk: string | Uint8Array, enc?: unknown, cb?: unknown) => {
        const callback = typeof enc === "function" ? enc : cb;
        this.push(name, typeof chunk === "string" ? chunk : this.decoders[name].decode(chunk, { stream: true }));
        if (typeof callback === "function") queueMicrotask(() => (callback as () => void)());
        return true;
      }) as typeof stream.write;
    }
  }

  push(name: Name, text: string): void {
    if (!text) return;
    const last = this.pending[this.pending.length - 1];
    if (last && last.name === name) last.text += text;
    else this.pending.push({ name, text });
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  /** Sends everything pending now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const out = this.pending;
    this.pending = [];
    for (const p of out) this.send(p.name, p.text);
  }
}
