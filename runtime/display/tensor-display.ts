/**
 * Plugs the rich tensor repr (reprs.ts) into Tensor's `[DISPLAY]()`. Imported for its effect by
 * runtime/index.ts; tensor.ts keeps a hook instead of importing reprs, so the tensor core does
 * not depend on display code.
 */
import { setTensorBundleFormatter } from "../tensor/tensor.js";
import { tensorBundle } from "./reprs.js";

setTensorBundleFormatter(tensorBundle);
