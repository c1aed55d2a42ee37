/**
 * Keras 3 layer configs ↔ tsdl layers, one entry per class: `KERAS_LAYERS[className]` says how a
 * tsdl layer's settings read in Keras's `config.json` (snake_case keys, initializers and
 * regularizers as Keras objects) and how a Keras layer config becomes a tsdl layer.
 *
 * This table is the extension point for new layer classes: an entry with `toKeras` and
 * `fromKeras` (the convolution and pooling entries share a codec per family); the weights need
 * nothing more as long as the layer creates its
 * weights in Keras's order (trainable first, in build order: Dense kernel then bias), which is how
 * `model.weights.h5` lists them (`layers/<class>/vars/0`, `/1`, …). A class missing here names
 * itself in the error, both when saving and when loading.
 */
import type { Layer, LayerOptions } from "../../layers/layer.js";
import { DenseLayer } from "../../layers/dense.js";
import { DropoutLayer } from "../../layers/dropout.js";
import { BatchNormalizationLayer } from "../../layers/batchNormalization.js";
import { ActivationLayer } from "../../layers/activation.js";
import { FlattenLayer } from "../../layers/flatten.js";
import { ReshapeLayer } from "../../layers/reshape.js";
import { AddLayer, ConcatenateLayer } from "../../layers/merge.js";
import { InputLayer } from "../../layers/input.js";
import { Conv2DLayer } from "../../layers/conv2D.js";
import { Conv1DLayer } from "../../layers/conv1D.js";
import { MaxPooling2DLayer } from "../../layers/maxPooling2D.js";
import { AveragePooling2DLayer } from "../../layers/averagePooling2D.js";
import { MaxPooling1DLayer } from "../../layers/maxPooling1D.js";
import { AveragePooling1DLayer } from "../../layers/averagePooling1D.js";
import { GlobalAveragePooling2DLayer } from "../../layers/globalAveragePooling2D.js";
import { GlobalMaxPooling2DLayer } from "../../layers/globalMaxPooling2D.js";
import {
  activationFromKeras,
  activationToKeras,
  checkDtype,
  dtypePolicy,
  initializerFromKeras,
  initializerToKeras,
  kerasObject,
  pyFloat,
  regularizerFromKeras,
  regularizerToKeras,
  rejectUnknown,
  requireDefaults,
} from "./objects.js";

/** How one layer class reads in Keras's config and back. */
export interface KerasLayerCodec {
  /** The class's own settings as Keras's config keys (name, trainable and dtype are added around them). */
  toKeras(layer: Layer, owner: string): Record<string, unknown>;
  /**
   * A tsdl layer from a Keras config. `base` holds the settings every layer has (name,
   * trainable, an input shape); `owner` names the layer in errors ("Dense 'dense_1'").
   */
  fromKeras(config: Record<string, unknown>, base: LayerOptions, owner: string): Layer;
  /** Keys of the class's config that fromKeras reads (others must be at "unused" values). */
  keys: readonly string[];
}

/** Keys every Keras layer config may carry, read by the code around the table. */
const BASE_KEYS = ["name", "trainable", "dtype", "batch_input_shape", "batch_shape", "input_shape", "input_dim"];

const num = (v: unknown) => (typeof v === "number" ? v : undefined);
const bool = (v: unknown) => (typeof v === "boolean" ? v : undefined);
/** A Keras tuple argument ([3, 3], or a bare number from an older file) as a list. */
const tuple = (v: unknown) => (typeof v === "number" ? [v] : Array.isArray(v) ? (v as number[]) : undefined);
const list = (v: number | readonly number[]) => (typeof v === "number" ? [v] : [...v]);

