/**
 * The Keras face of an MNIST-style dataset: `loadData()` → `[[xTrain, yTrain], [xTest, yTest]]`.
 */
import { tensor } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import type { DatasetInfo } from "./catalog.js";
import type { IdxArray } from "./idx.js";
import { loadArrays, type LoadOptions } from "./loader.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";

/** Every key of LoadOptions (loader.ts). */
const LOAD_OPTIONS: OptionTable<LoadOptions> = { cacheDir: true, baseUrl: true, useInstalledCopies: true };

export type DatasetSplits = [[Tensor, Tensor], [Tensor, Tensor]];

export interface MnistLikeDataset {
  /**
   * Loads the dataset as uint8 tensors: images (n, 28, 28) with pixels 0–255, labels (n,).
   * Synchronous, as Keras's `load_data()`; downloads into the cache only when no copy is found.
   * @example const [[xTrain, yTrain], [xTest, yTest]] = mnist.loadData();
   */
  loadData(options?: WithSnakeCase<LoadOptions>): DatasetSplits;
  /** Keras's spelling of loadData. */
  load_data(options?: WithSnakeCase<LoadOptions>): DatasetSplits;
  /** The catalog entry: files, shapes, checksums, download location. */
  readonly info: DatasetInfo;
}

function toTensor(a: IdxArray): Tensor {
  return tensor(a.data, { shape: a.shape, dtype: "uint8" });
}

export function mnistLike(info: DatasetInfo): MnistLikeDataset {
  const loadData = (options?: WithSnakeCase<LoadOptions>): DatasetSplits => {
    const a = loadArrays(info, checkOptions(`datasets.${info.id.replace(/-/g, "_")}.loadData`, options, LOAD_OPTIONS));
    return [
      [toTensor(a.xTrain), toTensor(a.yTrain)],
      [toTensor(a.xTest), toTensor(a.yTest)],
    ];
  };
  return { loadData, load_data: loadData, info };
}
