/**
 * `%strict on|off`: whether type errors stop a cell from running. Off by default, as in an
 * editor: the errors are shown under the cell and the cell runs. The line may head a cell
 * that has code after it; it is blanked out (positions and line numbers stay as typed).
 * `TSDL_STRICT=1` in the kernel's environment starts a session with it on.
 *
 * @example parseStrictMagic("%strict on\nconst x: number = 1") // { code: "\nconst x: number = 1", strict: true }
 */

export interface StrictMagic {
  /** The cell without its `%strict` lines (blanked, so lines keep their numbers). */
  code: string;
  /** The switch's new position, or undefined when the cell has no `%strict` line. */
  strict?: boolean;
  /** Set when a `%strict` line was not understood. */
  problem?: string;
  /** `%strict` alone asks for the current state. */
  query?: boolean;
}

/** A `%strict` line (the only line magic): the kernel runs the cell without it, the service reads it as blank. */
const MAGIC = /^[ \t]*%strict\b(.*)$/gm;

/** The cell with its `%strict` lines blanked to spaces, so every position stays put. @example blankMagics("%strict on\nx") // "          \nx" */
export function blankMagics(code: string): string {
  return code.includes("%strict") ? code.replace(MAGIC, (line) => " ".repeat(line.length)) : code;
}

export function parseStrictMagic(code: string): StrictMagic {
  const result: StrictMagic = { code };
  if (!code.includes("%strict")) return result;
  result.code = code.replace(MAGIC, (line, arg: string) => {
    const a = arg.trim().toLowerCase();
    if (a === "on" || a === "true" || a === "1") result.strict = true;
    else if (a === "off" || a === "false" || a === "0") result.strict = false;
    else if (a === "") result.query = true;
    else result.problem = `%strict: expected "on" or "off", received "${arg.trim()}"`;
    return "";
  });
  return result;
}

export function strictFromEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|on|true|yes)$/i.test(env.TSDL_STRICT ?? "");
}

export function describeStrict(strict: boolean): string {
  return strict
    ? "%strict on: cells with type errors do not run (`%strict off` runs them and shows the errors)."
    : "%strict off: type errors are shown under the cell and the cell runs (`%strict on` stops such cells).";
}
