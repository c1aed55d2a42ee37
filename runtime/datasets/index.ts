/**
 * Datasets, as Keras's `keras.datasets`: `datasets.mnist.loadData()`, `datasets.fashion_mnist.loadData()`,
 * and a regression table, `datasets.cars.loadData()` (miles per gallon from vega-datasets' cars).
 */
import { FASHION_MNIST, MNIST } from "./catalog.js";
import { mnistLike } from "./mnistLike.js";

/** Handwritten digits: 60,000 training and 10,000 test images, 28×28, labels 0–9. */
export const mnist = mnistLike(MNIST);
/** Zalando's clothing images in MNIST's format; labels 0–9 (T-shirt/top … Ankle boot). */
export const fashion_mnist = mnistLike(FASHION_MNIST);
/** camelCase alias of fashion_mnist. */
export const fashionMnist = fashion_mnist;
/** The Auto MPG table (vega-datasets' cars.json): features and miles per gallon, for regression. */
export * as cars from "./cars.js";

export type { LoadOptions } from "./loader.js";
export type { DatasetSplits, MnistLikeDataset } from "./mnistLike.js";
export type { CarRecord, CarsLoadOptions } from "./cars.js";
