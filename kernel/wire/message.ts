/**
 * Jupyter messages and their multipart wire form:
 * `[...identities, "<IDS|MSG>", signature, header, parent_header, metadata, content, ...buffers]`.
 * What arrives from a socket is untrusted until `deserialize` has checked it: its size, its
 * framing, its signature, and that its four JSON frames are objects with a string msg_type.
 *
 * @example const frames = serialize(msg, signer); const back = deserialize(frames, signer);
 */
import { randomUUID } from "node:crypto";
import type { Signer } from "./signer.js";
import type { ReplayGuard } from "./replay.js";

export const PROTOCOL_VERSION = "5.3";
const DELIMITER = "<IDS|MSG>";

/**
 * The largest message the kernel accepts, all frames together; a larger one is dropped and
 * logged. Through the Jupyter server a message is one websocket frame, which Tornado caps at
 * 10 MiB by default, so 64 MiB leaves room for comm buffers while a 100 MB message is refused.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/**
 * The largest single frame ZeroMQ reads at all (its maxMessageSize): a peer that sends more is
 * disconnected before the frame is read into memory, so nothing is logged — hence a limit above
 * MAX_MESSAGE_BYTES, which catches (and logs) the 100 MB message and leaves this as the backstop.
 */
export const MAX_FRAME_BYTES = 4 * MAX_MESSAGE_BYTES;

/** Heartbeat pings and IOPub subscriptions are a few bytes; ZeroMQ cuts a peer sending more. */
export const MAX_SMALL_FRAME_BYTES = 64 * 1024;

/**
 * Routing identities in front of the delimiter: one per ROUTER/proxy hop, so a real message has
 * one or two. More than this is garbage, and replying would echo all of it back.
 */
export const MAX_IDENTITIES = 32;

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

const PART_NAMES = ["header", "parent_header", "metadata", "content"] as const;

/**
 * Parses and verifies received frames; throws WireError on anything a kernel must not act on:
 * a message over MAX_MESSAGE_BYTES, no delimiter, too many identities or too few frames, a bad
 * or missing signature, a signature `replay` has seen before, frames that are not JSON objects,
 * or a header without a string msg_type.
 */
export function deserialize(frames: Buffer[], signer: Signer, replay?: ReplayGuard): Message {
  let bytes = 0;
  for (const f of frames) bytes += f.length;
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new WireError(`message of ${bytes} bytes in ${frames.length} frames is over the ${MAX_MESSAGE_BYTES / 1024 / 1024} MiB limit`);
  }
  const d = frames.findIndex((f) => f.length === DELIMITER.length && f.toString() === DELIMITER);
  if (d < 0) throw new WireError(`message has no <IDS|MSG> delimiter (${frames.length} frames)`);
  if (d > MAX_IDENTITIES) throw new WireError(`message has ${d} routing identities before the delimiter, at most ${MAX_IDENTITIES} are accepted`);
  if (frames.length < d + 6) throw new WireError(`message has ${frames.length - d - 1} frames after the delimiter, expected at least 5`);
  const signature = frames[d + 1].toString("utf8");
  const parts = frames.slice(d + 2, d + 6);
  if (!signer.verify(signature, parts)) {
    throw new WireError(signature === "" ? "message has no signature" : "message signature does not match (HMAC-SHA256)");
  }
  if (replay && signer.signing && !replay.admit(signature)) {
    throw new WireError(`message is a replay: its signature ${signature.slice(0, 16)}… was received before`);
  }
  const [header, parent_header, metadata, content] = parts.map((p, i) => parseObject(p, PART_NAMES[i]));
  if (typeof header.msg_type !== "string" || header.msg_type === "") {
    throw new WireError(`message header has no msg_type string (msg_type: ${quote(header.msg_type)})`);
  }
  return { identities: frames.slice(0, d), header: header as Header, parent_header, metadata, content, buffers: frames.slice(d + 6) };
}

function parseObject(frame: Buffer, name: string): Record<string, any> {
  let value: unknown;
  try {
    value = JSON.parse(frame.toString("utf8"));
  } catch (e) {
    throw new WireError(`message ${name} is not JSON: ${quote((e as Error).message, 120)}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new WireError(`message ${name} must be a JSON object, received ${quote(value)}`);
  }
  return value as Record<string, any>;
}

/**
 * A value as JSON, cut to `max` characters: for log lines about received messages, whose fields
 * can be megabytes long.
 */
export function quote(value: unknown, max = 60): string {
  let text: string;
  try {
    text = typeof value === "string" && value.length > max ? JSON.stringify(value.slice(0, max)) : String(JSON.stringify(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
