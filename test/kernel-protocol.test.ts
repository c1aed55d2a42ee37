/**
 * The kernel speaks Jupyter's messaging protocol over real ZeroMQ sockets: a test client starts
 * the real kernel process from a connection file and drives every message type.
 */
import { describe, test, expect, beforeAll, afterAll } from "vitest";
import { Subscriber } from "zeromq";
import { startKernel, type KernelClient } from "./helpers/kernel-client.js";
import { deserialize } from "../kernel/wire/message.js";

let k: KernelClient;
beforeAll(async () => {
  k = await startKernel();
  // The first cell may carry the runtime's load warning on stderr; the tests below count messages.
  await k.execute("0");
});
afterAll(async () => {
  await k?.stop();
});

describe("the kernel's protocol", () => {
  test("kernel_info_reply names tsdl, protocol 5.3 and TypeScript", async () => {
    const r = await k.request("shell", "kernel_info_request");
    expect(r.header.msg_type).toBe("kernel_info_reply");
    expect(r.content).toMatchObject({
      status: "ok",
      protocol_version: "5.3",
      implementation: "tsdl",
      language_info: { name: "typescript", mimetype: "text/typescript", file_extension: ".ts", codemirror_mode: "typescript" },
    });
    expect(r.content.implementation_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.content.banner).toContain("tsdl");
    expect(r.content.help_links.length).toBeGreaterThan(0);
  });

  test("kernel_info is answered on the control channel too", async () => {
    const r = await k.request("control", "kernel_info_request");
    expect(r.content.implementation).toBe("tsdl");
  });

  test("every request is wrapped in status busy … idle with the request as parent", async () => {
    const id = await k.send("shell", "kernel_info_request");
    await k.idle(id);
    const states = k.iopubFor(id).filter((m) => m.header.msg_type === "status").map((m) => m.content.execution_state);
    expect(states).toEqual(["busy", "idle"]);
  });

  test("an execution publishes execute_input, then the result, under the request's parent header", async () => {
    const r = await k.execute("40 + 2");
    const types = r.iopub.map((m) => m.header.msg_type);
    expect(types).toEqual(["status", "execute_input", "execute_result", "status"]);
    expect(r.iopub[1].content.code).toBe("40 + 2");
    expect(r.iopub[2].content.execution_count).toBe(r.reply.content.execution_count);
    expect(r.reply.parent_header.msg_id).toBe(r.iopub[1].parent_header.msg_id);
    expect(r.results[0]["text/plain"]).toBe("42");
  });

  test("a message with a forged signature is dropped, logged and never executed", async () => {
    const id = await k.send("shell", "execute_request", { code: "globalThis.forged = 'ran'", silent: false }, { signature: "0".repeat(64) });
    const noSig = await k.send("shell", "execute_request", { code: "globalThis.forged = 'ran'", silent: false }, { signature: "" });
    const r = await k.execute("typeof globalThis.forged");
    expect(r.results[0]["text/plain"]).toBe("'undefined'");
    expect(k.replyIfAny(id)).toBeUndefined();
    expect(k.replyIfAny(noSig)).toBeUndefined();
    expect(k.iopubFor(id)).toEqual([]);
    expect(k.log).toMatch(/dropped a shell message: message signature does not match/);
    expect(k.log).toMatch(/dropped a shell message: message has no signature/);
  });

  test("a forged message on the control channel is dropped too", async () => {
    const id = await k.send("control", "shutdown_request", { restart: false }, { signature: "f".repeat(64) });
    await new Promise((r) => setTimeout(r, 200));
    expect(k.replyIfAny(id)).toBeUndefined();
    expect(k.proc.exitCode).toBeNull();
    expect(k.log).toMatch(/dropped a control message/);
  });

  test("the heartbeat echoes", async () => {
    expect(await k.heartbeat()).toBe(true);
  });

  test("a new IOPub subscriber is greeted with iopub_welcome", async () => {
    const sub = new Subscriber({ linger: 0 });
    sub.subscribe("");
    sub.connect(k.endpoint(k.conn.iopub_port));
    const [frames] = await Promise.all([sub.receive()]);
    const msg = deserialize(frames, k.signer);
    sub.close();
    expect(msg.header.msg_type).toBe("iopub_welcome");
    expect(msg.content).toEqual({ subscription: "" });
  });

  test("is_complete says complete, incomplete with an indent, or invalid", async () => {
    const ask = async (code: string) => (await k.request("shell", "is_complete_request", { code })).content;
    expect(await ask("const a = 1")).toEqual({ status: "complete" });
    expect(await ask("function f(x: number) {")).toEqual({ status: "incomplete", indent: "  " });
    expect(await ask("if (a) {\n  if (b) {")).toEqual({ status: "incomplete", indent: "    " });
    expect(await ask("const = )")).toEqual({ status: "invalid" });
  });

  test("history_request answers tail, range and search over this session", async () => {
    await k.execute("const hist1 = 'alpha'");
    const second = await k.execute("hist1 + '-beta'");
    const n = second.reply.content.execution_count as number;
    const tail = (await k.request("shell", "history_request", { hist_access_type: "tail", n: 2, output: false, raw: true })).content;
    expect(tail.history.map((h: unknown[]) => h[2])).toEqual(["const hist1 = 'alpha'", "hist1 + '-beta'"]);
    const range = (await k.request("shell", "history_request", { hist_access_type: "range", session: 0, start: n, stop: n + 1, output: true, raw: true })).content;
    expect(range.history).toEqual([[1, n, ["hist1 + '-beta'", "'alpha-beta'"]]]);
    const search = (await k.request("shell", "history_request", { hist_access_type: "search", pattern: "const hist*", n: 5, unique: true, output: false, raw: true })).content;
    expect(search.history.map((h: unknown[]) => h[2])).toEqual(["const hist1 = 'alpha'"]);
  });

  test("complete and inspect requests are answered", async () => {
    const c = await k.request("shell", "complete_request", { code: "Math.fl", cursor_pos: 7 });
    expect(c.content.status).toBe("ok");
    expect(Array.isArray(c.content.matches)).toBe(true);
    const i = await k.request("shell", "inspect_request", { code: "Math.floor", cursor_pos: 10, detail_level: 0 });
    expect(i.content.status).toBe("ok");
    expect(typeof i.content.found).toBe("boolean");
  });
});

