/**
 * What earlier cells declared, kept as TypeScript declarations (`declare const x: number;`,
 * `declare function f(a: string): void;`, `import * as fs from "node:fs";`, …) keyed by name.
 *
 * The kernel hoists a cell's top-level names into the session, and a later cell may declare the
 * same name again (re-running a cell). So the language service does not keep old cells as they
 * are — two `const x` would clash — but the declaration emit of each cell, split into one entry
 * per name: a later cell replaces the entries of the names it declares. The entries go above
 * the cell being completed or checked (its "header"), minus the names that cell declares itself.
 *
 * @example
 * const s = new SessionDeclarations();
 * s.add("declare const x: number;\nexport { x };", ["x"]);
 * s.header(new Set()) // "export {};\ndeclare const x: number;\n"
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

/** Splits a declaration file into one text per declared name (overloads stay together). */
export function declarationsByName(dts: string): Map<string, string> {
  const sf = ts.createSourceFile("cell.d.ts", dts, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out = new Map<string, string>();
  const put = (name: string, text: string): void => {
    out.set(name, out.has(name) ? `${out.get(name)}\n${text}` : text);
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
      if (c.name) put(c.name.text, `import ${type}${c.name.text}${from}`);
      const nb = c.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) put(nb.name.text, `import ${type}* as ${nb.name.text}${from}`);
      else if (nb) for (const e of nb.elements) put(e.name.text, `import ${type}{ ${e.getText(sf)} }${from}`);
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

export class SessionDeclarations {
  private readonly entries = new Map<string, string>();
  private cached: { key: string; text: string } | null = null;
  /** Bumped on every change; lets callers cache what they derive from the header. */
  version = 0;

  /** Records the declarations of `names` found in a cell's declaration emit; later cells win. */
  add(dts: string, names: readonly string[]): void {
    const found = declarationsByName(dts);
    for (const name of names) {
      this.entries.delete(name);
      // A name the emit could not describe (a type it cannot name) still exists at run time.
      this.entries.set(name, found.get(name) ?? `declare let ${name}: any;`);
    }
    this.version++;
    this.cached = null;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The text above a cell: a module marker and every session name the cell does not declare. */
  header(exclude: ReadonlySet<string>): string {
    const key = [...exclude].sort().join(",");
    if (this.cached?.key === key) return this.cached.text;
    let text = "export {};\n";
    for (const [name, decl] of this.entries) if (!exclude.has(name)) text += decl + "\n";
    this.cached = { key, text };
    return text;
  }
}
