/**
 * Disk reads for the language service, kept between requests. TypeScript asks its host for
 * every file's text, version and package.json again on each new program — that is, on every
 * completion — and reading ~200 declaration files each time cost more than the completion
 * itself. What is cached here is forgotten after each cell (`forget()`), since a cell may have
 * run `npm install` or written a module; a file's version is its modification time, so only
 * files that really changed are parsed again.
 *
 * @example const disk = new DiskCache(); disk.snapshot("/x/node_modules/@types/node/fs.d.ts");
 */
import { statSync } from "node:fs";
import { ts } from "ts-morph";

export class DiskCache {
  private readonly texts = new Map<string, string | undefined>();
  private readonly exists = new Map<string, boolean>();
  private readonly dirs = new Map<string, boolean>();
  private readonly versions = new Map<string, string>();
  private readonly snapshots = new Map<string, { version: string; snapshot: ts.IScriptSnapshot }>();

  readFile(path: string): string | undefined {
    if (!this.texts.has(path)) this.texts.set(path, ts.sys.readFile(path));
    return this.texts.get(path);
  }

  fileExists(path: string): boolean {
    let e = this.exists.get(path);
    if (e === undefined) this.exists.set(path, (e = ts.sys.fileExists(path)));
    return e;
  }

  directoryExists(path: string): boolean {
    let e = this.dirs.get(path);
    if (e === undefined) this.dirs.set(path, (e = ts.sys.directoryExists(path)));
    return e;
  }

  /** The file's modification time, as TypeScript's script version. */
  version(path: string): string {
    let v = this.versions.get(path);
    if (v === undefined) {
      try {
        v = String(statSync(path).mtimeMs);
      } catch {
        v = "missing";
      }
      this.versions.set(path, v);
    }
    return v;
  }

  snapshot(path: string): ts.IScriptSnapshot | undefined {
    const version = this.version(path);
    const cached = this.snapshots.get(path);
    if (cached?.version === version) return cached.snapshot;
    const text = ts.sys.readFile(path);
    if (text === undefined) return undefined;
    const snapshot = ts.ScriptSnapshot.fromString(text);
    this.snapshots.set(path, { version, snapshot });
    return snapshot;
  }

  /** Forgets what may have changed: existence, texts and versions (snapshots stay, checked by version). */
  forget(): void {
    this.texts.clear();
    this.exists.clear();
    this.dirs.clear();
    this.versions.clear();
  }
}
