/**
 * tsdl's runtime: tensors, Keras-style models and training, datasets, display.
 * Importable from plain Node (`import { tensor, models, layers } from "tsdl"`) and preloaded
 * as globals in every notebook cell by the kernel.
 *
 * Each area adds its own export lines below; keep one line per module.
 */
export { DISPLAY, getDisplaySink, setDisplaySink, TerminalSink } from "./display/sink.js";
export type { DisplaySink, DisplayHandle, MimeBundle, Displayable } from "./display/sink.js";
export { Progbar } from "./display/progbar.js";
import "./display/tensor-display.js"; // tensors show as HTML tables in notebooks
export { imageBundle, imagesBundle } from "./display/images.js";
export { plot } from "./plot/index.js";
export type { DType } from "./backend/backend.js";
