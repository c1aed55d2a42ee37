/**
 * Every op, by name. Each file holds an op's forward and its backward side by side.
 */
export { add, sub, mul, div, pow, maximum, minimum, neg, clip } from "./arithmetic.js";
export { abs, exp, log, sqrt, rsqrt, square, sign } from "./math.js";
export { relu, relu6, sigmoid, tanh, elu, selu, gelu, leakyRelu, softplus } from "./activations.js";
export { softmax, logSoftmax } from "./softmax.js";
export { equal, notEqual, greater, greaterEqual, less, lessEqual } from "./compare.js";
export { where } from "./where.js";
export { matmul, dot } from "./matmul.js";
export { transpose } from "./transpose.js";
export { reshape, expandDims, squeeze } from "./reshape.js";
export { sum, mean, max, min, argmax, argmin, type Axis } from "./reduce.js";
export { concat, stack } from "./concat.js";
export { getIndex, slice, gather, oneHot } from "./indexing.js";
export { cast } from "./cast.js";
export { broadcastTo } from "./unbroadcast.js";
export { dense } from "./dense.js";
export { softmaxCrossEntropy, type SoftmaxCrossEntropyOptions } from "./losses.js";
export { conv2d, conv1d, convOutputSize, type Conv2dOpOptions, type Conv1dOpOptions, type Padding } from "./conv.js";
export { maxPool2d, avgPool2d, maxPool1d, avgPool1d, type Pool2dOpOptions, type Pool1dOpOptions } from "./pool.js";