/** Conv1D and Conv2D: the same keys, n spatial axes. */
function convCodec(make: (options: Record<string, unknown>) => Layer): KerasLayerCodec {
  return {
    keys: ["filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups", "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint", "lora_rank", "lora_alpha"],
    toKeras(l, owner) {
      const c = l as Conv2DLayer | Conv1DLayer;
      const config = c.getConfig();
      return {
        filters: c.filters,
        kernel_size: list(c.kernelSize),
        strides: list(c.strides),
        padding: c.padding,
        data_format: "channels_last",
        dilation_rate: list(c.dilationRate),
        groups: 1,
        activation: activationToKeras(owner, c.activation.name),
        use_bias: c.useBias,
        kernel_initializer: initializerToKeras(owner, config.kernelInitializer ?? "glorot_uniform"),
        bias_initializer: initializerToKeras(owner, config.biasInitializer ?? "zeros"),
        kernel_regularizer: regularizerToKeras(owner, config.kernelRegularizer),
        bias_regularizer: regularizerToKeras(owner, config.biasRegularizer),
        activity_regularizer: null,
        kernel_constraint: null,
        bias_constraint: null,
      };
    },
    fromKeras(c, base, owner) {
      requireDefaults(owner, c, { data_format: "channels_last", groups: 1, activity_regularizer: null, kernel_constraint: null, bias_constraint: null, lora_rank: null });
      return make({
        ...base,
        filters: c.filters,
        kernelSize: tuple(c.kernel_size),
        strides: tuple(c.strides),
        padding: c.padding,
        dilationRate: tuple(c.dilation_rate),
        activation: activationFromKeras(owner, c.activation),
        useBias: bool(c.use_bias),
        kernelInitializer: initializerFromKeras(`${owner} kernel_initializer`, c.kernel_initializer),
        biasInitializer: initializerFromKeras(`${owner} bias_initializer`, c.bias_initializer),
        kernelRegularizer: regularizerFromKeras(`${owner} kernel_regularizer`, c.kernel_regularizer),
        biasRegularizer: regularizerFromKeras(`${owner} bias_regularizer`, c.bias_regularizer),
      });
    },
  };
}

/** The four pooling layers with a window: pool_size, strides, padding. */
function poolingCodec(make: (options: Record<string, unknown>) => Layer): KerasLayerCodec {
  return {
    keys: ["pool_size", "strides", "padding", "data_format"],
    toKeras(l) {
      const p = l as MaxPooling2DLayer | MaxPooling1DLayer;
      return { pool_size: list(p.poolSize), padding: p.padding, strides: list(p.strides), data_format: "channels_last" };
    },
    fromKeras(c, base, owner) {
      requireDefaults(owner, c, { data_format: "channels_last" });
      return make({ ...base, poolSize: tuple(c.pool_size), ...(c.strides === null || c.strides === undefined ? {} : { strides: tuple(c.strides) }), padding: c.padding });
    },
  };
}

/** GlobalAveragePooling2D and GlobalMaxPooling2D: keepdims. */
function globalPoolingCodec(make: (options: Record<string, unknown>) => Layer): KerasLayerCodec {
  return {
    keys: ["data_format", "keepdims"],
    toKeras(l) {
      return { data_format: "channels_last", keepdims: (l as GlobalAveragePooling2DLayer).keepdims };
    },
    fromKeras(c, base, owner) {
      requireDefaults(owner, c, { data_format: "channels_last" });
      return make({ ...base, keepdims: bool(c.keepdims) });
    },
  };
}

