/**
 * TypeScript → JavaScript with esbuild's synchronous transform (its service process starts on
 * first use, ~30 ms, which the kernel pays in the background after start-up).
 *
 * @example const { code, map } = await transpile("let x: number = 1");
 */
import { SourceMap } from "node:module";

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

/** Transpiles a rewritten cell (a script, not a module) for this Node. */
export async function transpile(ts: string, sourcefile = "cell.ts"): Promise<Transpiled> {
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
