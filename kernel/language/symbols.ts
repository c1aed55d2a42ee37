/**
 * Symbols behind completion entries: the real kind of what TypeScript reports only as "alias"
 * (the preloaded globals are aliases of the runtime's exports; `layers.Dense` is a re-export),
 * one-line descriptions for the first matches, and namespaces (`models`) for Shift-Tab.
 *
 * @example kindOf(checker, checker.getSymbolAtLocation(id)!) // "class" for layers.Dense
 */
import { ts } from "ts-morph";
import type { CellView } from "./view.js";

/** The innermost identifier (or private name) that contains or ends at `pos`. */
export function identifierAt(sf: ts.SourceFile, pos: number): ts.Identifier | undefined {
  let found: ts.Identifier | undefined;
  const visit = (node: ts.Node): void => {
    if (pos < node.getFullStart() || pos > node.getEnd()) return;
    if (ts.isIdentifier(node) && pos >= node.getStart(sf) && pos <= node.getEnd()) found = node;
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function resolve(checker: ts.TypeChecker, s: ts.Symbol): ts.Symbol {
  try {
    return s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
  } catch {
    return s;
  }
}

/**
 * JupyterLab's kind of a symbol. Keras-style constructors that work with or without `new`
 * (`layers.Dense(512)`) are constants with construct signatures: they show as classes.
 */
export function kindOf(checker: ts.TypeChecker, symbol: ts.Symbol): string {
  const s = resolve(checker, symbol);
  const F = ts.SymbolFlags;
  if (s.flags & F.Class) return "class";
  if (s.flags & (F.Function | F.Method)) return "function";
  if (s.flags & F.Enum) return "enum";
  if (s.flags & (F.Variable | F.Property)) {
    const decl = s.valueDeclaration ?? s.declarations?.[0];
    const type = decl ? checker.getTypeOfSymbolAtLocation(s, decl) : undefined;
    if (type?.getConstructSignatures().length) return "class";
    if (type?.getCallSignatures().length) return "function";
    return s.flags & F.Property ? "property" : "variable";
  }
  if (s.flags & F.Module) return "module";
  if (s.flags & F.Interface) return "interface";
  if (s.flags & F.TypeAlias) return "type";
  return "variable";
}

/** The deepest node that contains `pos` (the file itself when none does). */
export function nodeAt(sf: ts.SourceFile, pos: number): ts.Node {
  let found: ts.Node = sf;
  const visit = (node: ts.Node): void => {
    if (pos < node.getStart(sf) || pos > node.getEnd()) return;
    found = node;
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  return found;
}

/** The checker, the node at the cursor and the symbols behind some completion names. */
export interface CompletionSymbols {
  checker: ts.TypeChecker;
  sf: ts.SourceFile;
  location: ts.Node;
  symbols: Map<string, ts.Symbol>;
}

/**
 * The symbols of `names` as a completion at `pos` sees them: `x.|` → x's exports or
 * properties; otherwise what is in scope there. One lookup for all names — asking TypeScript
 * for each entry's details would recompute the whole completion list every time.
 */
export function completionSymbols(view: CellView, pos: number, names: ReadonlySet<string>): CompletionSymbols | null {
  const program = view.ls.getProgram();
  const sf = program?.getSourceFile(view.path);
  if (!program || !sf) return null;
  const checker = program.getTypeChecker();
  const id = identifierAt(sf, pos);
  // `layers.De|`: the name of a property access; `layers.|`: the dot right before the cursor.
  let left: ts.Expression | undefined;
  if (id && ts.isPropertyAccessExpression(id.parent) && id.parent.name === id) left = id.parent.expression;
  else {
    const before = sf.text.slice(0, pos).trimEnd();
    if (before.endsWith(".")) {
      const dotId = identifierAt(sf, before.length - 1);
      if (dotId) left = ts.isPropertyAccessExpression(dotId.parent) && dotId.parent.name === dotId ? dotId.parent : dotId;
    }
  }
  const location = id ?? nodeAt(sf, pos);
  let candidates: ts.Symbol[];
  if (left) {
    const target = checker.getSymbolAtLocation(left);
    const resolved = target && resolve(checker, target);
    candidates = resolved && resolved.flags & ts.SymbolFlags.Module
      ? checker.getExportsOfModule(resolved)
      : checker.getTypeAtLocation(left).getApparentProperties();
  } else {
    const F = ts.SymbolFlags;
    candidates = checker.getSymbolsInScope(location, F.Value | F.Type | F.Namespace | F.Alias);
  }
  const symbols = new Map<string, ts.Symbol>();
  for (const s of candidates) if (names.has(s.name) && !symbols.has(s.name)) symbols.set(s.name, s);
  return { checker, sf, location, symbols };
}

/**
 * The first line Shift-Tab would show for a symbol (`let learningRate: number`,
 * `function tensor(data: TensorData, …): Tensor`), from the checker alone: quick info would
 * also gather the documentation, which a completion list does not show.
 */
export function describeSymbol(ctx: CompletionSymbols, symbol: ts.Symbol): string {
  const { checker } = ctx;
  const s = resolve(checker, symbol);
  const F = ts.SymbolFlags;
  const decl = s.valueDeclaration ?? s.declarations?.[0];
  if (s.flags & F.Class) return `class ${s.name}`;
  if (s.flags & F.Enum) return `enum ${s.name}`;
  if (!(s.flags & F.Value)) {
    if (s.flags & F.Interface) return `interface ${s.name}`;
    if (s.flags & F.TypeAlias) return `type ${s.name}`;
    return s.flags & F.Module ? `namespace ${s.name}` : s.name;
  }
  if (s.flags & F.Module && !(s.flags & (F.Function | F.Variable))) return `namespace ${s.name}`;
  const type = checker.getTypeOfSymbolAtLocation(s, decl ?? ctx.location);
  if (s.flags & (F.Function | F.Method)) {
    const sigs = type.getCallSignatures();
    const head = s.flags & F.Method ? "(method) " : "function ";
    if (sigs.length === 0) return `${head}${s.name}`;
    const more = sigs.length > 1 ? ` (+${sigs.length - 1} overload${sigs.length > 2 ? "s" : ""})` : "";
    return `${head}${s.name}${checker.signatureToString(sigs[0])}${more}`;
  }
  const calls = kerasStyleCalls(s, type);
  if (calls) return `${s.name}${checker.signatureToString(calls[0])}`; // Dense(units, …)
  const text = checker.typeToString(type);
  if (s.flags & (F.Property | F.Accessor)) return `(property) ${s.name}: ${text}`;
  if (s.flags & F.EnumMember) return `(enum member) ${s.name}`;
  if (decl && ts.isVariableDeclaration(decl)) {
    const flags = ts.getCombinedNodeFlags(decl);
    return `${flags & ts.NodeFlags.Const ? "const" : flags & ts.NodeFlags.Let ? "let" : "var"} ${s.name}: ${text}`;
  }
  if (decl && ts.isParameter(decl)) return `(parameter) ${s.name}: ${text}`;
  return `${s.name}: ${text}`;
}

/** Shift-Tab on a namespace (`models`): its module's leading JSDoc and what it exports. */
export function describeNamespace(view: CellView, pos: number): { signature: string; documentation: string } | null {
  const program = view.ls.getProgram();
  const sf = program?.getSourceFile(view.path);
  const id = sf && identifierAt(sf, pos);
  if (!program || !sf || !id) return null;
  const checker = program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(id);
  const s = symbol && resolve(checker, symbol);
  if (!s || !(s.flags & ts.SymbolFlags.Module)) return null;
  const exports = checker.getExportsOfModule(s).map((e) => e.name).filter((n) => !n.startsWith("_")).sort();
  const file = s.declarations?.find(ts.isSourceFile);
  const first = file ? ts.getLeadingCommentRanges(file.text, 0)?.find((r) => file.text.startsWith("/**", r.pos)) : undefined;
  const header = first && file
    ? file.text.slice(first.pos + 3, first.end - 2).split("\n").map((l) => l.replace(/^\s*\* ?/, "")).join("\n").trim()
    : "";
  const list = `Exports: ${exports.join(", ")}`;
  return { signature: `namespace ${id.text}`, documentation: header ? `${header}\n\n${list}` : list };
}

/**
 * Keras-style constructors are constants callable with or without `new`
 * (`const Dense: typeof DenseLayer & ((units: number, …) => DenseLayer)`); Shift-Tab shows them
 * as the call a person writes: `Dense(units: number, options?: DenseOptions): DenseLayer`.
 */
export function callableConstant(view: CellView, pos: number): string | null {
  const program = view.ls.getProgram();
  const sf = program?.getSourceFile(view.path);
  const id = sf && identifierAt(sf, pos);
  if (!program || !id) return null;
  const checker = program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(id);
  const s = symbol && resolve(checker, symbol);
  if (!s || s.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class)) return null;
  const calls = kerasStyleCalls(s, checker.getTypeOfSymbolAtLocation(s, id));
  return calls ? calls.map((c) => `${id.text}${checker.signatureToString(c)}`).join("\n") : null;
}

/** The call signatures of a Keras-style constructor (a variable both callable and newable), else null. */
function kerasStyleCalls(s: ts.Symbol, type: ts.Type): readonly ts.Signature[] | null {
  if (!(s.flags & ts.SymbolFlags.Variable)) return null;
  const calls = type.getCallSignatures();
  return calls.length > 0 && type.getConstructSignatures().length > 0 ? calls : null;
}
