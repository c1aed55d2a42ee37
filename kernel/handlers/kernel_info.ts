/** kernel_info_request: who this kernel is and which language it runs. */
import type { Handler } from "./types.js";
import { PROTOCOL_VERSION } from "../wire/message.js";
import { VERSION } from "../version.js";
import { log } from "../log.js";

export const kernel_info_request: Handler = async (kernel, msg, channel) => {
  await kernel.reply(channel, msg, "kernel_info_reply", {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "tsdl",
    implementation_version: VERSION,
    language_info: {
      name: "typescript",
      version: "5.9",
      mimetype: "text/typescript",
      file_extension: ".ts",
      codemirror_mode: "typescript",
      pygments_lexer: "typescript",
    },
    banner:
      `tsdl ${VERSION} — TypeScript with a Keras-style deep-learning runtime (Node ${process.version})\n` +
      `display(x), display.html(s), clearOutput(), await input("?"); tensor, models, layers, plot are preloaded.`,
    help_links: [
      { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" },
      { text: "Node.js API", url: "https://nodejs.org/docs/latest-v20.x/api/" },
      { text: "Keras API (the runtime's model)", url: "https://keras.io/api/" },
    ],
  });
  if (TRACE) log(`start-up: kernel_info answered at ${performance.now().toFixed(0)} ms`);
};

const TRACE = process.env.TSDL_TRACE === "1";
