/**
 * The connection file Jupyter writes before it starts a kernel: where to bind and how to sign.
 *
 * @example const conn = readConnectionFile("/run/user/1000/jupyter/kernel-1.json");
 */
import { readFileSync } from "node:fs";

export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  shell_port: number;
  control_port: number;
  iopub_port: number;
  stdin_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
}

const PORTS = ["shell_port", "control_port", "iopub_port", "stdin_port", "hb_port"] as const;

/** Reads and validates a connection file; throws an error that names the file and the bad field. */
export function readConnectionFile(path: string): ConnectionInfo {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`tsdl kernel: cannot read connection file ${path}: ${(e as Error).message}`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`tsdl kernel: connection file ${path} is not JSON: ${(e as Error).message}`);
  }
  return parseConnectionInfo(raw, path);
}

/** Validates a parsed connection file (see readConnectionFile). */
export function parseConnectionInfo(raw: Record<string, unknown>, where = "connection file"): ConnectionInfo {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new Error(`tsdl kernel: ${where} must hold a JSON object, received ${JSON.stringify(raw)}`);
  }
  const transport = (raw.transport ?? "tcp") as string;
  if (transport !== "tcp" && transport !== "ipc") {
    throw new Error(`tsdl kernel: ${where}: transport must be "tcp" or "ipc", received ${JSON.stringify(transport)}`);
  }
  if (typeof raw.ip !== "string" || raw.ip === "") {
    throw new Error(`tsdl kernel: ${where}: "ip" must be a non-empty string, received ${JSON.stringify(raw.ip)}`);
  }
  for (const p of PORTS) {
    const v = raw[p];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 65535) {
      throw new Error(`tsdl kernel: ${where}: "${p}" must be a port number 0–65535, received ${JSON.stringify(v)}`);
    }
  }
  const key = checkKey(raw, where);
  const scheme = (raw.signature_scheme ?? "hmac-sha256") as string;
  if (key !== "" && scheme !== "hmac-sha256") {
    throw new Error(`tsdl kernel: ${where}: signature_scheme must be "hmac-sha256", received ${JSON.stringify(scheme)}`);
  }
  return { ...(raw as unknown as ConnectionInfo), transport, key, signature_scheme: scheme };
}

/**
 * The signing key. Jupyter writes a random one into every connection file it creates, and an
 * empty one only when asked to turn signing off (`--Session.key=b''`), next to its
 * "signature_scheme" as always. So an empty key counts as that deliberate choice only in a file
 * that also names its signature_scheme; a file without a key, or with an empty one and no scheme
 * (written by hand or by a tool that forgot the key), is refused: unsigned, any local process
 * that reaches the ports could run code as the user.
 */
function checkKey(raw: Record<string, unknown>, where: string): string {
  const key = raw.key;
  const howToTurnOff =
    `Jupyter writes a random key into every connection file it creates; to run without message signing ` +
    `on purpose (insecure), write "key": "" together with "signature_scheme", as jupyter_client does with --Session.key=b''`;
  if (key === undefined || key === null) {
    throw new Error(`tsdl kernel: ${where}: the connection file has no "key", so messages could not be authenticated. ${howToTurnOff}`);
  }
  if (typeof key !== "string") {
    throw new Error(`tsdl kernel: ${where}: "key" must be a string, received ${JSON.stringify(key)}`);
  }
  if (key === "" && typeof raw.signature_scheme !== "string") {
    throw new Error(`tsdl kernel: ${where}: the connection file has an empty "key" and no "signature_scheme", which looks like a key left out by mistake. ${howToTurnOff}`);
  }
  return key;
}

/** The ZeroMQ endpoint for one of the five ports. */
export function endpoint(conn: ConnectionInfo, port: number): string {
  return conn.transport === "ipc" ? `ipc://${conn.ip}-${port}` : `tcp://${conn.ip}:${port}`;
}
