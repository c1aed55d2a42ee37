/**
 * Jupyter messages and their multipart wire form:
 * `[...identities, "<IDS|MSG>", signature, header, parent_header, metadata, content, ...buffers]`.
 *
 * @example const frames = serialize(msg, signer); const back = deserialize(frames, signer);
 */
import { randomUUID } from "node:crypto";
import type { Signer } from "./signer.js";

export const PROTOCOL_VERSION = "5.3";
const DELIMITER = "<IDS|MSG>";

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
  [key: string]: unknown;
}

export interface Message<C = Record<string, any>> {
  identities: Buffer[];
  header: Header;
  parent_header: Partial<Header>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** A header for a new message of `msgType` in `session`. */
export function makeHeader(msgType: string, session: string, username = "tsdl"): Header {
  return {
    msg_id: randomUUID(),
    session,
    username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/** The frames of `msg`, signed. */
export function serialize(msg: Message, signer: Signer): Buffer[] {
  const parts = [
    JSON.stringify(msg.header),
    JSON.stringify(msg.parent_header ?? {}),
    JSON.stringify(msg.metadata ?? {}),
    JSON.stringify(msg.content ?? {}),
  ].map((s) => Buffer.from(s, "utf8"));
  return [...msg.identities, Buffer.from(DELIMITER), Buffer.from(signer.sign(parts)), ...parts, ...(msg.buffers ?? [])];
}

/** Why a received message was refused. */
export class WireError extends Error {}

/** Parses and verifies received frames; throws WireError on a bad or missing signature or bad JSON. */
export function deserialize(frames: Buffer[], signer: Signer): Message {
  const d = frames.findIndex((f) => f.length === DELIMITER.length && f.toString() === DELIMITER);
  if (d < 0) throw new WireError("message has no <IDS|MSG> delimiter");
  if (frames.length < d + 6) throw new WireError(`message has ${frames.length - d - 1} frames after the delimiter, expected at least 5`);
  const signature = frames[d + 1].toString("utf8");
  const parts = frames.slice(d + 2, d + 6);
  if (!signer.verify(signature, parts)) {
    throw new WireError(signature === "" ? "message has no signature" : "message signature does not match (HMAC-SHA256)");
  }
  try {
    const [header, parent_header, metadata, content] = parts.map((p) => JSON.parse(p.toString("utf8")));
    return { identities: frames.slice(0, d), header, parent_header, metadata, content, buffers: frames.slice(d + 6) };
  } catch (e) {
    throw new WireError(`message frames are not JSON: ${(e as Error).message}`);
  }
}
