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
import { Conv2DLayer } from "./conv2D.js";
import { Conv1DLayer } from "./conv1D.js";
import { MaxPooling2DLayer } from "./maxPooling2D.js";
import { AveragePooling2DLayer } from "./averagePooling2D.js";
import { MaxPooling1DLayer } from "./maxPooling1D.js";
import { AveragePooling1DLayer } from "./averagePooling1D.js";
import { GlobalAveragePooling2DLayer } from "./globalAveragePooling2D.js";
import { GlobalMaxPooling2DLayer } from "./globalMaxPooling2D.js";

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
  Conv2D: Conv2DLayer.fromConfig,
  Conv1D: Conv1DLayer.fromConfig,
  MaxPooling2D: MaxPooling2DLayer.fromConfig,
  AveragePooling2D: AveragePooling2DLayer.fromConfig,
  MaxPooling1D: MaxPooling1DLayer.fromConfig,
  AveragePooling1D: AveragePooling1DLayer.fromConfig,
  GlobalAveragePooling2D: GlobalAveragePooling2DLayer.fromConfig,
  GlobalMaxPooling2D: GlobalMaxPooling2DLayer.fromConfig,
};

/** Rebuilds a layer from its saved class name and config. */
export function layerFromConfig(className: string, config: Record<string, unknown>): Layer {
  const make = LAYER_CLASSES[className];
  if (!make) throw new Error(`loadModel: unknown layer class '${className}'; known: ${Object.keys(LAYER_CLASSES).join(", ")}`);
  return make(config);
}