describe("comms", () => {
  test("a comm opened by the front end reaches the registered target, and messages flow both ways", async () => {
    await k.execute(`comms.registerTarget("echo", (comm, data) => {
      comm.send({ hello: data.name });
      comm.onMessage((d) => comm.send({ echo: d }));
      comm.onClose(() => console.log("closed by the front end"));
    })`);
    const openId = await k.send("shell", "comm_open", { comm_id: "c1", target_name: "echo", data: { name: "lab" } });
    await k.idle(openId);
    expect(k.iopubFor(openId).find((m) => m.header.msg_type === "comm_msg")?.content).toEqual({ comm_id: "c1", data: { hello: "lab" } });
    const info = await k.request("shell", "comm_info_request", { target_name: "echo" });
    expect(info.content.comms).toEqual({ c1: { target_name: "echo" } });
    const msgId = await k.send("shell", "comm_msg", { comm_id: "c1", data: { x: 1 } });
    await k.idle(msgId);
    expect(k.iopubFor(msgId).find((m) => m.header.msg_type === "comm_msg")?.content.data).toEqual({ echo: { x: 1 } });
    const closeId = await k.send("shell", "comm_close", { comm_id: "c1", data: {} });
    await k.idle(closeId);
    expect(k.iopubFor(closeId).find((m) => m.header.msg_type === "stream")?.content.text).toBe("closed by the front end\n");
    expect((await k.request("shell", "comm_info_request", {})).content.comms).toEqual({});
  });

  test("a comm opened by a cell is announced with comm_open and listed", async () => {
    const r = await k.execute(`const myComm = comms.open("my.target", { v: 1 }); myComm.send({ step: 2 }); myComm.id`);
    const open = r.iopub.find((m) => m.header.msg_type === "comm_open")!;
    expect(open.content).toMatchObject({ target_name: "my.target", data: { v: 1 } });
    expect(r.iopub.find((m) => m.header.msg_type === "comm_msg")!.content).toEqual({ comm_id: open.content.comm_id, data: { step: 2 } });
    const info = await k.request("shell", "comm_info_request", {});
    expect(info.content.comms[open.content.comm_id]).toEqual({ target_name: "my.target" });
    const c = await k.execute("myComm.close()");
    expect(c.iopub.find((m) => m.header.msg_type === "comm_close")!.content.comm_id).toBe(open.content.comm_id);
  });

  test("opening an unknown comm target is answered with comm_close and the kernel keeps working", async () => {
    const id = await k.send("shell", "comm_open", { comm_id: "w1", target_name: "jupyter.widget.version", data: {} });
    await k.idle(id);
    expect(k.iopubFor(id).find((m) => m.header.msg_type === "comm_close")?.content.comm_id).toBe("w1");
    expect((await k.execute("1")).reply.content.status).toBe("ok");
  });
});

describe("shutdown and restart", () => {
  test("shutdown_request with restart: true is answered and the process exits cleanly", async () => {
    const other = await startKernel();
    const r = await other.request("control", "shutdown_request", { restart: true });
    expect(r.content).toEqual({ status: "ok", restart: true });
    expect(await other.exited()).toBe(0);
    other.close();
  });
});
