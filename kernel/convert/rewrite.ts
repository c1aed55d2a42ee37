/**
 * Rewrites a TypeScript cell so that it can run as a script in the kernel's realm, re-run any
 * number of times, and share its declarations with later cells:
 *
 * - top-level `let/const/var/class/enum/import` names become script-level `var`s
 *   (properties of the global object: visible to later cells, re-declarable), and the
 *   declarations become assignments;
 * - top-level functions and namespaces move to script level as they are (global, re-declarable);
 * - the rest runs inside an `async` arrow, so top-level `await` works, and a final expression
 *   statement becomes its return value (the cell's execute_result);
 * - `import … from "pkg"` and `import("pkg")` go through `__tsdl.import`, which resolves from the
 *   notebook's folder.
 *
 * @example rewriteCell(ts, "const x = await f();\nx + 1").text
 * // var x;\n(async () => {\n(x = await f());\nreturn (x + 1);\n})()
 */
import type { TypeScript } from "./typescript.js";
import { ChunkBuilder, lineStarts, positionOf, type Replacement, type RewrittenSource } from "./chunks.js";
import type { ts as TS } from "ts-morph";

/** A TypeScript syntax error at a place in the cell. */
export class CellSyntaxError extends SyntaxError {
  constructor(
    readonly description: string,
    readonly line: number,
    readonly column: number,
    readonly sourceLine: string,
  ) {
    super(`${description} (line ${line}, column ${column})`);
    this.name = "SyntaxError";
  }
}

export interface Rewritten {
  source: RewrittenSource;
  /** True when the cell ends with an expression whose value is returned. */
  hasValue: boolean;
  /**
   * Top-level names the cell declares. The caller declares them as script-level `var`s after
   * transpiling: if esbuild saw them at top level it would rename same-named inner classes and
   * functions (`class A` → `A2`), and `A.name` would change.
   */
  names: string[];
  /**
   * True when the cell is JavaScript this Node runs as it is (no type syntax, no decorators, no
   * syntax newer than ES2023): the rewritten text needs no transpiler.
   */
  plainJavaScript: boolean;
}

/**
 * Whether `sf` holds only syntax Node 20 runs natively, from the flags TypeScript's parser
 * computes for every node anyway (its own transformers decide what to lower from them).
 */
function isPlainJavaScript(ts: TypeScript, sf: TS.SourceFile): boolean {
  const flags = (ts as unknown as { TransformFlags?: Record<string, number> }).TransformFlags;
  const of = (sf as unknown as { transformFlags?: number }).transformFlags;
  if (!flags || of === undefined) return false;
  const lowered = flags.ContainsTypeScript | flags.ContainsJsx | flags.ContainsESNext | flags.ContainsDecorators;
  return Number.isInteger(lowered) && (of & lowered) === 0;
}

