/**
 * Which public names of the runtime and of the kernel's globals lack the documentation that
 * Shift-Tab shows: exported functions and classes need JSDoc with an `@example`; public methods,
 * properties and option fields (properties of exported interfaces) need a sentence (an override
 * inherits its base's, as Shift-Tab shows it). A member is reported once, where it is declared. Run by the test suite and
 * by `node dist/kernel/language/doc-coverage.js` (prints one gap a line).
 *
 * @example undocumented().filter((g) => g.startsWith("runtime")) // ["runtime: layers.Dense.call — no @example", …]
 */
import { ts } from "ts-morph";
import { locateModules } from "./globals.js";

interface Gap {
  name: string;
  what: string;
}

function hasExample(symbol: ts.Symbol, checker: ts.TypeChecker): boolean {
  return symbol.getJsDocTags(checker).some((t) => t.name === "example");
}

function hasDoc(symbol: ts.Symbol, checker: ts.TypeChecker): boolean {
  return ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() !== "";
}

/** Gaps in the documentation of every export of `entry` (a module path), recursively into namespaces. */
export function documentationGaps(entry: string, label: string): Gap[] {
  const program = ts.createProgram([entry], {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true, noEmit: true, types: [],
  });
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(entry);
  const moduleSymbol = sf && checker.getSymbolAtLocation(sf);
  if (!moduleSymbol) return [{ name: label, what: `cannot read ${entry}` }];
  const gaps: Gap[] = [];
  const seen = new Set<ts.Symbol>();
  const visit = (exported: ts.Symbol, path: string): void => {
    const s = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (seen.has(s)) return;
    seen.add(s);
    const F = ts.SymbolFlags;
    const decl = s.declarations?.[0];
    if (s.flags & F.Module && decl && (ts.isSourceFile(decl) || ts.isModuleDeclaration(decl))) {
      for (const e of checker.getExportsOfModule(s)) visit(e, `${path}.${e.name}`);
      return;
    }
    if (s.flags & (F.Function | F.Class)) {
      if (!hasExample(s, checker)) gaps.push({ name: path, what: hasDoc(s, checker) ? "no @example" : "no JSDoc" });
    } else if (s.flags & F.Variable && !hasDoc(s, checker)) {
      gaps.push({ name: path, what: "no JSDoc" });
    }
    if (s.flags & F.Class && decl) {
      const type = checker.getDeclaredTypeOfSymbol(s);
      for (const m of type.getProperties()) {
        const md = m.valueDeclaration;
        if (!md || m.name.startsWith("_") || m.name.startsWith("#") || m.name.startsWith("__@")) continue;
        // Inherited members are reported once, on the class that declares them.
        if (!s.declarations?.includes(md.parent as ts.Declaration)) continue;
        const mods = ts.canHaveModifiers(md) ? ts.getModifiers(md) ?? [] : [];
        if (mods.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword || x.kind === ts.SyntaxKind.ProtectedKeyword)) continue;
        if (ts.getJSDocTags(md).some((t) => t.tagName.text === "internal")) continue;
        if (!hasDoc(m, checker)) gaps.push({ name: `${path}.${m.name}`, what: "no JSDoc" });
      }
    }
    if (s.flags & F.Interface) {
      for (const m of checker.getDeclaredTypeOfSymbol(s).getProperties()) {
        if (!m.name.startsWith("__@") && !hasDoc(m, checker)) gaps.push({ name: `${path}.${m.name}`, what: "no JSDoc (option)" });
      }
    }
  };
  for (const e of checker.getExportsOfModule(moduleSymbol)) visit(e, e.name);
  return gaps.map((g) => ({ ...g, name: `${label}: ${g.name}` }));
}

/** Every gap, as "where: name — what is missing". */
export function undocumented(): string[] {
  const m = locateModules();
  const source = (spec: string) => spec.replace(/\.js$/, ts.sys.fileExists(spec.replace(/\.js$/, ".d.ts")) ? ".d.ts" : ".ts");
  return [...documentationGaps(source(m.runtime), "runtime"), ...documentationGaps(source(m.displayApi), "kernel globals")]
    .map((g) => `${g.name} — ${g.what}`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, "/"))) {
  const gaps = undocumented();
  console.log(gaps.join("\n") || "every public name is documented");
}
