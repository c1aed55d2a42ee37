/**
 * Type errors of a cell, at the cell's own line and column, printed the way `tsc` prints them
 * (`cell:3:7 - error TS2345: …`) with the line and a marker under the culprit.
 *
 * Only semantic errors: the kernel reports syntax errors itself when it cannot parse the cell.
 *
 * @example check(view).text // "cell:1:7 - error TS2322: Type 'string' is not assignable to type 'number'.\n…"
 */
import { ts } from "ts-morph";
import { codePointOffset, lineColumn } from "./positions.js";
import type { CellView } from "./view.js";
import type { CellCheck, CellDiagnostic } from "./types.js";

/**
 * Errors that are artefacts of checking a notebook cell as a file, not mistakes in it: the
 * kernel runs every cell as the body of an async function, so top-level `await`, `for await`
 * and `return` are fine there.
 */
const NOT_ERRORS_IN_A_CELL = new Set([1108, 1375, 1378, 1431, 1432]);

/** A cell pasted from elsewhere can have hundreds of errors; the first ones are what helps. */
const SHOWN = 20;

export function check(view: CellView): CellCheck {
  const diagnostics: CellDiagnostic[] = [];
  const lines: string[] = [];
  const found = view.ls
    .getSemanticDiagnostics(view.path)
    .filter((d) => d.start !== undefined && d.start >= view.offset && !NOT_ERRORS_IN_A_CELL.has(d.code))
    .filter((d) => d.category === ts.DiagnosticCategory.Error || d.category === ts.DiagnosticCategory.Warning);
  for (const [i, d] of found.entries()) {
    const start = d.start! - view.offset;
    const { line, column, lineText } = lineColumn(view.code, start);
    const category = d.category === ts.DiagnosticCategory.Error ? "error" : "warning";
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n  ");
    diagnostics.push({ line, column, code: d.code, category, message });
    if (i >= SHOWN) continue;
    const width = Math.max(1, Math.min(codePointOffset(view.code.slice(start), d.length ?? 1), [...lineText].length - column + 1));
    const gutter = String(line);
    lines.push(
      `cell:${line}:${column} - ${category} TS${d.code}: ${message}`,
      "",
      `${gutter} ${lineText}`,
      `${" ".repeat(gutter.length)} ${" ".repeat(column - 1)}${"~".repeat(width)}`,
      "",
    );
  }
  if (found.length > SHOWN) lines.push(`(${found.length - SHOWN} more type errors in this cell not shown)`, "");
  return { diagnostics, text: lines.join("\n") };
}
