/**
 * A cell as the language service sees it: the session's declarations above it (`offset`
 * UTF-16 units long) and the cell's own text after them, in one virtual file.
 *
 * @example view.ls.getQuickInfoAtPosition(view.path, view.offset + 3)
 */
import type { ts } from "ts-morph";

export interface CellView {
  ls: ts.LanguageService;
  /** The virtual file holding the header and the cell. */
  path: string;
  /** Where the cell's text starts in that file. */
  offset: number;
  /** The cell's text (line magics blanked out). */
  code: string;
}
