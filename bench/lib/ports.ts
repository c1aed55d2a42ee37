/**
 * Free TCP ports on loopback, for a kernel's connection file (the soak benchmark's client and the
 * tests' kernel client both write one). @example const [shell, control] = await freePorts(2);
 */
import { createServer } from "node:net";

/** `count` distinct free TCP ports on 127.0.0.1. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((ok) => {
      const s = createServer();
      s.listen(0, "127.0.0.1", () => ok(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  return ports;
}
