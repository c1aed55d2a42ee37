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
export { Conv2D, Conv2DLayer } from "./conv2D.js";
export type { Conv2DOptions } from "./conv2D.js";
export { Conv1D, Conv1DLayer } from "./conv1D.js";
export type { Conv1DOptions } from "./conv1D.js";
export { MaxPooling2D, MaxPooling2DLayer, MaxPooling2D as MaxPool2D } from "./maxPooling2D.js";
export { AveragePooling2D, AveragePooling2DLayer, AveragePooling2D as AvgPool2D } from "./averagePooling2D.js";
export type { Pooling2DOptions } from "./pooling2D.js";
export { MaxPooling1D, MaxPooling1DLayer, MaxPooling1D as MaxPool1D } from "./maxPooling1D.js";
export { AveragePooling1D, AveragePooling1DLayer, AveragePooling1D as AvgPool1D } from "./averagePooling1D.js";
export type { Pooling1DOptions } from "./pooling1D.js";
export { GlobalAveragePooling2D, GlobalAveragePooling2DLayer, GlobalAveragePooling2D as GlobalAvgPool2D } from "./globalAveragePooling2D.js";
export { GlobalMaxPooling2D, GlobalMaxPooling2DLayer, GlobalMaxPooling2D as GlobalMaxPool2D } from "./globalMaxPooling2D.js";
export type { GlobalPooling2DOptions } from "./globalPooling2D.js";
export { SymbolicTensor } from "./symbolic.js";
export type { Shape } from "./symbolic.js";
