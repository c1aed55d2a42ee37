/**
 * Builds rewritten source out of pieces copied from the cell and pieces the rewrite adds, and
 * remembers where each copied piece came from, so a position in the rewritten text maps back
 * to the user's own line and column.
 *
 * @example const b = new ChunkBuilder(src); b.add("x = "); b.copy(4, 9); b.build().toOriginal(2);
 */
export interface Chunk {
  outStart: number;
  text: string;
  /** Offset in the original of the chunk's first character; copied chunks map character by character. */
  srcStart: number;
  copied: boolean;
}

export interface Replacement {
  start: number;
  end: number;
  text: string;
}

export class ChunkBuilder {
  private readonly chunks: Chunk[] = [];
  private length = 0;

  constructor(
    private readonly source: string,
    private readonly replacements: Replacement[] = [],
  ) {}

  /** Adds text that is not in the original; it maps to `anchor` (an offset in the original). */
  add(text: string, anchor = 0): this {
    if (text) this.push({ outStart: this.length, text, srcStart: anchor, copied: false });
    return this;
  }

  /** Copies original[start, end), applying any replacement that lies inside that range. */
  copy(start: number, end: number): this {
    let at = start;
    for (const r of this.replacements) {
      if (r.start < at || r.end > end) continue;
      if (r.start > at) this.push({ outStart: this.length, text: this.source.slice(at, r.start), srcStart: at, copied: true });
      this.add(r.text, r.start);
      at = r.end;
    }
    if (end > at) this.push({ outStart: this.length, text: this.source.slice(at, end), srcStart: at, copied: true });
    return this;
  }

  /** Appends everything another builder over the same original holds, keeping its mapping. */
  append(other: ChunkBuilder): this {
    for (const c of other.chunks) this.push({ ...c, outStart: this.length });
    return this;
  }

  private push(c: Chunk): void {
    this.chunks.push(c);
    this.length += c.text.length;
  }

  build(): RewrittenSource {
    return new RewrittenSource(this.chunks.map((c) => c.text).join(""), this.chunks, this.source);
  }
}

export class RewrittenSource {
  private readonly outLineStarts: number[];
  private readonly srcLineStarts: number[];

  constructor(
    readonly text: string,
    /** Plain data: what the converter thread sends back with a converted cell. */
    readonly chunks: readonly Chunk[],
    readonly original: string,
  ) {
    this.outLineStarts = lineStarts(text);
    this.srcLineStarts = lineStarts(original);
  }

  /** The same mapping rebuilt from its chunks (received from another thread). */
  static fromChunks(chunks: readonly Chunk[], original: string): RewrittenSource {
    return new RewrittenSource(chunks.map((c) => c.text).join(""), chunks, original);
  }

  /** Original offset for an offset in the rewritten text. */
  toOriginal(offset: number): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.chunks[mid].outStart <= offset) lo = mid;
      else hi = mid - 1;
    }
    const c = this.chunks[lo];
    if (!c) return 0;
    return c.copied ? c.srcStart + Math.min(offset - c.outStart, c.text.length) : c.srcStart;
  }

  /** Original 1-based line and column for a 0-based line/column in the rewritten text. */
  originalPosition(line0: number, col0: number): { line: number; column: number } {
    const off = (this.outLineStarts[line0] ?? this.text.length) + col0;
    return positionOf(this.srcLineStarts, this.toOriginal(off));
  }
}

export function lineStarts(s: string): number[] {
  const starts = [0];
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of `offset`. */
export function positionOf(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] + 1 };
}
