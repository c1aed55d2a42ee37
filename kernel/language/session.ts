/**
 * What earlier cells declared, kept as TypeScript declarations (`declare const x: number;`,
 * `declare function f(a: string): void;`, `import * as fs from "node:fs";`, …) keyed by name.
 *
 * The kernel hoists a cell's top-level names into the session, and a later cell may declare the
 * same name again (re-running a cell). So the language service does not keep old cells as they
 * are — two `const x` would clash — but the declaration emit of each cell, split into one entry
 * per name: a later cell replaces the entries of the names it declares.
 *
 * The entries live in a file of their own as globals (`declare global { const x: number; }`,
 * imports as `export import fs = …`), parsed once per cell rather than on every keystroke; a
 * cell that declares the same name again shadows the global from its own (module) scope. Names
 * that would clash with a global Node or the runtime already has, and type-only imports, go
 * above the cell instead (its "header"), minus the names that cell declares itself.
 *
 * @example
 * const s = new SessionDeclarations(() => false);
 * s.add("declare const x: number;\nexport { x };", ["x"]);
 * s.fileText() // "…declare global {\nconst x: number;\n}…"
 */
import { ts } from "ts-morph";

/** Top-level names a cell declares: what the kernel hoists into the session. */
export function topLevelNames(sf: ts.SourceFile): string[] {
  const names: string[] = [];
  const bindings = (b: ts.BindingName): void => {
    if (ts.isIdentifier(b)) names.push(b.text);
    else for (const e of b.elements) if (!ts.isOmittedExpression(e)) bindings(e.name);
  };
  for (const s of sf.statements) {
    if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) bindings(d.name);
    else if (
      ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s) ||
      ts.isTypeAliasDeclaration(s) || ts.isEnumDeclaration(s)
    ) {
      if (s.name) names.push(s.name.text);
    } else if (ts.isModuleDeclaration(s) && ts.isIdentifier(s.name)) names.push(s.name.text);
    else if (ts.isImportEqualsDeclaration(s)) names.push(s.name.text);
    else if (ts.isImportDeclaration(s) && s.importClause) {
      const c = s.importClause;
      if (c.name) names.push(c.name.text);
      const nb = c.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) names.push(nb.name.text);
      else if (nb) for (const e of nb.elements) names.push(e.name.text);
    }
  }
  return [...new Set(names)];
}

/** One name's declaration, as a declaration file would say it. */
export interface Entry {
  /** `declare const x: number;`, `import * as fs from "node:fs";`, … */
  text: string;
  /** For a value import: the same import under another local name (for a global alias to it). */
  importAs?: (local: string) => string;
  /** What of that local the name is (`.Dealer` for `import { Dealer }`, empty for the whole import). */
  member?: string;
}

