/**
 * `datasets.cars`: the classic "Auto MPG" table (406 cars of 1970–1982, from the UCI repository)
 * as the npm package vega-datasets ships it, for regression: predict a car's fuel consumption in
 * miles per gallon from its other columns.
 *
 * Keras has no such dataset; its regression dataset, boston_housing, is the model for this one's
 * face: `loadData({ testSplit, seed })` → `[[xTrain, yTrain], [xTest, yTest]]`, features raw (not
 * standardized: that is the user's first step, as in the book), rows shuffled with a fixed seed
 * before the split. `loadRows()` gives the table itself, the way Python's `vega_datasets.data.cars()`
 * does.
 *
 * The file is read from the installed vega-datasets package (a dependency of tsdl): nothing is
 * downloaded. The package's own JavaScript API fetches from a CDN, so it is not used.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fromHost } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import { randomPermutation } from "../random.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";
import type { DatasetSplits } from "./mnistLike.js";

/** One row of cars.json, with the file's own column names; a missing value is null. */
export interface CarRecord {
  /** Make and model, e.g. "chevrolet chevelle malibu". */
  Name: string;
  /** Fuel economy in miles per US gallon (the regression target); null for 8 cars. */
  Miles_per_Gallon: number | null;
  /** Number of cylinders, 3 to 8. */
  Cylinders: number;
  /** Engine displacement in cubic inches. */
  Displacement: number;
  /** Engine power in horsepower; null for 6 cars. */
  Horsepower: number | null;
  /** Weight in pounds. */
  Weight_in_lbs: number;
  /** Seconds from 0 to 60 miles per hour. */
  Acceleration: number;
  /** The model year as a date, e.g. "1970-01-01". */
  Year: string;
  /** Where the car was made. */
  Origin: "USA" | "Europe" | "Japan";
}

/** Options of `datasets.cars.loadData` (each also in snake_case: `test_split`). */
export interface CarsLoadOptions {
  /** Fraction of the (shuffled) rows kept for testing. Default 0.2. */
  testSplit?: number;
  /** Seed of the shuffle before the split; the same seed gives the same split. Default 113 (Keras's boston_housing). */
  seed?: number;
}

const CARS_LOAD_OPTIONS: OptionTable<CarsLoadOptions> = { testSplit: true, seed: true };

const ORIGINS = ["USA", "Europe", "Japan"] as const;

/**
 * The columns of `x`, in order: five measurements, the model year, and the origin one-hot
 * encoded (1 in the column of the car's region).
 */
export const featureNames: readonly string[] = ["Cylinders", "Displacement", "Horsepower", "Weight_in_lbs", "Acceleration", "Year", ...ORIGINS];

/** Where cars.json is: vega-datasets' data/ folder, found from its main module (its exports map hides the data files from `require.resolve`). */
function carsFile(): string {
  let main: string;
  try {
    main = createRequire(import.meta.url).resolve("vega-datasets");
  } catch (e) {
    throw new Error(`datasets.cars: the npm package vega-datasets is not installed (it ships data/cars.json; install it with npm install vega-datasets): ${(e as Error).message}`);
  }
  return join(dirname(main), "..", "data", "cars.json");
}

/**
 * The table: 406 rows with the file's column names, missing values as null (8 cars lack their
 * miles per gallon, 6 their horsepower).
 * @example datasets.cars.loadRows()[0].Name // "chevrolet chevelle malibu"
 */
export function loadRows(): CarRecord[] {
  const file = carsFile();
  let rows: unknown;
  try {
    rows = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`datasets.cars: cannot read ${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(rows) || rows.length === 0 || typeof rows[0] !== "object" || rows[0] === null || !("Miles_per_Gallon" in rows[0])) {
    throw new Error(`datasets.cars: ${file} is not the cars table (expected an array of rows with a Miles_per_Gallon column)`);
  }
  return rows as CarRecord[];
}

/**
 * The rows that have every value, as features `x` (n, 9) and miles per gallon `y` (n,), float32,
 * shuffled with `seed` and split: the first 1 − testSplit of the rows for training, the rest for
 * testing (Keras's boston_housing does the same). 392 complete rows: 313 and 79 by default.
 * @example const [[xTrain, yTrain], [xTest, yTest]] = datasets.cars.loadData(); // xTrain.shape [313, 9]
 */
export function loadData(options?: WithSnakeCase<CarsLoadOptions>): DatasetSplits {
  const o = checkOptions("datasets.cars.loadData", options, CARS_LOAD_OPTIONS);
  const testSplit = o.testSplit ?? 0.2;
  if (typeof testSplit !== "number" || !(testSplit >= 0 && testSplit < 1)) {
    throw new Error(`datasets.cars.loadData: testSplit must be a number in [0, 1); received ${String(testSplit)}`);
  }
  const complete = loadRows().filter((r) => r.Miles_per_Gallon !== null && r.Horsepower !== null);
  const n = complete.length;
  const width = featureNames.length;
  const order = randomPermutation(n, o.seed ?? 113);
  const x = new Float32Array(n * width);
  const y = new Float32Array(n);
  order.forEach((row, i) => {
    const r = complete[row];
    const origin = ORIGINS.indexOf(r.Origin);
    if (origin < 0) throw new Error(`datasets.cars: row ${row} ('${r.Name}') has origin '${r.Origin}'; expected one of ${ORIGINS.join(", ")}`);
    const features = [r.Cylinders, r.Displacement, r.Horsepower!, r.Weight_in_lbs, r.Acceleration, Number(r.Year.slice(0, 4)), ...ORIGINS.map((_, k) => Number(k === origin))];
    x.set(features, i * width);
    y[i] = r.Miles_per_Gallon!;
  });
  const nTrain = Math.floor(n * (1 - testSplit));
  const part = (start: number, end: number): [Tensor, Tensor] => [
    fromHost(x.slice(start * width, end * width), [end - start, width], "float32"),
    fromHost(y.slice(start, end), [end - start], "float32"),
  ];
  return [part(0, nTrain), part(nTrain, n)];
}

/** Keras's spelling of loadData. */
export const load_data = loadData;
