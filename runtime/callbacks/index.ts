/**
 * Keras callbacks: `callbacks.EarlyStopping`, `ModelCheckpoint`, `LearningRateScheduler`,
 * `ReduceLROnPlateau`, and your own (a `Callback` subclass or a plain object of hooks).
 */
export { Callback, type Logs, type CallbackHooks, type CallbackModel, type CallbackParams } from "./callback.js";
export { EarlyStopping, type EarlyStoppingOptions } from "./earlyStopping.js";
export { ModelCheckpoint, type ModelCheckpointOptions } from "./modelCheckpoint.js";
export { LearningRateScheduler, ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./learningRate.js";
