/**
 * create_subshell_request, delete_subshell_request, list_subshell_request (control; kernel
 * subshells, JEP 91, protocol 5.5). tsdl runs every shell request on its one main shell and does
 * not list "kernel subshells" among its supported features, so a client should not ask; one that
 * does is told plainly rather than left waiting: creating or deleting a subshell is an error
 * reply, and the list of subshells is empty. A `subshell_id` in a shell request's header is
 * ignored, as the JEP asks of kernels without subshells.
 */
import type { Handler } from "./types.js";
import { quote } from "../wire/message.js";

const NO_SUBSHELLS = "tsdl does not support kernel subshells (JEP 91): every request runs on the main shell";

export const create_subshell_request: Handler = async (kernel, msg, channel) => {
  await kernel.reply(channel, msg, "create_subshell_reply", {
    status: "error",
    ename: "NotImplementedError",
    evalue: NO_SUBSHELLS,
    traceback: [],
  });
};

export const delete_subshell_request: Handler = async (kernel, msg, channel) => {
  await kernel.reply(channel, msg, "delete_subshell_reply", {
    status: "error",
    ename: "NotImplementedError",
    evalue: `no subshell ${quote(msg.content.subshell_id)}: ${NO_SUBSHELLS}`,
    traceback: [],
  });
};

export const list_subshell_request: Handler = async (kernel, msg, channel) => {
  await kernel.reply(channel, msg, "list_subshell_reply", { status: "ok", subshell_id: [] });
};
