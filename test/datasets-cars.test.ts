// datasets.cars: the Auto MPG table read from the installed vega-datasets package, in Keras's
// boston_housing shape ([[xTrain, yTrain], [xTest, yTest]]), for the regression notebook.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { datasets } from "../runtime/index.js";

// The file the package ships, read here independently of the loader.
const file = join(dirname(createRequire(import.meta.url).resolve("vega-datasets")), "..", "data", "cars.json");
const raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, number | string | null>[];

describe("datasets.cars", () => {
  it("loadRows returns the 406 rows of vega-datasets' cars.json with their missing values as null", () => {
    const rows = datasets.cars.loadRows();
    expect(rows).toHaveLength(406);
    expect(rows[0]).toEqual({
      Name: "chevrolet chevelle malibu", Miles_per_Gallon: 18, Cylinders: 8, Displacement: 307, Horsepower: 130,
      Weight_in_lbs: 3504, Acceleration: 12, Year: "1970-01-01", Origin: "USA",
    });
    expect(rows.filter((r) => r.Miles_per_Gallon === null)).toHaveLength(8);
    expect(rows.filter((r) => r.Horsepower === null)).toHaveLength(6);
  });

  it("loadData splits the 392 complete rows 80/20 into float32 features (9 columns) and miles per gallon", () => {
    const [[xTrain, yTrain], [xTest, yTest]] = datasets.cars.loadData();
    expect([xTrain.shape, yTrain.shape, xTest.shape, yTest.shape]).toEqual([[313, 9], [313], [79, 9], [79]]);
    expect(xTrain.dtype).toBe("float32");
    expect(datasets.cars.featureNames).toEqual(["Cylinders", "Displacement", "Horsepower", "Weight_in_lbs", "Acceleration", "Year", "USA", "Europe", "Japan"]);
    // Every row of x and y is a complete row of the file: find it by its values.
    const complete = raw.filter((r) => r.Miles_per_Gallon !== null && r.Horsepower !== null);
    const key = (r: Record<string, number | string | null>) =>
      [r.Cylinders, r.Displacement, r.Horsepower, r.Weight_in_lbs, r.Acceleration, Number(String(r.Year).slice(0, 4)),
        Number(r.Origin === "USA"), Number(r.Origin === "Europe"), Number(r.Origin === "Japan"), r.Miles_per_Gallon].map((v) => Math.fround(Number(v))).join(",");
    const expected = complete.map(key).sort();
    const x = [...(xTrain.toArray() as number[][]), ...(xTest.toArray() as number[][])];
    const y = [...(yTrain.toArray() as number[]), ...(yTest.toArray() as number[])];
    const got = x.map((row, i) => [...row, y[i]].join(",")).sort();
    expect(got).toEqual(expected);
    // One origin per car.
    for (const row of x) expect(row[6] + row[7] + row[8]).toBe(1);
  });

  it("the same seed gives the same split, another seed another one; testSplit sets the test share", () => {
    const a = datasets.cars.loadData();
    const b = datasets.cars.loadData({ seed: 113 });
    const c = datasets.cars.loadData({ seed: 7 });
    expect(a[0][1].toArray()).toEqual(b[0][1].toArray());
    expect(a[0][1].toArray()).not.toEqual(c[0][1].toArray());
    const [[xTrain], [xTest]] = datasets.cars.loadData({ test_split: 0.5 });
    expect([xTrain.shape[0], xTest.shape[0]]).toEqual([196, 196]);
  });

  it("bad options name what was wrong", () => {
    expect(() => datasets.cars.loadData({ testsplit: 0.1 } as never)).toThrow('datasets.cars.loadData: unknown option "testsplit" (did you mean "testSplit"?)');
    expect(() => datasets.cars.loadData({ testSplit: 1 })).toThrow("datasets.cars.loadData: testSplit must be a number in [0, 1); received 1");
  });
});
