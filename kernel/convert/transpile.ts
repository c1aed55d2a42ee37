/**
 * TypeScript → JavaScript with esbuild's transform (a service process, ~0.1 s to load and start,
 * which the converter thread pays as the kernel starts). Until that service has answered once,
 * and if it ever dies, cells are transpiled by TypeScript itself (already loaded to parse them):
 * a little slower on big cells, the same JavaScript in effect, so a first cell sent the moment
 * the kernel is ready does not wait for esbuild.
 *
 * @example const { code, map } = await transpile("let x: number = 1");
 */
import { typescript } from "./typescript.js";
import { log } from "../log.js";

type Esbuild = typeof import("esbuild");
/** esbuild, once its service has answered a first transform. */
let esbuild: Esbuild | null = null;
let loading: Promise<Esbuild> | null = null;

/** Loads esbuild and starts its service (once); cells use it from then on. */
export function loadEsbuild(): Promise<Esbuild> {
  loading ??= import("esbuild").then(async (m) => {
    await m.transform("0", { loader: "ts" });
    esbuild = m;
    return m;
  });
  return loading;
}

export interface Transpiled {
  code: string;
  /** The source map (JSON) from `code` to the TypeScript input. */
  map: string;
}

/** Set once esbuild's service process is gone (see transpile). */
let esbuildGone = false;

/**
 * Transpiles a rewritten cell (a script, not a module) for this Node.
 *
 * esbuild runs as a child process. Something outside the kernel may end it (a SIGINT sent to
 * the kernel's whole process group, as Jupyter's signal-mode interrupt does); from then on the
 * kernel transpiles with TypeScript itself, slower but equivalent, rather than failing cells.
 */
export async function transpile(ts: string, sourcefile = "cell.ts"): Promise<Transpiled> {
  if (esbuild && !esbuildGone) {
    try {
      return await transpileWithEsbuild(esbuild, ts, sourcefile);
    } catch (e) {
      if (!/service (was stopped|is no longer running)|write EPIPE/.test((e as Error).message)) throw e;
      esbuildGone = true;
      log("esbuild's service process ended; transpiling cells with TypeScript from now on");
    }
  }
  return transpileWithTypeScript(ts, sourcefile);
}

async function transpileWithTypeScript(code: string, sourcefile: string): Promise<Transpiled> {
  const ts = typescript();
  const r = ts.transpileModule(code, {
    fileName: sourcefile,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.None,
      sourceMap: true,
      useDefineForClassFields: true,
    },
  });
  const js = r.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
  return { code: js, map: r.sourceMapText! };
}

async function transpileWithEsbuild(e: Esbuild, ts: string, sourcefile: string): Promise<Transpiled> {
  const r = await e.transform(ts, {
    loader: "ts",
    target: "node20",
    sourcemap: "external",
    sourcefile,
    // esbuild renames an inner `class A` that shadows a name used elsewhere in the cell (→ A2);
    // keepNames restores `.name`, which util.inspect and users see.
    keepNames: true,
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: true, experimentalDecorators: false } },
  });
  return { code: r.code, map: r.map };
}
