/**
 * TypeScript → JavaScript with esbuild's synchronous transform (its service process starts on
 * first use, ~30 ms, which the kernel pays in the background after start-up).
 *
 * @example const { code, map } = await transpile("let x: number = 1");
 */
import { SourceMap } from "node:module";
import { loadTypeScript } from "./typescript.js";
import { log } from "../log.js";

type Esbuild = typeof import("esbuild");
let esbuild: Esbuild | null = null;
let loading: Promise<Esbuild> | null = null;

export function loadEsbuild(): Promise<Esbuild> {
  loading ??= import("esbuild").then((m) => {
    esbuild = m;
    m.transformSync("0", { loader: "ts" }); // start the service now, not on the first cell
    return m;
  });
  return loading;
}

export interface Transpiled {
  code: string;
  /** Maps a 0-based line/column in `code` to a 0-based line/column in the TypeScript input. */
  map: SourceMap;
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
  if (!esbuildGone) {
    try {
      return await transpileWithEsbuild(ts, sourcefile);
    } catch (e) {
      if (!/service (was stopped|is no longer running)|write EPIPE/.test((e as Error).message)) throw e;
      esbuildGone = true;
      log("esbuild's service process ended; transpiling cells with TypeScript from now on");
    }
  }
  return transpileWithTypeScript(ts, sourcefile);
}

async function transpileWithTypeScript(code: string, sourcefile: string): Promise<Transpiled> {
  const ts = await loadTypeScript();
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
  return { code: js, map: new SourceMap(JSON.parse(r.sourceMapText!)) };
}

async function transpileWithEsbuild(ts: string, sourcefile: string): Promise<Transpiled> {
  const e = esbuild ?? (await loadEsbuild());
  const r = e.transformSync(ts, {
    loader: "ts",
    target: "node20",
    sourcemap: "external",
    sourcefile,
    // esbuild renames an inner `class A` that shadows a name used elsewhere in the cell (→ A2);
    // keepNames restores `.name`, which util.inspect and users see.
    keepNames: true,
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: true, experimentalDecorators: false } },
  });
  return { code: r.code, map: new SourceMap(JSON.parse(r.map)) };
}
