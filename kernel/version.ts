/** tsdl's version, from package.json (for kernel_info_reply, the kernelspec and `tsdl --version`). */
import { readFileSync } from "node:fs";

export const VERSION: string = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;
