/**
 * Files that are either whole or absent: the runtime's saved models and its dataset cache.
 *
 * A file is written under a temporary name in its own folder (`<path>.<pid>.<random>.<ext>`),
 * flushed to disk, then renamed over the real name: a rename within one file system is atomic,
 * so a reader sees the old file or the new one, never a part. A process killed mid-write leaves
 * its temporary file behind; the next writer in that folder removes such files once their
 * process is gone (a live process may still be writing its own).
 */
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";

/**
 * A temporary name next to `path` that tells which process wrote it.
 * @example tempPath("/m/model.json", "tmp") // "/m/model.json.4242.9f2c01ab.tmp"
 */
export function tempPath(path: string, ext: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString("hex")}.${ext}`;
}

/**
 * Flushes a folder's entries (a rename in it) to disk, where the platform allows opening a
 * folder (Linux, macOS); elsewhere the rename is still atomic, only not yet durable.
 * @example fsyncDir("/m")
 */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder; the data files themselves were flushed.
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `data` to `path` whole or not at all: a temporary file in the same folder, flushed
 * (fsync, so a power cut after the rename cannot leave an empty file), then renamed.
 * @example writeFileAtomic("/m/model.json", JSON.stringify(config))
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = tempPath(path, "tmp");
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  try {
    const fd = openSync(tmp, "w");
    try {
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Whether process `pid` exists (EPERM: it does, run by another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the temporary files that `tempPath(<prefix…>, ext)` made in `dir` and whose process
 * has ended (a killed save or download), and this process's own (a stopped download's; this
 * process writes one at a time). Returns the names removed.
 * Only names starting with one of `prefixes` are touched: the folder may hold other files.
 * @example removeStaleTemps("/m", "tmp", ["model.json."])
 */
export function removeStaleTemps(dir: string, ext: string, prefixes: readonly string[]): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const pattern = new RegExp(`\\.(\\d+)\\.[0-9a-f]{8}\\.${ext}$`);
  const removed: string[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m || !prefixes.some((p) => name.startsWith(p))) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && alive(pid)) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
