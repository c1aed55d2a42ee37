/**
 * A socket's receive loop that nothing received can end. An error while handling one message is
 * logged and the next is read; an error from the socket's own iterator (zeromq.js rejects a
 * receive now and then, e.g. EAGAIN) restarts the loop after a pause. It ends when the socket
 * closes. A kernel whose shell, control or heartbeat loop had ended would look dead to its
 * client, which then restarts it and loses the user's work.
 *
 * @example void receiveLoop(router, "shell", (frames) => handle(frames), log);
 */
import type { Readable } from "zeromq";

const RETRY_MS = 50;

export async function receiveLoop(
  socket: Readable & { readonly closed: boolean },
  name: string,
  onFrames: (frames: Buffer[]) => void | Promise<void>,
  log: (text: string) => void,
): Promise<void> {
  while (!socket.closed) {
    try {
      for await (const frames of socket as AsyncIterable<Buffer[]>) {
        try {
          await onFrames(frames);
        } catch (e) {
          log(`${name}: handling a received message failed: ${(e as Error)?.stack ?? e}`);
        }
      }
    } catch (e) {
      if (socket.closed) return;
      log(`${name}: receiving failed (${(e as Error)?.message ?? e}); receiving again`);
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
}
