/** Layer classes by Keras class name, for loadModel. */
import type { Layer } from "./layer.js";
import { InputLayer } from "./input.js";
import { DenseLayer } from "./dense.js";
import { ActivationLayer } from "./activation.js";
import { DropoutLayer } from "./dropout.js";
import { BatchNormalizationLayer } from "./batchNormalization.js";
import { FlattenLayer } from "./flatten.js";
import { ReshapeLayer } from "./reshape.js";
import { AddLayer, ConcatenateLayer } from "./merge.js";

export const LAYER_CLASSES: Record<string, (config: Record<string, unknown>) => Layer> = {
  InputLayer: (c) => new InputLayer(c as never),
  Dense: DenseLayer.fromConfig,
  Activation: ActivationLayer.fromConfig,
  Dropout: DropoutLayer.fromConfig,
  BatchNormalization: BatchNormalizationLayer.fromConfig,
  Flatten: FlattenLayer.fromConfig,
  Reshape: ReshapeLayer.fromConfig,
  Concatenate: ConcatenateLayer.fromConfig,
  Add: AddLayer.fromConfig,
};

/** Rebuilds a layer from its saved class name and config. */
export function layerFromConfig(className: string, config: Record<string, unknown>): Layer {
  const make = LAYER_CLASSES[className];
  if (!make) throw new Error(`loadModel: unknown layer class '${className}'; known: ${Object.keys(LAYER_CLASSES).join(", ")}`);
  return make(config);
}
