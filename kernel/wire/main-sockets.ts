/**
 * Shell and IOPub, the two sockets the kernel's main thread serves, made and bound as early as
 * the process can (cli.ts binds them before it loads the kernel's code). A client connects the
 * moment it has started the kernel; a port nobody has bound yet refuses it, and ZeroMQ tries
 * again only after its reconnect interval (100 ms), so a bind a few milliseconds later than the
 * client's attempt used to cost kernel_info's answer a whole interval (ready at ~0.27 s instead of
 * ~0.17 s, measured through jupyter_client). Bound early, the client's requests wait in ZeroMQ
 * until the kernel reads them.
 *
 * @example const early = await bindMainSockets(conn); …; new KernelSockets(conn, signer, session, early);
 */
import { Router, XPublisher } from "zeromq";
import { endpoint, type ConnectionInfo } from "./connection.js";
import { MAX_FRAME_BYTES, MAX_SMALL_FRAME_BYTES } from "./message.js";

export interface MainSockets {
  shell: Router;
  iopub: XPublisher;
}

/** Shell (a ROUTER) and IOPub (an XPUB, so it sees subscriptions: iopub_welcome), not bound. */
export function makeMainSockets(): MainSockets {
  const shell = new Router({ linger: 0, maxMessageSize: MAX_FRAME_BYTES });
  const iopub = new XPublisher({ linger: 0, maxMessageSize: MAX_SMALL_FRAME_BYTES });
  // Every subscribe, even a repeated one, must reach the kernel so each new client gets its welcome.
  iopub.verbosity = "allSubs";
  return { shell, iopub };
}

/** Binds both to the connection file's ip and ports. */
export async function bindMain(sockets: MainSockets, conn: ConnectionInfo): Promise<void> {
  await sockets.shell.bind(endpoint(conn, conn.shell_port));
  await sockets.iopub.bind(endpoint(conn, conn.iopub_port));
}

/** Makes both and binds them (cli.ts, first thing). */
export async function bindMainSockets(conn: ConnectionInfo): Promise<MainSockets> {
  const sockets = makeMainSockets();
  await bindMain(sockets, conn);
  return sockets;
}
