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
export { backendInfo, availableBackends, setBackend, getPrecision, setPrecision } from "./backend/index.js";
export type { BackendInfo, BackendName, MatmulPrecision } from "./backend/index.js";
export { Tensor } from "./tensor/tensor.js";
export type { NestedArray, TensorLike } from "./tensor/tensor.js";
export { tensor, zeros, ones, full, zerosLike, onesLike, arange, randomNormal, randomUniform, randomTruncatedNormal } from "./tensor/create.js";
export type { TensorOptions, TensorData, NestedData, RandomNormalOptions, RandomUniformOptions } from "./tensor/create.js";
export { Variable, variable } from "./tensor/variable.js";
export type { VariableOptions } from "./tensor/variable.js";
export * from "./ops/index.js";
export { valueAndGrad, grad } from "./autograd/grad.js";
export type { Params, ParamsOf, GradsOf, GradOptions } from "./autograd/grad.js";
export { setRandomSeed, getRandomSeed, randomPermutation } from "./random.js";
export * as layers from "./layers/index.js";
export * as models from "./models/index.js";
export { Sequential, Model, loadModel } from "./models/index.js";
export { Input } from "./layers/input.js";
export * as optimizers from "./optimizers/index.js";
export * as losses from "./losses/index.js";
export * as metrics from "./metrics/index.js";
export * as callbacks from "./callbacks/index.js";
export * as activations from "./activations.js";
export * as initializers from "./initializers.js";
export * as regularizers from "./regularizers.js";
export * as datasets from "./datasets/index.js";
export * as utils from "./utils.js";
export { History } from "./training/history.js";
export { requestInterrupt, clearInterrupt, interruptRequested, checkInterrupt } from "./interrupt.js";
