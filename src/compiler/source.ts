// A spec's text with its origin, and the span type every later stage uses to
// point back into it. Offsets are 0-based; lines and columns are 1-based.
// Each span holds its SourceFile, so a diagnostic can show its code frame
// wherever it is printed, with no registry of texts.

export interface Span {
  readonly file: string;
  /** the text the span points into */
  readonly source: SourceFile;
  readonly offset: number;
  readonly length: number;
  readonly line: number;
  readonly column: number;
}

export class SourceFile {
  private readonly lineStarts: number[];

  constructor(
    readonly path: string,
    readonly text: string,
  ) {
    this.lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  /** 1-based line and column of a 0-based offset. */
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }

  span(offset: number, length: number): Span {
    const { line, column } = this.position(offset);
    return { file: this.path, source: this, offset, length, line, column };
  }

  /** Text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1] ?? this.text.length;
    const next = this.lineStarts[line];
    const end = next === undefined ? this.text.length : next - 1;
    return this.text.slice(start, end).replace(/\r$/, '');
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }
}

/** A span covering two spans of the same file (from the start of `a` to the end of `b`). */
export function joinSpans(a: Span, b: Span): Span {
  return { ...a, length: Math.max(a.length, b.offset + b.length - a.offset) };
}