/** Splits a declaration file into one entry per declared name (overloads stay together). */
export function declarationsByName(dts: string): Map<string, Entry> {
  const sf = ts.createSourceFile("cell.d.ts", dts, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out = new Map<string, Entry>();
  const put = (name: string, text: string, importAs?: { make: (local: string) => string; member: string }): void => {
    const old = out.get(name);
    out.set(name, old ? { text: `${old.text}\n${text}` } : { text, importAs: importAs?.make, member: importAs?.member });
  };
  const leading = (s: ts.Statement): string => s.getFullText(sf).slice(0, s.getStart(sf) - s.getFullStart()).trim();
  for (const s of sf.statements) {
    if (ts.isVariableStatement(s)) {
      const flags = s.declarationList.flags;
      const keyword = flags & ts.NodeFlags.Const ? "const" : flags & ts.NodeFlags.Let ? "let" : "var";
      const doc = s.declarationList.declarations.length === 1 ? leading(s) : "";
      for (const d of s.declarationList.declarations) {
        if (!ts.isIdentifier(d.name)) continue;
        put(d.name.text, `${doc ? doc + "\n" : ""}declare ${keyword} ${d.getText(sf)};`);
      }
    } else if (ts.isImportDeclaration(s) && s.importClause) {
      const c = s.importClause;
      const from = ` from ${s.moduleSpecifier.getText(sf)}${s.attributes ? " " + s.attributes.getText(sf) : ""};`;
      const type = c.isTypeOnly ? "type " : "";
      // A global alias of an imported type resolves to any: type-only imports stay in the header.
      const value = (make: (local: string) => string, member = "") => (c.isTypeOnly ? undefined : { make, member });
      if (c.name) put(c.name.text, `import ${type}${c.name.text}${from}`, value((l) => `import ${l}${from}`));
      const nb = c.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) {
        put(nb.name.text, `import ${type}* as ${nb.name.text}${from}`, value((l) => `import * as ${l}${from}`));
      } else if (nb) {
        for (const e of nb.elements) {
          const imported = (e.propertyName ?? e.name).getText(sf);
          // Through a namespace: an alias of a named import keeps only its value meaning (a class
          // would lose its instance type), an alias of `ns.Name` keeps them all.
          const make = e.isTypeOnly ? undefined : value((l) => `import * as ${l}${from}`, `.${imported}`);
          put(e.name.text, `import ${type}{ ${e.getText(sf)} }${from}`, make);
        }
      }
    } else if (ts.isImportEqualsDeclaration(s)) {
      put(s.name.text, s.getText(sf));
    } else if (
      ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s) ||
      ts.isTypeAliasDeclaration(s) || ts.isEnumDeclaration(s) || (ts.isModuleDeclaration(s) && ts.isIdentifier(s.name))
    ) {
      const name = s.name && ts.isIdentifier(s.name) ? s.name.text : undefined;
      if (name) put(name, `${leading(s) ? leading(s) + "\n" : ""}${s.getText(sf)}`);
    }
  }
  return out;
}

const IMPORT = /^\s*import\b/;

export class SessionDeclarations {
  private readonly entries = new Map<string, Entry>();
  private cachedHeader: { key: string; text: string } | null = null;
  private cachedFile: string | null = null;

  /** `staysLocal(name)`: true for names that must not become globals (Node's or the runtime's). */
  constructor(private readonly staysLocal: (name: string) => boolean) {}

  /** Records the declarations of `names` found in a cell's declaration emit; later cells win. */
  add(dts: string, names: readonly string[]): void {
    const found = declarationsByName(dts);
    for (const name of names) {
      this.entries.delete(name);
      // A name the emit could not describe (a type it cannot name) still exists at run time.
      this.entries.set(name, found.get(name) ?? { text: `declare let ${name}: any;` });
    }
    this.cachedHeader = null;
    this.cachedFile = null;
  }

  private isGlobal(name: string, e: Entry): boolean {
    return !this.staysLocal(name) && (!IMPORT.test(e.text) || e.importAs !== undefined);
  }

  /** The session's file: every name that can be a global, inside `declare global`. */
  fileText(): string {
    if (this.cachedFile !== null) return this.cachedFile;
    const imports: string[] = [];
    const globals: string[] = [];
    let n = 0;
    for (const [name, e] of this.entries) {
      if (!this.isGlobal(name, e)) continue;
      if (e.importAs) {
        const local = `__tsdl_import_${n++}`;
        imports.push(e.importAs(local));
        globals.push(`export import ${name} = ${local}${e.member ?? ""};`);
      } else {
        // Already ambient inside `declare global`.
        globals.push(e.text.replace(/^declare /gm, ""));
      }
    }
    this.cachedFile = [
      "// What earlier cells declared (generated by tsdl's language service, kernel/language/session.ts).",
      ...imports,
      "declare global {",
      ...globals,
      "}",
      "export {};",
      "",
    ].join("\n");
    return this.cachedFile;
  }

  /** The text above a cell: a module marker and the local-only names the cell does not declare. */
  header(exclude: ReadonlySet<string>): string {
    const key = [...exclude].sort().join(",");
    if (this.cachedHeader?.key === key) return this.cachedHeader.text;
    let text = "export {};\n";
    for (const [name, e] of this.entries) if (!this.isGlobal(name, e) && !exclude.has(name)) text += e.text + "\n";
    this.cachedHeader = { key, text };
    return text;
  }
}
