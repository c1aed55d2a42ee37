/**
 * Keras layers: `layers.Dense(512, { activation: "relu" })` (with or without `new`).
 */
export { Layer, resetLayerNames } from "./layer.js";
export type { LayerOptions, CallContext } from "./layer.js";
export { Input, InputLayer } from "./input.js";
export type { InputOptions } from "./input.js";
export { Dense, DenseLayer } from "./dense.js";
export type { DenseOptions } from "./dense.js";
export { Activation, ActivationLayer } from "./activation.js";
export { Dropout, DropoutLayer } from "./dropout.js";
export type { DropoutOptions } from "./dropout.js";
export { BatchNormalization, BatchNormalizationLayer } from "./batchNormalization.js";
export type { BatchNormalizationOptions } from "./batchNormalization.js";
export { Flatten, FlattenLayer } from "./flatten.js";
export { Reshape, ReshapeLayer } from "./reshape.js";
export { Concatenate, ConcatenateLayer, Add, AddLayer } from "./merge.js";
export { SymbolicTensor } from "./symbolic.js";
export type { Shape } from "./symbolic.js";
