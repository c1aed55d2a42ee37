/**
 * The kernel's DisplaySink: the runtime's progress bars, plots and summaries — and the cell's
 * own `display()` calls — become display_data / update_display_data / clear_output messages on
 * the running cell's parent header.
 *
 * @example const sink = new KernelDisplaySink(publish, flushStreams); sink.show({ "text/plain": "hi" });
 */
import { randomUUID } from "node:crypto";
import type { DisplayHandle, DisplaySink, MimeBundle } from "../../runtime/display/sink.js";

export type Publish = (msgType: string, content: Record<string, unknown>) => void;

export class KernelDisplaySink implements DisplaySink {
  readonly kind = "notebook" as const;

  constructor(
    private readonly publish: Publish,
    /** Sends pending stream text first, so outputs keep the order the cell made them in. */
    private readonly flushStreams: () => void,
    private readonly writeStdout: (text: string) => void,
  ) {}

  show(bundle: MimeBundle, metadata: Record<string, unknown> = {}): DisplayHandle {
    const id = randomUUID();
    this.flushStreams();
    this.publish("display_data", { data: bundle, metadata, transient: { display_id: id } });
    return {
      id,
      update: (b: MimeBundle) => {
        this.flushStreams();
        this.publish("update_display_data", { data: b, metadata: {}, transient: { display_id: id } });
      },
    };
  }

  clear(wait = false): void {
    this.flushStreams();
    this.publish("clear_output", { wait });
  }

  write(text: string): void {
    this.writeStdout(text);
  }
}
