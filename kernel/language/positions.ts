/**
 * Jupyter counts cursor positions in Unicode code points (protocol ≥ 5.2); TypeScript counts
 * UTF-16 code units. Every position that crosses the wire goes through these two functions, so
 * an emoji or a CJK character outside the BMP before the cursor does not shift completions.
 *
 * @example utf16Offset("😀x", 1) // 2
 */

/** The UTF-16 offset of the code point at `codePoints` (clamped to the text). */
export function utf16Offset(text: string, codePoints: number): number {
  let offset = 0;
  for (let n = 0; n < codePoints && offset < text.length; n++) {
    const c = text.charCodeAt(offset);
    offset += c >= 0xd800 && c <= 0xdbff && offset + 1 < text.length ? 2 : 1;
  }
  return offset;
}

/** The number of code points in `text` before UTF-16 offset `offset`. */
export function codePointOffset(text: string, offset: number): number {
  let n = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) i++;
    n++;
  }
  return n;
}

/** 1-based line and column (in code points) of a UTF-16 offset, as an editor shows them. */
export function lineColumn(text: string, offset: number): { line: number; column: number; lineText: string } {
  let lineStart = 0;
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  let lineEnd = text.indexOf("\n", lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  const lineText = text.slice(lineStart, lineEnd).replace(/\r$/, "");
  return { line, column: codePointOffset(text.slice(lineStart), offset - lineStart) + 1, lineText };
}
