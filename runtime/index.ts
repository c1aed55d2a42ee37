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
export { Tensor } from "./tensor/tensor.js";
export type { NestedArray, TensorLike } from "./tensor/tensor.js";
export { tensor, zeros, ones, full, zerosLike, onesLike, arange, randomNormal, randomUniform, randomTruncatedNormal } from "./tensor/create.js";
export type { TensorOptions, TensorData, RandomNormalOptions, RandomUniformOptions } from "./tensor/create.js";
export { Variable, variable } from "./tensor/variable.js";
export type { VariableOptions } from "./tensor/variable.js";
export * from "./ops/index.js";
export { valueAndGrad, grad } from "./autograd/grad.js";
export type { Params, GradsOf } from "./autograd/grad.js";
export { setRandomSeed, getRandomSeed, randomPermutation } from "./random.js";
