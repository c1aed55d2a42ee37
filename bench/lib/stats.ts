/**
 * What every benchmark shares: reading `--name value` options and taking medians. (A module in
 * bench/lib/, so `npm run bench` does not list it as a benchmark.)
 */

/** The number after `--name` on the command line, or `fallback`. @example option("epochs", 4) */
export function option(name: string, fallback: number): number {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
}

/** The median (the mean of the middle two for an even count; NaN for none). @example median([3, 1, 2]) // 2 */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** The q-quantile by the nearest rank (q = 0.95: the 95th percentile). @example quantile([1, 2, 3, 4], 0.5) // 2 */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
