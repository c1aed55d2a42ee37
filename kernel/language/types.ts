/**
 * What the language service answers, shaped as the Jupyter messages' content so the kernel
 * sends it as is (complete_reply, inspect_reply) or prints it (type errors).
 *
 * @example const reply: CompleteReply = { status: "ok", matches: ["fit"], cursor_start: 8, cursor_end: 10, metadata: { _jupyter_types_experimental: [] } };
 */

/** One match as JupyterLab reads `metadata._jupyter_types_experimental`. */
export interface CompletionType {
  /** Where the match replaces the cell's text, in code points (the same for all matches). */
  start: number;
  end: number;
  /** The match itself (same as in `matches`). */
  text: string;
  /** "function", "class", "module", "keyword", "property", "variable", "interface", "type", "enum", "string", "path", … */
  type: string;
  /** The declared type or signature, e.g. `(x: Tensor, options?: FitOptions) => Promise<History>`. */
  signature?: string;
}

/** The content of a complete_reply. */
export interface CompleteReply {
  status: "ok";
  matches: string[];
  cursor_start: number;
  cursor_end: number;
  metadata: { _jupyter_types_experimental: CompletionType[] };
}

/** The content of an inspect_reply (Shift-Tab). */
export interface InspectReply {
  status: "ok";
  found: boolean;
  data: Record<string, string>;
  metadata: Record<string, unknown>;
}

/** A type error at the cell's own 1-based line and column (in code points). */
export interface CellDiagnostic {
  line: number;
  column: number;
  /** TypeScript's error number: 2345 for TS2345. */
  code: number;
  category: "error" | "warning";
  message: string;
}

/** The type check of a cell against the session. */
export interface CellCheck {
  diagnostics: CellDiagnostic[];
  /** What is printed under the cell: `cell:3:7 - error TS2345: …`, the line and a marker. Empty when clean. */
  text: string;
}
