/**
 * The kernel under wire faults: whatever arrives on its sockets — broken framing, bad JSON,
 * forged or missing signatures, replays, unknown or prototype-named msg_types, 100 MB messages,
 * garbage on the heartbeat and IOPub — is logged and dropped or answered as the protocol says,
 * never crashes it, and never runs an unsigned cell. A fast-check property sends 10,000 such
 * messages (fixed seed) over the real sockets and then runs a normal cell.
 */
import { describe, test, expect, beforeAll, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, readlinkSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { Dealer, Request, XSubscriber } from "zeromq";
import { startKernel, writeConnectionFile, KERNEL_CLI, type Channel, type KernelClient } from "./helpers/kernel-client.js";
import { ReplayGuard } from "../kernel/wire/replay.js";

const DELIM = Buffer.from("<IDS|MSG>");
const CHANNELS: Channel[] = ["shell", "control", "stdin"];
/** Code a forged request would run: any trace of it (a global, "FORGED" on stdout) is a failure. */
const forgedCode = (id: string) => `globalThis.__forged = ${JSON.stringify(id)}; console.log("FORGED")`;

let k: KernelClient;
beforeAll(async () => {
  k = await startKernel();
  // The first cell may carry the runtime's load warning; later checks compare outputs exactly.
  await k.execute("0");
});
afterAll(async () => {
  await k?.stop();
});

/** JSON frames of a message, in wire order after the signature. */
function parts(msgType: string, content: unknown = {}, msgId: string = crypto.randomUUID()): Buffer[] {
  const header = { msg_id: msgId, session: k.session, username: "faults", date: new Date(0).toISOString(), msg_type: msgType, version: "5.3" };
  return [header, {}, {}, content].map((p) => Buffer.from(JSON.stringify(p)));
}

/** A complete message; `signature` replaces the real HMAC. */
function message(msgType: string, content: unknown = {}, opts: { msgId?: string; signature?: string } = {}): Buffer[] {
  const p = parts(msgType, content, opts.msgId);
  return [DELIM, Buffer.from(opts.signature ?? k.signer.sign(p)), ...p];
}

/** Resolves when the kernel log written after `from` matches `pattern`. */
function logAfter(from: number, pattern: RegExp): Promise<RegExpMatchArray> {
  return k.waitFor(() => k.log.slice(from).match(pattern) ?? undefined, `the kernel log to match ${pattern}`, 20_000);
}

/** Sends `frames` on `channel` and waits for the kernel to log that it dropped them for `why`. */
async function expectDropped(channel: Channel, frames: (Buffer | string)[], why: RegExp): Promise<void> {
  const from = k.log.length;
  await k.sendFrames(channel, frames);
  await logAfter(from, new RegExp(`dropped a ${channel} message: .*${why.source}`));
}

/** The kernel still answers on shell and control, and its heartbeat echoes. */
async function expectAlive(): Promise<void> {
  expect(k.proc.exitCode).toBeNull();
  expect((await k.request("shell", "kernel_info_request", {}, 20_000)).content.status).toBe("ok");
  expect((await k.request("control", "kernel_info_request", {}, 20_000)).content.status).toBe("ok");
  expect(await k.heartbeat(5000)).toBe(true);
}

describe("malformed frames are logged and dropped on shell, control and stdin", () => {
  test.each(CHANNELS)("a message without the <IDS|MSG> delimiter (%s)", async (channel) => {
    await expectDropped(channel, ["just", "some", "frames"], /message has no <IDS\|MSG> delimiter/);
  });

  test.each(CHANNELS)("a message with too few frames after the delimiter (%s)", async (channel) => {
    const [delim, sig, header] = message("kernel_info_request");
    await expectDropped(channel, [delim, sig, header], /message has 2 frames after the delimiter, expected at least 5/);
  });

  test.each(CHANNELS)("a message of empty frames (%s)", async (channel) => {
    await expectDropped(channel, ["", "", ""], /message has no <IDS\|MSG> delimiter/);
    await expectDropped(channel, [DELIM, "", "", "", "", ""], /message has no signature/);
  });

  test.each(CHANNELS)("a message with hundreds of routing identities (%s)", async (channel) => {
    const identities = Array.from({ length: 500 }, (_, i) => Buffer.from(`peer-${i}`));
    const frames = [...identities, ...message("kernel_info_request")];
    // 501: the ROUTER puts the sender's own routing id in front.
    await expectDropped(channel, frames, /message has 501 routing identities before the delimiter, at most 32 are accepted/);
  });

  test.each(CHANNELS)("signed frames that are not JSON (%s)", async (channel) => {
    // Different bytes per channel: the same signed frames again would be dropped as a replay.
    const p = [`{not json ${channel}`, "{}", "{}", "{}"].map((s) => Buffer.from(s));
    await expectDropped(channel, [DELIM, k.signer.sign(p), ...p], /message header is not JSON/);
  });

  test.each(CHANNELS)("signed JSON that is not an object, or a header without a string msg_type (%s)", async (channel) => {
    const signed = (...p: unknown[]) => {
      const b = p.map((x) => Buffer.from(JSON.stringify(x)));
      return [DELIM, k.signer.sign(b), ...b];
    };
    const metadata = { channel };
    await expectDropped(channel, signed(null, {}, metadata, {}), /message header must be a JSON object, received null/);
    await expectDropped(channel, signed({ msg_type: "kernel_info_request" }, {}, metadata, [1, 2]), /message content must be a JSON object, received \[1,2\]/);
    await expectDropped(channel, signed({ msg_id: "x" }, {}, metadata, {}), /message header has no msg_type string \(msg_type: undefined\)/);
    await expectDropped(channel, signed({ msg_id: "x", msg_type: 42 }, {}, metadata, {}), /message header has no msg_type string \(msg_type: 42\)/);
  });

  test("after all of these the kernel answers and runs a cell", async () => {
    await expectAlive();
    const r = await k.execute("6 * 7");
    expect(r.results[0]["text/plain"]).toBe("42");
  });
});

describe("signatures", () => {
  test.each(CHANNELS)("an execute_request with a wrong or missing HMAC never runs (%s)", async (channel) => {
    const wrong = crypto.randomUUID();
    const none = crypto.randomUUID();
    await expectDropped(channel, message("execute_request", { code: forgedCode(wrong) }, { msgId: wrong, signature: "0".repeat(64) }), /signature does not match/);
    await expectDropped(channel, message("execute_request", { code: forgedCode(none) }, { msgId: none, signature: "" }), /message has no signature/);
    const r = await k.execute("typeof globalThis.__forged");
    expect(r.results[0]["text/plain"]).toBe("'undefined'");
    for (const id of [wrong, none]) {
      expect(k.replyIfAny(id)).toBeUndefined();
      expect(k.iopubFor(id)).toEqual([]);
    }
  });

  test("a forged interrupt_request does not stop the running cell", async () => {
    const id = await k.sendExecute(`await new Promise((r) => setTimeout(r, 1500)); "finished"`);
    await k.waitFor(() => k.iopubFor(id).find((m) => m.header.msg_type === "execute_input"), "execute_input");
    await expectDropped("control", message("interrupt_request", {}, { signature: "f".repeat(64) }), /signature does not match/);
    const r = await k.collect(id);
    expect(r.reply.content.status).toBe("ok");
    expect(r.results[0]["text/plain"]).toBe("'finished'");
  });

  test("a forged input_reply does not answer input(); the signed one does", async () => {
    const id = await k.sendExecute(`await input("name? ")`, { allow_stdin: true });
    const request = await k.waitFor(() => k.stdinMessages.find((m) => m.parent_header.msg_id === id), "input_request");
    const forged = parts("input_reply", { value: "forged" });
    forged[1] = Buffer.from(JSON.stringify(request.header));
    await expectDropped("stdin", [DELIM, "0".repeat(64), ...forged], /signature does not match/);
    await k.send("stdin", "input_reply", { value: "real" }, { parent: request.header });
    const r = await k.collect(id);
    expect(r.results[0]["text/plain"]).toBe("'real'");
  });

  test("an input_reply when no input() waits is logged and dropped", async () => {
    const from = k.log.length;
    await k.send("stdin", "input_reply", { value: "late" });
    await logAfter(from, /ignored a stdin message of type "input_reply": no input\(\) is waiting/);
  });
});

describe("replays", () => {
  test("the same signed execute_request sent twice runs once", async () => {
    const frames = message("execute_request", { code: "globalThis.__runs = (globalThis.__runs ?? 0) + 1", silent: false, store_history: true });
    await k.sendFrames("shell", frames);
    await expectDropped("shell", frames, /message is a replay: its signature [0-9a-f]{16}… was received before/);
    // Replayed onto the other channels it is dropped there too (one digest history, as in ipykernel).
    await expectDropped("control", frames, /message is a replay/);
    await expectDropped("stdin", frames, /message is a replay/);
    const r = await k.execute("globalThis.__runs");
    expect(r.results[0]["text/plain"]).toBe("1");
  });

  test("an interrupt_request replayed on control is dropped by the control thread", async () => {
    const frames = message("interrupt_request");
    const id = JSON.parse(frames[2].toString()).msg_id;
    await k.sendFrames("control", frames);
    expect((await k.reply(id)).content.status).toBe("ok");
    await expectDropped("control", frames, /message is a replay/);
    // One accepted on shell is known to the control thread as well.
    const onShell = message("interrupt_request");
    await k.sendFrames("shell", onShell);
    await k.reply(JSON.parse(onShell[2].toString()).msg_id);
    await expectDropped("control", onShell, /message is a replay/);
  });

  test("the digest history is bounded: past its capacity the oldest signatures are forgotten", () => {
    const guard = new ReplayGuard(3);
    expect(["a", "b", "c", "d"].map((s) => guard.admit(s))).toEqual([true, true, true, true]);
    expect(guard.size).toBe(3);
    // "a" was the oldest: forgotten, so admitted again; "d" is still remembered.
    expect([guard.admit("d"), guard.admit("a"), guard.admit("c")]).toEqual([false, true, false]);
    expect(guard.size).toBe(3);
  });
});

describe("requests tsdl does not implement", () => {
  test("an unknown msg_type, or one named like an Object property, is logged and dropped", async () => {
    for (const type of ["no_such_request", "constructor", "__proto__", "toString", "hasOwnProperty"]) {
      for (const channel of ["shell", "control"] as const) {
        const from = k.log.length;
        const id = await k.send(channel, type, {});
        await logAfter(from, new RegExp(`ignored a ${channel} message of unknown type ${JSON.stringify(type)}`));
        expect(k.iopubFor(id)).toEqual([]);
        expect(k.replyIfAny(id)).toBeUndefined();
      }
    }
    await expectAlive();
  });

  test("debug_request gets a debug_reply: a Debug Adapter Protocol response without success", async () => {
    const r = await k.request("control", "debug_request", { seq: 7, type: "request", command: "initialize", arguments: {} });
    expect(r.header.msg_type).toBe("debug_reply");
    expect(r.content).toMatchObject({ type: "response", request_seq: 7, command: "initialize", success: false });
    expect(r.content.message).toMatch(/tsdl does not implement the Jupyter debugger protocol/);
  });

  test("subshell requests (JEP 91) are answered: create and delete are errors, the list is empty", async () => {
    const created = await k.request("control", "create_subshell_request");
    expect(created.header.msg_type).toBe("create_subshell_reply");
    expect(created.content).toMatchObject({ status: "error", ename: "NotImplementedError" });
    expect(created.content.evalue).toMatch(/does not support kernel subshells/);
    const deleted = await k.request("control", "delete_subshell_request", { subshell_id: "abc" });
    expect(deleted.content).toMatchObject({ status: "error" });
    expect(deleted.content.evalue).toMatch(/no subshell "abc"/);
    const listed = await k.request("control", "list_subshell_request");
    expect(listed.content).toEqual({ status: "ok", subshell_id: [] });
  });

  test("connect_request is answered with the kernel's ports", async () => {
    const r = await k.request("shell", "connect_request");
    const { shell_port, iopub_port, stdin_port, hb_port, control_port } = k.conn;
    expect(r.content).toEqual({ status: "ok", shell_port, iopub_port, stdin_port, hb_port, control_port });
  });
});

describe("size", () => {
  const big = Buffer.alloc(100 * 1024 * 1024, 0x61);

  test.each(["shell", "control"] as const)("a 100 MB message is dropped and logged, and the next cell runs (%s)", async (channel) => {
    const id = crypto.randomUUID();
    // In one frame (a buffer after the content) and spread over 100 frames of 1 MB; the frame
    // count includes the routing id the ROUTER puts in front.
    await expectDropped(channel, [...message("execute_request", { code: forgedCode(id) }, { msgId: id }), big], /message of 1048\d{5} bytes in 8 frames is over the 64 MiB limit/);
    const frames = Array.from({ length: 100 }, (_, i) => big.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
    await expectDropped(channel, [...message("execute_request", { code: forgedCode(id) }, { msgId: id }), ...frames], /message of 1048\d{5} bytes in 107 frames is over the 64 MiB limit/);
    expect(k.iopubFor(id)).toEqual([]);
    const r = await k.execute("[typeof globalThis.__forged, 1 + 1]");
    expect(r.results[0]["text/plain"]).toBe("[ 'undefined', 2 ]");
  });
});

describe("heartbeat and IOPub", () => {
  test("garbage on the heartbeat and IOPub sockets leaves both working", async () => {
    const dealer = new Dealer({ linger: 0 });
    dealer.connect(k.endpoint(k.conn.hb_port));
    // Not REQ-framed (no empty delimiter frame): a REP socket got stuck on these.
    for (let i = 0; i < 50; i++) await dealer.send([Buffer.from(`junk ${i}`), Buffer.alloc(i * 10)]);
    const req = new Request({ linger: 0, receiveTimeout: 500 });
    req.connect(k.endpoint(k.conn.hb_port));
    // A ping over the heartbeat's 64 KiB frame limit: ZeroMQ cuts that peer, nothing is echoed.
    await req.send(Buffer.alloc(1024 * 1024));
    await expect(req.receive()).rejects.toThrow();
    const xsub = new XSubscriber({ linger: 0 });
    xsub.connect(k.endpoint(k.conn.iopub_port));
    for (let i = 0; i < 50; i++) await xsub.send([Buffer.from([i % 3, 0xff, i]), Buffer.alloc(i)]);
    await new Promise((r) => setTimeout(r, 200));
    for (const s of [dealer, req, xsub]) s.close();
    await expectAlive();
    const r = await k.execute(`console.log("still here")`);
    expect(r.stdout).toBe("still here\n");
  });
});

/**
 * One fuzz case: frames to send (a replay sends the same frames twice), and what must (not)
 * follow from them.
 */
interface Case {
  kind: string;
  sends: { channel: Channel; frames: Buffer[] }[];
  /** msg_id of a forged execute_request (must produce nothing). */
  forged?: string;
  /**
   * A signed kernel_info_request sent twice: answered once when both copies went to the same
   * channel, at most once otherwise (copies on two threads' channels race, and the one that
   * reaches the main thread first wins: on stdin, it is ignored).
   */
  replayed?: { id: string; once: boolean };
}

/** Signed requests whose handling cannot end the kernel or run code; random contents. */
const SIGNED_TYPES = [
  "kernel_info_request", "comm_info_request", "history_request", "is_complete_request", "complete_request",
  "inspect_request", "comm_open", "comm_msg", "comm_close", "connect_request", "debug_request",
  "create_subshell_request", "delete_subshell_request", "list_subshell_request", "input_reply",
];
/** Every type a forged message may claim, including the ones that would run code or end the kernel. */
const FORGED_TYPES = [...SIGNED_TYPES, "execute_request", "shutdown_request", "interrupt_request"];

function caseArbitrary(): fc.Arbitrary<Case> {
  const channel = fc.constantFrom(...CHANNELS);
  // Unbiased: fast-check's default uuids favour a few edge values, and two cases sharing a msg_id
  // would send identical signed frames, which the kernel rightly drops as a replay.
  const uuid = fc.noBias(fc.uuid());
  const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
  const content = fc.oneof(
    fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
    fc.record({ code: fc.jsonValue({ maxDepth: 1 }), cursor_pos: fc.jsonValue({ maxDepth: 0 }), target_name: fc.string(), comm_id: fc.string() }, { requiredKeys: [] }),
  );
  const signedType = fc.oneof(
    fc.constantFrom(...SIGNED_TYPES),
    fc.string({ minLength: 1, maxLength: 40 }),
    fc.constantFrom("constructor", "__proto__", "toString", "valueOf", "hasOwnProperty"),
  );
  /** A valid message that must not run: a forged execute_request, or any other forged type. */
  const base = fc.tuple(fc.constantFrom(...FORGED_TYPES), uuid, content).map(([type, id, c]) => {
    const body = type === "execute_request" ? { code: forgedCode(id), silent: false } : c;
    return { type, id, frames: message(type, body, { msgId: id }) };
  });
  const forgedIf = (b: { type: string; id: string }) => (b.type === "execute_request" ? b.id : undefined);

  const garbage = fc.record({ channel, frames: fc.array(bytes(80), { minLength: 1, maxLength: 10 }), at: fc.nat(), delim: fc.boolean() }).map(
    ({ channel, frames, at, delim }): Case => {
      if (delim) frames.splice(at % (frames.length + 1), 0, DELIM);
      return { kind: "garbage", sends: [{ channel, frames }] };
    },
  );
  const truncated = fc.record({ channel, b: base, keep: fc.integer({ min: 0, max: 4 }), cut: fc.option(fc.record({ frame: fc.integer({ min: 2, max: 5 }), len: fc.nat() })) }).map(
    ({ channel, b, keep, cut }): Case => {
      let frames = b.frames.slice(0, keep + 1);
      if (cut) {
        frames = [...b.frames];
        frames[cut.frame] = frames[cut.frame].subarray(0, cut.len % frames[cut.frame].length);
      }
      return { kind: "truncated", sends: [{ channel, frames }], forged: forgedIf(b) };
    },
  );
  const mutated = fc.record({ channel, b: base, flips: fc.array(fc.record({ frame: fc.integer({ min: 0, max: 5 }), pos: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 4 }) }).map(
    ({ channel, b, flips }): Case => {
      const frames = b.frames.map((f) => Buffer.from(f));
      for (const { frame, pos, xor } of flips) frames[frame][pos % frames[frame].length] ^= xor;
      // Two flips of the same byte can cancel out and leave the valid message: flip once more.
      if (frames.every((f, i) => f.equals(b.frames[i]))) frames[1][0] ^= 1;
      return { kind: "mutated", sends: [{ channel, frames }], forged: forgedIf(b) };
    },
  );
  const unsigned = fc.record({ channel, b: base, sig: fc.oneof(fc.constant(""), fc.stringMatching(/^[0-9a-f]{64}$/), fc.string({ maxLength: 70 })) }).map(
    ({ channel, b, sig }): Case => ({ kind: "unsigned", sends: [{ channel, frames: [DELIM, Buffer.from(sig), ...b.frames.slice(2)] }], forged: forgedIf(b) }),
  );
  const jsonFrame = fc.oneof(bytes(40), fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? "")), fc.record({ msg_id: fc.string(), msg_type: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }).map((v) => Buffer.from(JSON.stringify(v))));
  const signedGarbage = fc.record({ channel, p: fc.array(jsonFrame, { minLength: 4, maxLength: 4 }) }).map(
    ({ channel, p }): Case => ({ kind: "signed garbage", sends: [{ channel, frames: [DELIM, Buffer.from(k.signer.sign(p)), ...p] }] }),
  );
  const signedRandom = fc.record({ channel, type: signedType, id: uuid, c: content }).map(
    ({ channel, type, id, c }): Case => ({ kind: "signed random type", sends: [{ channel, frames: message(type, c, { msgId: id }) }] }),
  );
  // As many routing identities as a proxy chain has (accepted), or far more (dropped); size "max"
  // lets fast-check reach the long lists, which its default size would keep near 10.
  const identity = bytes(24).filter((b) => b.length > 0);
  const idList = fc.oneof(fc.array(identity, { minLength: 1, maxLength: 32 }), fc.array(identity, { minLength: 33, maxLength: 400, size: "max" }));
  const identities = fc.record({ channel, ids: idList, id: uuid }).map(
    ({ channel, ids, id }): Case => ({ kind: "identities", sends: [{ channel, frames: [...ids, ...message("kernel_info_request", {}, { msgId: id })] }] }),
  );
  const replay = fc.record({ first: fc.constantFrom<Channel>("shell", "control"), second: channel, id: uuid }).map(
    ({ first, second, id }): Case => {
      const frames = message("kernel_info_request", {}, { msgId: id });
      return { kind: "replay", sends: [{ channel: first, frames }, { channel: second, frames }], replayed: { id, once: first === second } };
    },
  );
  return fc.oneof(garbage, truncated, mutated, unsigned, signedGarbage, signedRandom, identities, replay);
}

describe("property: 10,000 faulty messages", () => {
  test("the kernel survives them all, runs nothing forged, answers a replay once, and then runs a cell", async () => {
    const BATCHES = 25;
    const PER_BATCH = 400;
    const forged = new Set<string>();
    const replayed: { id: string; once: boolean }[] = [];
    const kinds = new Map<string, number>();
    let sent = 0;
    const run = await fc.check(
      fc.asyncProperty(fc.array(caseArbitrary(), { minLength: PER_BATCH, maxLength: PER_BATCH }), async (cases) => {
        for (const c of cases) {
          for (const s of c.sends) await k.sendFrames(s.channel, s.frames);
          sent += c.sends.length;
          kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
          if (c.forged) forged.add(c.forged);
          if (c.replayed) replayed.push(c.replayed);
        }
        // Shell requests are handled in order: this reply means the whole batch went through.
        await expectAlive();
      }),
      { seed: 20240915, numRuns: BATCHES, endOnFailure: true },
    );
    // The failing batch itself (400 messages of bytes) is too long to read; its kinds and the
    // seed and path (to replay it with fc.check) say enough.
    if (run.failed) {
      const batch = (run.counterexample?.[0] ?? []) as Case[];
      const counts = new Map<string, number>();
      for (const c of batch) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1);
      const tally = [...counts].map(([kind, n]) => `${kind} ${n}`).join(", ");
      throw new Error(`batch ${run.numRuns} of ${BATCHES} failed (seed ${run.seed}, path "${run.counterexamplePath}"; ${tally}): ${run.errorInstance}\nkernel log (end):\n${k.log.slice(-3000)}`);
    }
    expect(sent).toBeGreaterThanOrEqual(10_000);
    expect([...kinds.keys()].sort()).toEqual(["garbage", "identities", "mutated", "replay", "signed garbage", "signed random type", "truncated", "unsigned"]);
    expect(forged.size).toBeGreaterThan(50);

    const r = await k.execute(`const after = [typeof globalThis.__forged, 2 ** 10]; after`);
    expect(r.reply.content.status).toBe("ok");
    expect(r.results[0]["text/plain"]).toBe("[ 'undefined', 1024 ]");
    expect(r.errors).toEqual([]);
    for (const id of forged) {
      expect(k.replyIfAny(id)).toBeUndefined();
      expect(k.iopubFor(id)).toEqual([]);
    }
    const ran = k.iopubMessages.filter((m) => m.header.msg_type === "execute_input" && String(m.content.code).includes("FORGED"));
    expect(ran).toEqual([]);
    expect(k.iopubMessages.some((m) => m.header.msg_type === "stream" && String(m.content.text).includes("FORGED"))).toBe(false);
    expect(replayed.filter((r) => r.once).length).toBeGreaterThan(50);
    for (const { id, once } of replayed) {
      const busy = k.iopubFor(id).filter((m) => m.header.msg_type === "status" && m.content.execution_state === "busy");
      if (once) expect(busy.length, `busy statuses for replayed ${id}`).toBe(1);
      else expect(busy.length, `busy statuses for replayed ${id}`).toBeLessThanOrEqual(1);
    }
    expect(k.undecodable).toEqual([]);
    expect(k.proc.exitCode).toBeNull();
  }, 120_000);
});

