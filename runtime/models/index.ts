/**
 * Keras models: `models.Sequential([...])`, `new models.Model({ inputs, outputs })`, `loadModel(path)`.
 */
import { Model as ModelClass, type ModelArgs } from "./model.js";
import { callable } from "../layers/layer.js";

export { Sequential, SequentialModel } from "./sequential.js";
export type { SequentialOptions } from "./sequential.js";
export { loadModel } from "./load.js";
export type { CompileOptions, ModelArgs } from "./model.js";
export type { LoadModelOptions } from "./keras/load.js";
export type { FitOptions, EvaluateOptions, PredictOptions } from "../training/trainer.js";

/**
 * The functional model; callable with or without `new`.
 * @example const model = models.Model({ inputs, outputs });
 */
export const Model = callable(ModelClass as new (args: ModelArgs) => ModelClass);
export type Model = ModelClass;
/** The class behind `Model` (for `instanceof` and subclassing). */
export { ModelClass };
