/**
 * The seam between the runtime and its native backends: a table of kernels keyed by name.
 *
 * Every backend (native/cpu, native/cuda) implements exactly this interface; the runtime's ops
 * call only these methods, so a new backend is a new folder under native/ and no change to the
 * runtime. Buffers are flat, contiguous and typed; shapes travel as plain arrays next to them.
 *
 * Conventions shared by every kernel:
 * - sizes and offsets count elements, not bytes;
 * - an `out` buffer is allocated by the caller with the right dtype and size; kernels never
 *   allocate in their hot loops;
 * - every kernel validates its arguments (dtypes, sizes, shapes, ranges) and throws a JS
 *   `Error` whose message names the kernel and what was wrong; nothing passed from JS may
 *   crash the process;
 * - kernels are asynchronous on devices (CUDA: queued on the backend's one stream) and
 *   synchronous on the CPU; `download` and `synchronize` are the only points that wait.
 */

export type DType = "float32" | "int32" | "uint8" | "bool";

/** Host data of a dtype (bool is stored as one byte, 0 or 1). */
export type HostArray = Float32Array | Int32Array | Uint8Array;

/**
 * Memory owned by a backend. The JS object is a native handle: its finalizer frees the memory
 * and reports the size to V8 with napi_adjust_external_memory, so the garbage collector sees
 * the real footprint. `release()` frees it at once (used by fit/evaluate/predict for their
 * intermediates); using a released buffer throws.
 */
export interface NativeBuffer {
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
  /** "cpu" or "cuda:0". */
  readonly device: string;
  /** True once released. */
  readonly released: boolean;
}

export type UnaryOp =
  | "neg" | "abs" | "exp" | "log" | "sqrt" | "rsqrt" | "square" | "sign"
  | "relu" | "sigmoid" | "tanh" | "elu" | "selu" | "gelu" | "leaky_relu" | "softplus"
  | "relu6";

/** Binary ops broadcast as NumPy does. Comparisons write 0/1 into a "bool" (or float32) out. */
export type BinaryOp =
  | "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum"
  | "equal" | "not_equal" | "less" | "less_equal" | "greater" | "greater_equal";

export type ReduceOp = "sum" | "mean" | "max" | "min";
export type ArgReduceOp = "argmax" | "argmin";

/** Activation fused into a matmul epilogue (after the bias). */
export type EpilogueActivation = "linear" | "relu" | "sigmoid" | "tanh";

/**
 * Arithmetic of the CUDA matrix multiplies: exact float32, or tensor-core TF32 / BF16 (the CPU
 * always computes in float32). Not `Precision`, which is the metric (`metrics.Precision`).
 */
export type MatmulPrecision = "fp32" | "tf32" | "bf16";

export interface MatmulOptions {
  /** Rows of op(A) and of C. */
  m: number;
  /** Columns of op(B) and of C. */
  n: number;
  /** Columns of op(A) = rows of op(B). */
  k: number;
  /** A is stored k×m (row-major) and used transposed. Default false. */
  transA?: boolean;
  /** B is stored n×k (row-major) and used transposed. Default false. */
  transB?: boolean;
  /** Number of matrices in a batched matmul; strides default to one full matrix. Default 1. */
  batch?: number;
  /** Element strides between consecutive matrices; 0 broadcasts one matrix over the batch. */
  strideA?: number;
  strideB?: number;
  strideC?: number;
  /** C = alpha·op(A)·op(B) + beta·C. Defaults 1 and 0 (with beta 0, C is never read). */
  alpha?: number;
  beta?: number;
  /** Optional epilogue: a length-n bias added to every row, then an activation. */
  bias?: NativeBuffer | null;
  activation?: EpilogueActivation;
}

/**
 * The geometry of a 2-D convolution, channels-last: x [batch, inHeight, inWidth, inChannels],
 * kernel [kernelHeight, kernelWidth, inChannels, outChannels] (Keras's layout), out [batch,
 * outHeight, outWidth, outChannels]. Output (oy, ox) reads input rows oy·strideHeight − padTop +
 * i·dilationHeight (likewise columns); taps outside the input read zeros. The caller picks the
 * output size and padding (Keras's "valid"/"same" arithmetic is in runtime/ops/conv.ts).
 */
export interface Conv2dGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/** The forward convolution's options: the geometry and an optional fused epilogue. */
export interface Conv2dOptions extends Conv2dGeometry {
  /** A length-outChannels bias added to every output, then `activation` (as matmul's epilogue). */
  bias?: NativeBuffer | null;
  activation?: EpilogueActivation;
}