describe("the connection file", () => {
  /** Runs `tsdl kernel FILE` for a file with `fields`; a kernel that starts is killed after 15 s. */
  async function runKernelWith(fields: Record<string, unknown>) {
    const { conn } = await writeConnectionFile();
    const file = join(mkdtempSync(join(tmpdir(), "tsdl-conn-")), "kernel.json");
    const contents: Record<string, unknown> = { ...conn, ...fields };
    writeFileSync(file, JSON.stringify(contents));
    return spawnSync(process.execPath, [KERNEL_CLI, "kernel", file], { encoding: "utf8", timeout: 15_000 });
  }

  test("a connection file without a key is refused with a clear message", async () => {
    const r = await runKernelWith({ key: undefined });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/tsdl kernel: .*kernel\.json: the connection file has no "key"/);
    expect(r.stderr).toContain(`write "key": "" together with "signature_scheme"`);
  });

  test("an empty key with no signature_scheme is refused as a key left out by mistake", async () => {
    const r = await runKernelWith({ key: "", signature_scheme: undefined });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the connection file has an empty "key" and no "signature_scheme"/);
  });

  test("an empty key next to a signature_scheme (jupyter_client's --Session.key=b'') runs unsigned, with a warning", async () => {
    const u = await startKernel({ connection: { key: "" } });
    try {
      expect(u.log).toMatch(/message signing is OFF: the connection file's "key" is empty/);
      const r = await u.execute("1 + 2");
      expect(r.results[0]["text/plain"]).toBe("3");
    } finally {
      await u.stop();
    }
  });

  test("the kernel listens only on the connection file's address and ports", async () => {
    // 127.0.0.2 is loopback too, but no default: a kernel that bound 0.0.0.0 or 127.0.0.1 shows here.
    const other = await startKernel({ connection: { ip: "127.0.0.2" } });
    try {
      const { shell_port, control_port, iopub_port, stdin_port, hb_port } = other.conn;
      const expected = [shell_port, control_port, iopub_port, stdin_port, hb_port].map((p) => `127.0.0.2:${p}`).sort();
      // Heartbeat and control are bound by their thread, which may finish after kernel_info.
      expect(await other.heartbeat(10_000)).toBe(true);
      await other.request("control", "kernel_info_request");
      expect(listening(other.proc.pid!)).toEqual(expected);
      expect((await other.execute("'bound'")).results[0]["text/plain"]).toBe("'bound'");
    } finally {
      await other.stop();
    }
  });
});

/**
 * The TCP addresses on which `pid` and its descendants listen, as "ip:port", from /proc: the
 * sockets among their open files matched against /proc/net/tcp and tcp6 (state 0A, LISTEN).
 */
function listening(pid: number): string[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // the process ended meanwhile
    }
  }
  const pids = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [child, parent] of parents) if (pids.has(parent) && !pids.has(child)) pids.add(child), (grew = true);
  }
  const inodes = new Set<string>();
  for (const p of pids) {
    try {
      for (const fd of readdirSync(`/proc/${p}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${p}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      }
    } catch {
      // the process ended meanwhile
    }
  }
  const out: string[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").trim().split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] !== "0A" || !inodes.has(f[9])) continue;
      const [hexIp, hexPort] = f[1].split(":");
      out.push(`${decodeIp(hexIp)}:${parseInt(hexPort, 16)}`);
    }
  }
  return out.sort();
}

/** /proc/net/tcp writes addresses as 32-bit words in host (little-endian) order. */
function decodeIp(hex: string): string {
  const words = hex.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(""));
  if (words.length === 1) return words[0].match(/../g)!.map((b) => parseInt(b, 16)).join(".");
  return words.join("").match(/.{4}/g)!.join(":");
}
