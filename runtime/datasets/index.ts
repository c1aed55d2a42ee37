/**
 * Datasets, as Keras's `keras.datasets`: `datasets.mnist.loadData()`, `datasets.fashion_mnist.loadData()`.
 */
import { FASHION_MNIST, MNIST } from "./catalog.js";
import { mnistLike } from "./mnistLike.js";

/** Handwritten digits: 60,000 training and 10,000 test images, 28×28, labels 0–9. */
export const mnist = mnistLike(MNIST);
/** Zalando's clothing images in MNIST's format; labels 0–9 (T-shirt/top … Ankle boot). */
export const fashion_mnist = mnistLike(FASHION_MNIST);
/** camelCase alias of fashion_mnist. */
export const fashionMnist = fashion_mnist;

export type { LoadOptions } from "./loader.js";
export type { DatasetSplits, MnistLikeDataset } from "./mnistLike.js";
