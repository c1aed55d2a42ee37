/**
 * What this session executed, for history_request (tail, range, search), as IPython keeps it:
 * entries are `[session, line, input]`, or `[session, line, [input, output]]` when outputs are asked.
 *
 * @example history.add(1, "1 + 1", "2"); history.tail(10, false);
 */
export interface HistoryEntry {
  line: number;
  input: string;
  output: string | null;
}

export type HistoryRow = [number, number, string | [string, string | null]];

/** The session number this kernel reports (IPython's "current session"). */
export const SESSION_NUMBER = 1;

export class History {
  private readonly entries: HistoryEntry[] = [];

  add(line: number, input: string, output: string | null = null): void {
    this.entries.push({ line, input, output });
  }

  setOutput(line: number, output: string): void {
    // From the end: the line set is almost always the last one added (a long session has thousands).
    const e = this.entries.findLast((x) => x.line === line);
    if (e) e.output = output;
  }

  private row(e: HistoryEntry, output: boolean): HistoryRow {
    return [SESSION_NUMBER, e.line, output ? [e.input, e.output] : e.input];
  }

  /** The last `n` entries. */
  tail(n: number, output: boolean): HistoryRow[] {
    return this.entries.slice(Math.max(0, this.entries.length - n)).map((e) => this.row(e, output));
  }

  /** Lines start ≤ line < stop of this session (session 0 or 1 or negative relative = this one). */
  range(start: number, stop: number | null, output: boolean): HistoryRow[] {
    return this.entries
      .filter((e) => e.line >= start && (stop === null || stop <= 0 || e.line < stop))
      .map((e) => this.row(e, output));
  }

  /** Entries whose input matches a glob `pattern` (`*` and `?`), newest `n` of them. */
  search(pattern: string, n: number | null, unique: boolean, output: boolean): HistoryRow[] {
    const re = new RegExp(
      "^" + pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]") + "$",
    );
    let hits = this.entries.filter((e) => re.test(e.input));
    if (unique) {
      const seen = new Set<string>();
      hits = hits.reverse().filter((e) => !seen.has(e.input) && seen.add(e.input)).reverse();
    }
    if (n !== null && n > 0) hits = hits.slice(Math.max(0, hits.length - n));
    return hits.map((e) => this.row(e, output));
  }
}