/** Max or average pooling. */
export type PoolOp = "max" | "avg";

/**
 * The geometry of 2-D pooling, channels-last: x [batch, inHeight, inWidth, channels] → out
 * [batch, outHeight, outWidth, channels]; window (oy, ox) starts at row oy·strideHeight − padTop
 * and column ox·strideWidth − padLeft. Cells outside the input are not part of a window (avg
 * divides by the cells inside, as Keras's "same" average pooling).
 */
export interface Pool2dGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  poolHeight: number;
  poolWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

/** Labels for softmax cross-entropy: class indices (int32, one per row) or one-hot rows (float32). */
export type LabelKind = "sparse" | "onehot";

export interface Backend {
  /** "cpu" or "cuda". */
  readonly name: "cpu" | "cuda";
  /** What a person reads: "cpu: AVX-512 6x32 GEMM, 2 threads" or "cuda: NVIDIA H100 (sm_90)". */
  readonly description: string;

  // ---- memory -------------------------------------------------------------------------------
  /** Uninitialized memory of `size` elements. */
  alloc(dtype: DType, size: number): NativeBuffer;
  /** Frees at once; idempotent. */
  release(buf: NativeBuffer): void;
  /** Host → buffer: copies `src` into buf starting at element `offset` (default 0). */
  upload(buf: NativeBuffer, src: HostArray, offset?: number): void;
  /** Buffer → host: copies `dst.length` elements from element `offset` (default 0); waits. */
  download(buf: NativeBuffer, dst: HostArray, offset?: number): void;
  /** Copies `count` elements between buffers of one dtype on this backend. */
  copy(src: NativeBuffer, srcOffset: number, dst: NativeBuffer, dstOffset: number, count: number): void;
  /** Sets every element (or `count` from `offset`) to `value`. */
  fill(buf: NativeBuffer, value: number, offset?: number, count?: number): void;
  /** Converts dtype elementwise (float → int truncates toward zero; bool is x != 0). */
  cast(src: NativeBuffer, dst: NativeBuffer): void;
  /** Waits for queued work (no-op on the CPU). */
  synchronize(): void;

  // ---- random (counter-based Philox4x32-10) ---------------------------------------------------
  // Element i of the result depends only on (seed, offset + i), never on the thread count or
  // the backend, so a seed gives the same numbers on the CPU and on the GPU.
  randomUniform(out: NativeBuffer, seed: number, offset: number, low: number, high: number): void;
  randomNormal(out: NativeBuffer, seed: number, offset: number, mean: number, std: number): void;
  /** Normal truncated at two standard deviations (re-drawn, as Keras's TruncatedNormal). */
  randomTruncatedNormal(out: NativeBuffer, seed: number, offset: number, mean: number, std: number): void;

  // ---- element-wise ---------------------------------------------------------------------------
  /** out = op(x); float32; `alpha` is the slope of leaky_relu / the alpha of elu. */
  unary(op: UnaryOp, x: NativeBuffer, out: NativeBuffer, alpha?: number): void;
  /**
   * dx = dy · op'(…). `saved` is the forward *output* for relu, sigmoid, tanh, elu, selu, relu6
   * (cheaper and what the runtime keeps) and the forward *input* for every other op.
   */
  unaryGrad(op: UnaryOp, saved: NativeBuffer, dy: NativeBuffer, dx: NativeBuffer, alpha?: number): void;
  /** out = a op b with NumPy broadcasting of aShape and bShape to outShape. */
  binary(op: BinaryOp, a: NativeBuffer, aShape: number[], b: NativeBuffer, bShape: number[], out: NativeBuffer, outShape: number[]): void;
  /** out = a op s (or s op a when `scalarFirst`). */
  binaryScalar(op: BinaryOp, a: NativeBuffer, s: number, out: NativeBuffer, scalarFirst?: boolean): void;
  /** out = cond ? a : b, all of one shape (cond is bool). */
  where(cond: NativeBuffer, a: NativeBuffer, b: NativeBuffer, out: NativeBuffer): void;

  // ---- linear algebra -------------------------------------------------------------------------
  /** C = alpha·op(A)·op(B) + beta·C, row-major, float32, optional bias+activation epilogue. */
  matmul(a: NativeBuffer, b: NativeBuffer, c: NativeBuffer, opts: MatmulOptions): void;
  /** out = x permuted by `perm` (shape is x's shape). */
  transpose(x: NativeBuffer, shape: number[], perm: number[], out: NativeBuffer): void;