/** Parses a cell; returns the source file and its syntax diagnostics. */
export function parseCell(ts: TypeScript, code: string): { sf: TS.SourceFile; diagnostics: readonly TS.DiagnosticWithLocation[] } {
  const sf = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const diagnostics = (sf as unknown as { parseDiagnostics: TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  return { sf, diagnostics };
}

/** Throws CellSyntaxError for the first syntax error of the cell, if any. */
export function syntaxErrorOf(ts: TypeScript, code: string, d: TS.DiagnosticWithLocation): CellSyntaxError {
  const starts = lineStarts(code);
  const { line, column } = positionOf(starts, d.start);
  const text = code.slice(starts[line - 1], (starts[line] ?? code.length + 1) - 1);
  return new CellSyntaxError(ts.flattenDiagnosticMessageText(d.messageText, "\n"), line, column, text);
}

export function rewriteCell(ts: TypeScript, code: string): Rewritten {
  const { sf, diagnostics } = parseCell(ts, code);
  if (diagnostics.length > 0) throw syntaxErrorOf(ts, code, diagnostics[0]);
  const K = ts.SyntaxKind;

  const replacements: Replacement[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === K.ImportKeyword) {
      replacements.push({ start: node.expression.getStart(sf), end: node.expression.end, text: "__tsdl.import" });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  replacements.sort((a, b) => a.start - b.start);

  const names = new Set<string>();
  const hoisted = new ChunkBuilder(code, replacements); // script level: functions
  const body = new ChunkBuilder(code, replacements); // inside the async arrow
  const statements = sf.statements;
  let hasValue = false;

  const hasModifier = (n: TS.Node, kind: TS.SyntaxKind) =>
    (ts.canHaveModifiers(n) ? ts.getModifiers(n) : undefined)?.some((m) => m.kind === kind) ?? false;
  /** Start of a declaration after its `export`/`default`/`declare` modifiers (decorators stay). */
  const startAfterExport = (n: TS.Node): number => {
    const mods = (ts.canHaveModifiers(n) ? ts.getModifiers(n) : undefined) ?? [];
    let start = n.getStart(sf);
    for (const m of mods) if (m.kind === K.ExportKeyword || m.kind === K.DefaultKeyword) start = m.end;
    return start;
  };
  const bindingNames = (name: TS.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindingNames(el.name);
  };

  statements.forEach((st, i) => {
    const start = st.getStart(sf);
    const isLast = i === statements.length - 1;
    if (hasModifier(st, K.DeclareKeyword)) return;

    if (ts.isVariableStatement(st)) {
      const isVar = !(st.declarationList.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const));
      for (const d of st.declarationList.declarations) {
        bindingNames(d.name);
        const nameStart = d.name.getStart(sf);
        if (d.initializer) {
          body.add("(", nameStart).copy(nameStart, d.name.end).add(" = ", nameStart);
          body.copy(d.initializer.getStart(sf), d.initializer.end).add(");\n", d.end);
        } else if (!isVar && ts.isIdentifier(d.name)) {
          // A re-run `let x;` starts from undefined again, as the first run did.
          body.add("(", nameStart).copy(nameStart, d.name.end).add(" = undefined);\n", nameStart);
        }
      }
      return;
    }
    if (ts.isFunctionDeclaration(st) && st.name) {
      names.add(st.name.text);
      if (st.body) hoisted.copy(startAfterExport(st), st.end).add("\n", st.end);
      return;
    }
    if (ts.isModuleDeclaration(st) && ts.isIdentifier(st.name)) {
      // TypeScript allows a namespace only at top level: it runs at script level, before the
      // cell's other statements, and a re-run merges into the same global object.
      names.add(st.name.text);
      hoisted.copy(startAfterExport(st), st.end).add("\n", st.end);
      return;
    }
    if ((ts.isClassDeclaration(st) && st.name) || ts.isEnumDeclaration(st)) {
      const name = (st.name as TS.Identifier).text;
      names.add(name);
      // A declaration inside an arrow keeps TypeScript's own semantics (abstract classes, enum
      // members, namespaces) and hands its value to the session-wide name.
      body.add(`${name} = (() => { `, start).copy(startAfterExport(st), st.end).add(`\nreturn ${name}; })();\n`, st.end);
      return;
    }
    if (ts.isImportDeclaration(st)) {
      const spec = (st.moduleSpecifier as TS.StringLiteral).text;
      const clause = st.importClause;
      const load = `await __tsdl.import(${JSON.stringify(spec)})`;
      if (!clause) {
        body.add(`${load};\n`, start);
        return;
      }
      if (clause.isTypeOnly) return;
      const props: string[] = [];
      if (clause.name) {
        names.add(clause.name.text);
        props.push(`default: ${clause.name.text}`);
      }
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) {
        names.add(nb.name.text);
        body.add(`(${nb.name.text} = ${load});\n`, start);
      } else if (nb) {
        for (const el of nb.elements) {
          if (el.isTypeOnly) continue;
          names.add(el.name.text);
          const imported = el.propertyName ? el.propertyName.getText(sf) : el.name.text;
          props.push(`${imported}: ${el.name.text}`);
        }
      }
      if (props.length > 0) body.add(`({ ${props.join(", ")} } = ${load});\n`, start);
      return;
    }
    if (ts.isImportEqualsDeclaration(st) && ts.isExternalModuleReference(st.moduleReference)) {
      names.add(st.name.text);
      const spec = (st.moduleReference.expression as TS.StringLiteral).text;
      body.add(`(${st.name.text} = __tsdl.require(${JSON.stringify(spec)}));\n`, start);
      return;
    }
    if (ts.isExportDeclaration(st)) return;
    if (ts.isExportAssignment(st)) {
      body.copy(st.expression.getStart(sf), st.expression.end).add(";\n", st.end);
      return;
    }
    if (isLast && ts.isExpressionStatement(st)) {
      hasValue = true;
      body.add("return (", start).copy(st.expression.getStart(sf), st.expression.end).add(");\n", st.end);
      return;
    }
    body.copy(start, st.end).add("\n", st.end);
  });

  const out = new ChunkBuilder(code, replacements);
  out.append(hoisted).add("(async () => {\n").append(body).add("})()");
  return { source: out.build(), hasValue, names: [...names], plainJavaScript: isPlainJavaScript(ts, sf) };
}

