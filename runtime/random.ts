/**
 * Reproducible randomness: one global seed and a counter.
 *
 * The native kernels draw with counter-based Philox4x32-10, where element i depends only on
 * (seed, offset + i). Every draw here takes the next `count` offsets of the counter, so after
 * `setRandomSeed(n)` the same program draws the same numbers (initializers, shuffling, dropout),
 * on any thread count and on the CPU or the GPU alike.
 */

let seed = (Math.random() * 0x1_0000_0000) >>> 0;
let counter = 0;

/**
 * Makes every later random draw reproducible (weight initialization, shuffling, dropout).
 * @example setRandomSeed(42); const w = randomNormal([2, 2]); // the same w on every run
 */
export function setRandomSeed(value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`setRandomSeed: the seed must be a non-negative integer; received ${value}`);
  }
  seed = value % 0x1_0000_0000;
  counter = 0;
}

/** The seed in use (a random one unless setRandomSeed was called). @example getRandomSeed() */
export function getRandomSeed(): number {
  return seed;
}

/**
 * The (seed, offset) for the next draw of `count` numbers; an explicit seed gives the same
 * numbers on every call (as a Keras initializer with a seed does), starting at `explicitOffset`
 * of that seed's sequence (a seeded stream of draws, as Dropout's masks).
 * @internal
 */
export function nextRandomKey(count: number, explicitSeed?: number, explicitOffset = 0): { seed: number; offset: number } {
  if (explicitSeed !== undefined) {
    if (!Number.isInteger(explicitSeed) || explicitSeed < 0) {
      throw new Error(`random: seed must be a non-negative integer; received ${explicitSeed}`);
    }
    return { seed: explicitSeed % 0x1_0000_0000, offset: explicitOffset };
  }
  const offset = counter;
  // Keep offsets aligned to Philox's 4-wide blocks so draws never share a block.
  counter += Math.ceil(count / 4) * 4;
  return { seed, offset };
}

/**
 * A random permutation of 0..n-1 drawn from the global seed (for shuffling batches).
 * @example const order = randomPermutation(60000);
 */
export function randomPermutation(n: number, explicitSeed?: number): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw new Error(`randomPermutation: n must be an integer ≥ 0; received ${n}`);
  const key = nextRandomKey(n, explicitSeed);
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