  // ---- convolution and pooling ----------------------------------------------------------------
  /** out = activation(conv2d(x, kernel) + bias), all float32, channels-last. */
  conv2d(x: NativeBuffer, kernel: NativeBuffer, out: NativeBuffer, opts: Conv2dOptions): void;
  /** dx = the gradient of conv2d with respect to x, given dy (overwritten, not accumulated). */
  conv2dInputGrad(dy: NativeBuffer, kernel: NativeBuffer, dx: NativeBuffer, opts: Conv2dGeometry): void;
  /** dkernel = the gradient with respect to the kernel, summed over the batch (overwritten). */
  conv2dKernelGrad(x: NativeBuffer, dy: NativeBuffer, dkernel: NativeBuffer, opts: Conv2dGeometry): void;
  /**
   * out = the max or mean of each window. For max, `argmax` (int32, one per output, or null)
   * receives the window cell i·poolWidth + j that won (the first on ties) for the backward.
   */
  pool2d(op: PoolOp, x: NativeBuffer, out: NativeBuffer, argmax: NativeBuffer | null, opts: Pool2dGeometry): void;
  /** dx = the gradient of pool2d (overwritten); max needs the forward's argmax, avg takes null. */
  pool2dGrad(op: PoolOp, dy: NativeBuffer, argmax: NativeBuffer | null, dx: NativeBuffer, opts: Pool2dGeometry): void;

  // ---- reductions -----------------------------------------------------------------------------
  /** Reduces x (of `shape`) over `axes` (sorted, unique); out has the kept dims' size. */
  reduce(op: ReduceOp, x: NativeBuffer, shape: number[], axes: number[], out: NativeBuffer): void;
  /** int32 index of the max/min along one axis. */
  argReduce(op: ArgReduceOp, x: NativeBuffer, shape: number[], axis: number, out: NativeBuffer): void;

  // ---- softmax and losses ---------------------------------------------------------------------
  /** Softmax (or log-softmax) along the last axis of a rows×cols matrix. */
  softmax(x: NativeBuffer, out: NativeBuffer, rows: number, cols: number, log: boolean): void;
  /**
   * Fused softmax cross-entropy on logits: loss[r] = −log softmax(x)[r, label], and when `grad`
   * is given, grad = (softmax(x) − onehot) · gradScale (gradScale = 1/rows for a mean loss).
   * One pass over the logits; numerically stable (max subtracted).
   */
  softmaxCrossEntropy(logits: NativeBuffer, labels: NativeBuffer, kind: LabelKind, rows: number, cols: number, loss: NativeBuffer, grad: NativeBuffer | null, gradScale: number): void;

  // ---- indexing -------------------------------------------------------------------------------
  /** out[i, :] = x[indices[i], :] for rows of `rowSize` elements (any dtype; indices int32). */
  gather(x: NativeBuffer, rowSize: number, indices: NativeBuffer, out: NativeBuffer): void;
  /** out (n×depth, float32) = one-hot of int32 indices; an index outside [0, depth) throws. */
  oneHot(indices: NativeBuffer, depth: number, out: NativeBuffer): void;

  // ---- optimizers: fused, in place, over many tensors in one call -----------------------------
  /** SGD: vel = momentum·vel − lr·g; w += vel (Nesterov: w += momentum·vel − lr·g). */
  sgdUpdate(params: NativeBuffer[], grads: NativeBuffer[], velocities: NativeBuffer[] | null, lr: number, momentum: number, nesterov: boolean): void;
  /** RMSprop (Keras): v = rho·v + (1−rho)·g²; w −= lr·g / sqrt(v + eps) (eps inside the root). */
  rmspropUpdate(params: NativeBuffer[], grads: NativeBuffer[], v: NativeBuffer[], lr: number, rho: number, eps: number): void;
  /** Adam/AdamW (Keras): bias-corrected lr at `step` (1-based); weightDecay > 0 is decoupled (AdamW). */
  adamUpdate(params: NativeBuffer[], grads: NativeBuffer[], m: NativeBuffer[], v: NativeBuffer[], lr: number, beta1: number, beta2: number, eps: number, step: number, weightDecay: number): void;
  /** Adagrad (Keras): acc += g²; w −= lr·g / sqrt(acc + eps). */
  adagradUpdate(params: NativeBuffer[], grads: NativeBuffer[], acc: NativeBuffer[], lr: number, eps: number): void;
}