export const KERAS_LAYERS: Record<string, KerasLayerCodec> = {
  Dense: {
    keys: ["units", "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint", "lora_rank", "lora_alpha", "quantization_config"],
    toKeras(l, owner) {
      const d = l as DenseLayer;
      const c = d.getConfig();
      return {
        units: d.units,
        activation: activationToKeras(owner, d.activation.name),
        use_bias: d.useBias,
        kernel_initializer: initializerToKeras(owner, c.kernelInitializer ?? "glorot_uniform"),
        bias_initializer: initializerToKeras(owner, c.biasInitializer ?? "zeros"),
        kernel_regularizer: regularizerToKeras(owner, c.kernelRegularizer),
        bias_regularizer: regularizerToKeras(owner, c.biasRegularizer),
        kernel_constraint: null,
        bias_constraint: null,
      };
    },
    fromKeras(c, base, owner) {
      requireDefaults(owner, c, { activity_regularizer: null, kernel_constraint: null, bias_constraint: null, lora_rank: null, quantization_config: null });
      return new DenseLayer(c.units as number, {
        ...base,
        activation: activationFromKeras(owner, c.activation),
        useBias: bool(c.use_bias),
        kernelInitializer: initializerFromKeras(`${owner} kernel_initializer`, c.kernel_initializer),
        biasInitializer: initializerFromKeras(`${owner} bias_initializer`, c.bias_initializer),
        kernelRegularizer: regularizerFromKeras(`${owner} kernel_regularizer`, c.kernel_regularizer),
        biasRegularizer: regularizerFromKeras(`${owner} bias_regularizer`, c.bias_regularizer),
      } as never);
    },
  },
  Dropout: {
    keys: ["rate", "seed", "noise_shape"],
    toKeras(l) {
      const d = l as DropoutLayer;
      const seed = d.getConfig().seed;
      return { rate: pyFloat(d.rate), seed: typeof seed === "number" ? seed : null, noise_shape: null };
    },
    fromKeras(c, base, owner) {
      requireDefaults(owner, c, { noise_shape: null });
      return new DropoutLayer(c.rate as number, { ...base, ...(typeof c.seed === "number" ? { seed: c.seed } : {}) });
    },
  },
  BatchNormalization: {
    keys: ["axis", "momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint", "synchronized", "renorm", "renorm_clipping", "renorm_momentum"],
    toKeras(l) {
      const b = l as BatchNormalizationLayer;
      const init = (cls: string) => kerasObject("keras.initializers", cls, {});
      return {
        axis: -1,
        momentum: pyFloat(b.momentum),
        epsilon: pyFloat(b.epsilon),
        center: b.center,
        scale: b.scale,
        beta_initializer: init("Zeros"),
        gamma_initializer: init("Ones"),
        moving_mean_initializer: init("Zeros"),
        moving_variance_initializer: init("Ones"),
        beta_regularizer: null,
        gamma_regularizer: null,
        beta_constraint: null,
        gamma_constraint: null,
        synchronized: false,
      };
    },
    fromKeras(c, base, owner) {
      // tsdl normalizes the last axis; Keras's axis may be -1 or the last axis's index, which
      // only the input shape tells, so the layer checks it once built (see checkAxis in load).
      if (c.axis !== undefined && c.axis !== -1 && !(Array.isArray(c.axis) && c.axis.length === 1 && c.axis[0] === -1) && typeof c.axis !== "number") {
        throw new Error(`${owner}: axis ${JSON.stringify(c.axis)} is not supported by tsdl (the last axis only)`);
      }
      requireDefaults(owner, c, { beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null, renorm: false });
      for (const [key, want] of [["beta_initializer", "Zeros"], ["gamma_initializer", "Ones"], ["moving_mean_initializer", "Zeros"], ["moving_variance_initializer", "Ones"]]) {
        const init = initializerFromKeras(`${owner} ${key}`, c[key]);
        if (init && init.className !== want) throw new Error(`${owner}: ${key} ${init.className} is not supported by tsdl (only ${want})`);
      }
      return new BatchNormalizationLayer({ ...base, momentum: num(c.momentum), epsilon: num(c.epsilon), center: bool(c.center), scale: bool(c.scale) });
    },
  },
  Activation: {
    keys: ["activation"],
    toKeras(l, owner) {
      return { activation: activationToKeras(owner, (l as ActivationLayer).activation.name) };
    },
    fromKeras(c, base, owner) {
      return new ActivationLayer(activationFromKeras(owner, c.activation), base);
    },
  },
  Flatten: {
    keys: ["data_format"],
    toKeras() {
      return { data_format: "channels_last" };
    },
    fromKeras(c, base, owner) {
      requireDefaults(owner, c, { data_format: "channels_last" });
      return new FlattenLayer(base);
    },
  },
  Reshape: {
    keys: ["target_shape"],
    toKeras(l) {
      return { target_shape: [...(l as ReshapeLayer).targetShape] };
    },
    fromKeras(c, base) {
      return new ReshapeLayer(c.target_shape as number[], base);
    },
  },
  Concatenate: {
    keys: ["axis"],
    toKeras(l) {
      return { axis: (l as ConcatenateLayer).axis };
    },
    fromKeras(c, base) {
      return new ConcatenateLayer({ ...base, axis: num(c.axis) });
    },
  },
  Add: {
    keys: [],
    toKeras() {
      return {};
    },
    fromKeras(_c, base) {
      return new AddLayer(base);
    },
  },
  Conv2D: convCodec((o) => new Conv2DLayer(o as never)),
  Conv1D: convCodec((o) => new Conv1DLayer(o as never)),
  MaxPooling2D: poolingCodec((o) => new MaxPooling2DLayer(o as never)),
  AveragePooling2D: poolingCodec((o) => new AveragePooling2DLayer(o as never)),
  MaxPooling1D: poolingCodec((o) => new MaxPooling1DLayer(o as never)),
  AveragePooling1D: poolingCodec((o) => new AveragePooling1DLayer(o as never)),
  GlobalAveragePooling2D: globalPoolingCodec((o) => new GlobalAveragePooling2DLayer(o as never)),
  GlobalMaxPooling2D: globalPoolingCodec((o) => new GlobalMaxPooling2DLayer(o as never)),
};

