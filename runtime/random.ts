/**
 * Reproducible randomness: streams of (seed, counter).
 *
 * The native kernels draw with counter-based Philox4x32-10, where element i depends only on
 * (seed, offset + i). A draw of `count` numbers from a stream takes the next `count` offsets of
 * its counter, so after `setRandomSeed(n)` the same program draws the same numbers (initializers,
 * shuffling, dropout), on any thread count and on the CPU or the GPU alike.
 */

/** Where one draw starts: Philox's key and the first counter value. */
export interface RandomKey {
  seed: number;
  offset: number;
}

/**
 * A seed and its own counter: successive draws continue one sequence. The global stream is one;
 * a layer with a seed of its own (Dropout) holds another, unaffected by the global one.
 * @example const s = new RandomStream(7); s.next(100); // { seed: 7, offset: 0 }, then offset 100
 * @internal
 */
export class RandomStream {
  readonly seed: number;
  private counter = 0;

  /** `who` names the caller in the error for a bad seed. */
  constructor(seed: number, who = "random") {
    if (!Number.isInteger(seed) || seed < 0) {
      throw new Error(`${who}: the seed must be a non-negative integer; received ${seed}`);
    }
    this.seed = seed % 0x1_0000_0000;
  }

  /** The key of the next draw of `count` numbers; moves the counter past them. */
  next(count: number): RandomKey {
    const offset = this.counter;
    // Keep offsets aligned to Philox's 4-wide blocks so draws never share a block.
    this.counter += Math.ceil(count / 4) * 4;
    return { seed: this.seed, offset };
  }
}

let globalStream = new RandomStream((Math.random() * 0x1_0000_0000) >>> 0);

/**
 * Makes every later random draw reproducible (weight initialization, shuffling, dropout).
 * @example setRandomSeed(42); const w = randomNormal([2, 2]); // the same w on every run
 */
export function setRandomSeed(value: number): void {
  globalStream = new RandomStream(value, "setRandomSeed");
}

/** The seed in use (a random one unless setRandomSeed was called). @example getRandomSeed() */
export function getRandomSeed(): number {
  return globalStream.seed;
}

/**
 * The stream a draw takes: with an explicit seed a fresh stream of it, so every call draws the
 * same numbers (as a Keras initializer with a seed does); otherwise the global stream.
 * @example randomStream(options.seed).next(size)
 * @internal
 */
export function randomStream(explicitSeed?: number, who = "random"): RandomStream {
  return explicitSeed === undefined ? globalStream : new RandomStream(explicitSeed, who);
}

/**
 * A random permutation of 0..n-1 drawn from the global seed (for shuffling batches).
 * @example const order = randomPermutation(60000);
 */
export function randomPermutation(n: number, explicitSeed?: number): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw new Error(`randomPermutation: n must be an integer ≥ 0; received ${n}`);
  const key = randomStream(explicitSeed, "randomPermutation").next(n);
  const next = mulberry32(mix(key.seed, key.offset));
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

// Host-side generator for shuffles only (tensors are drawn by the native Philox kernels).
function mulberry32(a: number): () => number {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix(s: number, offset: number): number {
  let h = Math.imul(s ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((offset / 4) | 0, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
