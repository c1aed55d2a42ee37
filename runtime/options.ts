/**
 * Options objects checked as Keras checks keyword arguments: an unknown key is an error that
 * names the function, the key and the nearest known option —
 * `Dense: unknown option "activaton" (did you mean "activation"?)` — instead of being ignored.
 *
 * Every options interface has an option table next to it, `{ key: true, … }` with every key of
 * the interface: the type `OptionTable<T>` makes a key missing from the table, or one the
 * interface lacks, a compile error, so the two cannot drift apart. A layer's table spreads
 * `LAYER_OPTIONS`, so the options every layer shares are listed once.
 *
 * Keras users write snake_case keys: every camelCase key is also accepted in its snake_case
 * spelling (`batch_size` for `batchSize`); a table value that is a key's name marks a spelling
 * that is not the mechanical one (`beta_1` for `beta1`). `checkOptions` returns the options
 * under their camelCase keys, so the code after it reads one spelling. The parameter types
 * (`WithSnakeCase<FitOptions>`) let snake_case keys through the type checker and keep them out of
 * completion, which shows the documented camelCase names.
 */
import { closest, snakeCase } from "./training/names.js";

/**
 * An options interface whose options may also be spelt in Keras's snake_case: `{ batchSize: 128 }`
 * and `{ batch_size: 128 }` are the same fit options. Completion and Shift-Tab show the documented
 * camelCase names; a snake_case key is checked when the function runs (an unknown one is an error
 * naming the nearest option), not by the type checker.
 * @example const o: WithSnakeCase<FitOptions> = { batch_size: 128, epochs: 5 };
 */
export type WithSnakeCase<T> = T | (T & { readonly [snakeCaseKey: `${string}_${string}`]: unknown });

/**
 * Every key of an options interface: `true` for an option, or the option's name for another
 * spelling of it that the interface declares (Keras's `beta_1` of `beta1`).
 */
export type OptionTable<T> = { readonly [K in keyof Required<T>]: true | Exclude<keyof T, K> };

/** A table made ready for look-ups: each accepted spelling → its option; the names to suggest. */
interface Spellings {
  option: Map<string, string>;
  /** camelCase names first, so a suggestion equally near both spellings shows the camelCase one. */
  suggestions: string[];
  known: string[];
}

const compiled = new WeakMap<object, Spellings>();

function spellingsOf(table: Readonly<Record<string, unknown>>): Spellings {
  let s = compiled.get(table);
  if (s) return s;
  const option = new Map<string, string>();
  const known: string[] = [];
  const twins: string[] = [];
  for (const [key, value] of Object.entries(table)) {
    const name = value === true ? key : String(value);
    option.set(key, name);
    if (value !== true) {
      twins.push(key);
      continue;
    }
    known.push(key);
    const snake = snakeCase(key);
    if (snake !== key && !(snake in table)) {
      option.set(snake, key);
      twins.push(snake);
    }
  }
  s = { option, suggestions: [...known, ...twins], known };
  compiled.set(table, s);
  return s;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array (${JSON.stringify(value).slice(0, 40)})`;
  if (typeof value === "function") return "a function";
  if (typeof value === "string") return JSON.stringify(value);
  return `${String(value)} (a ${typeof value})`;
}

/**
 * Checks an options object against its table and returns it with camelCase keys. `undefined`
 * means no options. Throws, naming `fn`, for a value that is not an object, for an unknown key
 * (with the nearest known spelling, or the list of options when none is near), and for one
 * option given in both spellings with different values.
 * @example const o = checkOptions("fit", { batch_size: 64 }, FIT_OPTIONS); o.batchSize // 64
 */
export function checkOptions<T>(fn: string, options: NoInfer<T> | NoInfer<WithSnakeCase<T>> | undefined, table: OptionTable<T>): T {
  if (options === undefined) return {} as T;
  const s = spellingsOf(table);
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new Error(`${fn}: options must be an object, received ${describe(options)}; known options: ${s.known.join(", ")}`);
  }
  const out: Record<string, unknown> = {};
  const given: Record<string, string> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    const name = s.option.get(key);
    if (name === undefined) {
      unknown.push(key);
      continue;
    }
    if (value === undefined) continue;
    if (Object.hasOwn(out, name) && out[name] !== value) {
      throw new Error(`${fn}: "${given[name]}" and "${key}" are two spellings of one option and have different values; give one`);
    }
    out[name] = value;
    given[name] = key;
  }
  if (unknown.length > 0) throw new Error(unknownMessage(fn, unknown, s));
  return out as T;
}

function unknownMessage(fn: string, keys: string[], s: Spellings): string {
  let allNear = true;
  const parts = keys.map((key) => {
    const near = closest(key, s.suggestions);
    if (near === null) allNear = false;
    return near === null ? `"${key}"` : `"${key}" (did you mean "${near}"?)`;
  });
  const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
  return `${fn}: unknown option${keys.length > 1 ? "s" : ""} ${list}${allNear ? "" : `; known options: ${s.known.join(", ")}`}`;
}
