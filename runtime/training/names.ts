/**
 * Resolving Keras names given as strings ("rmsprop", "categorical_crossentropy",
 * "categoricalCrossentropy") in one place, with errors that suggest the closest known name.
 */

/** "categoricalCrossentropy" / "CategoricalCrossentropy" / "categorical-crossentropy" → "categorical_crossentropy". */
export function snakeCase(name: string): string {
  return name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/[-\s]+/g, "_")
    .toLowerCase();
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The known name closest to `name` when it is close enough to be a typo, else null. */
export function closest(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(best.length / 3)) ? best : null;
}

/**
 * Looks `name` up in `table` (keys in snake_case; the name may be snake_case or camelCase).
 * Throws "unknown loss 'categorical_crossentropi'; did you mean 'categorical_crossentropy'? Known: …".
 */
export function lookupName<T>(kind: string, name: string, table: Readonly<Record<string, T>>): T {
  const key = snakeCase(name);
  if (Object.prototype.hasOwnProperty.call(table, key)) return table[key];
  // "RMSprop", "AdamW", "meanSquaredError": compare without case and separators.
  const flat = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, "");
  const known = Object.keys(table);
  const same = known.find((k) => flat(k) === flat(name));
  if (same !== undefined) return table[same];
  const guess = closest(key, known);
  throw new Error(
    `unknown ${kind} '${name}'; ${guess ? `did you mean '${guess}'? ` : ""}Known: ${known.join(", ")}`,
  );
}
