/**
 * The dispatch table: a request's handler is found by its msg_type, as in ipykernel. It has no
 * prototype, so a msg_type such as "constructor" or "__proto__" finds nothing, like any other
 * unknown type (logged and dropped by the kernel).
 */
import type { Handler } from "./types.js";
import { kernel_info_request } from "./kernel_info.js";
import { execute_request } from "./execute.js";
import { is_complete_request } from "./is_complete.js";
import { history_request } from "./history.js";
import { comm_open, comm_msg, comm_close, comm_info_request } from "./comm.js";
import { complete_request } from "./complete.js";
import { inspect_request } from "./inspect.js";
import { shutdown_request, interrupt_request } from "./shutdown.js";
import { connect_request } from "./connect.js";
import { debug_request } from "./debug.js";
import { create_subshell_request, delete_subshell_request, list_subshell_request } from "./subshell.js";

export const handlers: Readonly<Record<string, Handler>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, Handler>, {
    kernel_info_request,
    execute_request,
    is_complete_request,
    history_request,
    comm_open,
    comm_msg,
    comm_close,
    comm_info_request,
    complete_request,
    inspect_request,
    shutdown_request,
    interrupt_request,
    connect_request,
    debug_request,
    create_subshell_request,
    delete_subshell_request,
    list_subshell_request,
  }),
);
