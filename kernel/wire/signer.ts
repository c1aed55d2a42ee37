/**
 * HMAC-SHA256 over a message's four JSON frames, as the Jupyter wire protocol asks.
 * An empty key disables signing (the protocol's "no authentication" mode).
 *
 * @example const s = new Signer(conn.key); const sig = s.sign([header, parent, metadata, content]);
 */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";

export class Signer {
  /**
   * The key as a KeyObject, made once: given the string, createHmac converts it for every
   * message (six per cell: the request's check and five messages out).
   */
  private readonly secret: KeyObject | null;

  constructor(private readonly key: string) {
    this.secret = key === "" ? null : createSecretKey(Buffer.from(key, "utf8"));
  }

  /** False when the key is empty: messages are neither signed nor checked. */
  get signing(): boolean {
    return this.key !== "";
  }

  /** Hex digest of the frames, or "" when the key is empty. */
  sign(frames: readonly (Buffer | string)[]): string {
    if (this.secret === null) return "";
    const h = createHmac("sha256", this.secret);
    for (const f of frames) h.update(f);
    return h.digest("hex");
  }

  /** True when `signature` is the digest of `frames` (constant-time comparison). */
  verify(signature: string, frames: readonly (Buffer | string)[]): boolean {
    if (this.key === "") return true;
    const expected = Buffer.from(this.sign(frames), "utf8");
    const got = Buffer.from(signature, "utf8");
    return got.length === expected.length && timingSafeEqual(got, expected);
  }
}
