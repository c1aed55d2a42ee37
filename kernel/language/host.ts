/**
 * The LanguageServiceHost: TypeScript's view of the files. Our own virtual files (globals,
 * session, cell) come from memory; lib files from ts-morph's bundled copy (its compiler ships
 * no lib folder, and the `typescript` package is only a dev dependency); everything else from
 * disk through DiskCache, with one module-resolution cache across requests.
 *
 * @example const { host, forget } = createHost(cwd, options, (f) => files.get(f), [globals, session, cell]);
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ts } from "ts-morph";
import { DiskCache } from "./disk.js";
import { requireCached } from "../code-cache.js";

const LIB_FOLDER = "/__tsdl_lib__";

function libFiles(): Map<string, string> {
  // ts-morph's common package holds the lib files' text; loaded through the code cache, and
  // after TypeScript, which it requires (the same instance: code-cache.ts registers it).
  const commonFile = createRequire(createRequire(import.meta.url).resolve("ts-morph")).resolve("@ts-morph/common");
  const common = requireCached(commonFile, "language") as {
    getLibFiles(): { fileName: string; text: string }[];
  };
  return new Map(common.getLibFiles().map((f) => [`${LIB_FOLDER}/${f.fileName}`, f.text]));
}

/** How cells are checked; `packageRoot` is where tsdl's own @types/node may be. */
export function compilerOptionsFor(cwd: string, packageRoot: string): ts.CompilerOptions {
  const typeRoots = [join(cwd, "node_modules", "@types"), join(packageRoot, "node_modules", "@types")].filter((p) => existsSync(p));
  return {
    target: ts.ScriptTarget.ES2022,
    // Bundler resolution: relative imports need no `.js` suffix, packages' "exports" work.
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2023.d.ts"],
    types: typeRoots.some((r) => existsSync(join(r, "node"))) ? ["node"] : [],
    typeRoots,
    // Strict as `tsc --init`, except implicit any: `function f(x) {}` is fine in a notebook.
    strict: true,
    noImplicitAny: false,
    skipLibCheck: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    // Declaration emit is how a cell's names (with inferred types) join the session; nothing
    // else is ever emitted, which also lets cells import `./helpers.ts` as the kernel allows.
    declaration: true,
    emitDeclarationOnly: true,
    allowImportingTsExtensions: true,
  };
}

export interface VirtualFile {
  text: string;
  version: number;
}

/**
 * A host over `own` (the virtual files, by path) and the disk. `forget()` drops what may have
 * changed on disk (after each cell: it may have run `npm install` or written a module).
 */
export function createHost(
  cwd: string,
  options: ts.CompilerOptions,
  own: (path: string) => VirtualFile | undefined,
  roots: readonly string[],
): { host: ts.LanguageServiceHost; forget(): void } {
  const libs = libFiles();
  const libSnapshots = new Map<string, ts.IScriptSnapshot>();
  const disk = new DiskCache();
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => options,
    getScriptFileNames: () => [...roots],
    getScriptVersion: (f) => {
      const o = own(f);
      return o ? String(o.version) : libs.has(f) ? "lib" : disk.version(f);
    },
    getScriptSnapshot: (f) => {
      const o = own(f);
      if (o) return ts.ScriptSnapshot.fromString(o.text);
      const lib = libs.get(f);
      if (lib === undefined) return disk.snapshot(f);
      let snapshot = libSnapshots.get(f);
      if (!snapshot) libSnapshots.set(f, (snapshot = ts.ScriptSnapshot.fromString(lib)));
      return snapshot;
    },
    getCurrentDirectory: () => cwd,
    getDefaultLibFileName: (o) => `${LIB_FOLDER}/${ts.getDefaultLibFileName(o)}`,
    fileExists: (f) => own(f) !== undefined || libs.has(f) || disk.fileExists(f),
    readFile: (f) => own(f)?.text ?? libs.get(f) ?? disk.readFile(f),
    readDirectory: ts.sys.readDirectory,
    directoryExists: (d) => d === LIB_FOLDER || disk.directoryExists(d),
    getDirectories: ts.sys.getDirectories,
    realpath: ts.sys.realpath,
  };
  // One module-resolution cache (with its package.json cache) for every program, not one per
  // request: without it TypeScript looks up the package.json scope of all ~250 files each time.
  let cache = ts.createModuleResolutionCache(cwd, (f) => f, options);
  Object.assign(host, {
    getModuleResolutionCache: () => cache,
    resolveModuleNameLiterals: (
      literals: readonly ts.StringLiteralLike[], containingFile: string, redirected: ts.ResolvedProjectReference | undefined,
      opts: ts.CompilerOptions, containing: ts.SourceFile,
    ): ts.ResolvedModuleWithFailedLookupLocations[] =>
      literals.map((l) =>
        ts.resolveModuleName(l.text, containingFile, opts, host, cache, redirected, ts.getModeForUsageLocation(containing, l, opts))),
  } satisfies Partial<ts.LanguageServiceHost> & { getModuleResolutionCache(): ts.ModuleResolutionCache });
  return {
    host,
    forget() {
      disk.forget();
      cache = ts.createModuleResolutionCache(cwd, (f) => f, options);
    },
  };
}