/** "Dense 'dense_1'" — how errors name a layer. */
export function layerOwner(className: string, name: unknown): string {
  return typeof name === "string" ? `${className} '${name}'` : className;
}

/** A tsdl layer's Keras config (the `config` of its entry in config.json). */
export function layerToKeras(layer: Layer): Record<string, unknown> {
  const owner = layerOwner(layer.className, layer.name);
  if (layer instanceof InputLayer) {
    return { batch_shape: [...layer.batchInputShape!], dtype: "float32", sparse: false, ragged: false, name: layer.name, optional: false };
  }
  const codec = KERAS_LAYERS[layer.className];
  if (!codec) throw new Error(`${owner}: tsdl cannot write the layer class ${layer.className} into a .keras file (supported: ${Object.keys(KERAS_LAYERS).join(", ")})`);
  return { name: layer.name, trainable: layer.trainable, dtype: dtypePolicy(), ...codec.toKeras(layer, owner) };
}

/** An input shape given on a layer's config by an older Keras (`batch_input_shape`, `input_shape`). */
function inputShapeOption(c: Record<string, unknown>): LayerOptions {
  const batch = (c.batch_shape ?? c.batch_input_shape) as (number | null)[] | undefined | null;
  if (Array.isArray(batch)) return { batchInputShape: batch };
  if (Array.isArray(c.input_shape)) return { inputShape: c.input_shape as (number | null)[] };
  if (typeof c.input_dim === "number") return { inputDim: c.input_dim };
  return {};
}

/** An InputLayer's config: its sample shape, batch size and name. */
export function inputFromKeras(c: Record<string, unknown>): InputLayer {
  const owner = layerOwner("InputLayer", c.name);
  const batch = (c.batch_shape ?? c.batch_input_shape) as (number | null)[] | undefined;
  if (!Array.isArray(batch) || batch.length < 2) throw new Error(`${owner}: no batch_shape in its config`);
  checkDtype(owner, c.dtype);
  requireDefaults(owner, c, { sparse: false, ragged: false, optional: false });
  return new InputLayer({ shape: batch.slice(1) as number[], ...(typeof batch[0] === "number" ? { batchSize: batch[0] } : {}), ...(typeof c.name === "string" ? { name: c.name } : {}) });
}

/** A tsdl layer from a layer entry of Keras's config.json (`{ class_name, config, … }`). */
export function layerFromKeras(entry: { class_name?: unknown; config?: unknown; module?: unknown }): Layer {
  const className = String(entry.class_name);
  const c = (entry.config ?? {}) as Record<string, unknown>;
  if (className === "InputLayer") return inputFromKeras(c);
  const owner = layerOwner(className, c.name);
  const codec = KERAS_LAYERS[className];
  if (!codec) throw new Error(`${owner}: the layer class ${className} is not supported by tsdl (supported: InputLayer, ${Object.keys(KERAS_LAYERS).join(", ")})`);
  checkDtype(owner, c.dtype);
  rejectUnknown(owner, c, [...BASE_KEYS, ...codec.keys]);
  const base: LayerOptions = { ...(typeof c.name === "string" ? { name: c.name } : {}), ...(typeof c.trainable === "boolean" ? { trainable: c.trainable } : {}), ...inputShapeOption(c) };
  return codec.fromKeras(c, base, owner);
}
