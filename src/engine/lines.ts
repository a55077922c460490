/**
 * Offsets to line and column. Built lazily, only for texts that produced a candidate, with `\r\n`, `\n` and a lone
 * `\r` each ending a line, so positions are right for Windows and old-Mac files alike. Columns are 1-based and
 * counted in UTF-16 code units from the start of the line (what editors and SARIF viewers expect for BMP text).
 */
export class LineIndex {
  private readonly starts: number[];

  constructor(private readonly text: string) {
    const starts = [0];
    if (text.indexOf("\r") === -1) {
      // The common case, found with native searches (issue 7: the character loop showed in tree-scan profiles).
      for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
      this.starts = starts;
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.starts = starts;
  }

  /** 1-based line number containing `offset`. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  position(offset: number): { line: number; column: number } {
    const line = this.lineOf(offset);
    return { line, column: offset - this.starts[line - 1]! + 1 };
  }

  /** Text of a 1-based line without its terminator ("" outside the text). */
  lineText(line: number): string {
    if (line < 1 || line > this.starts.length) return "";
    const start = this.starts[line - 1]!;
    let end = line < this.starts.length ? this.starts[line]! : this.text.length;
    while (end > start && (this.text.charCodeAt(end - 1) === 10 || this.text.charCodeAt(end - 1) === 13)) end--;
    return this.text.slice(start, end);
  }

  /** Text from the start of line `from` to the end of line `to` (clamped). */
  slice(from: number, to: number): string {
    const a = this.starts[Math.max(1, from) - 1]!;
    const b = to < this.starts.length ? this.starts[Math.max(to, 1)]! : this.text.length;
    return this.text.slice(a, b);
  }

  /** Offset where a 1-based line starts (clamped to the text). */
  lineStart(line: number): number {
    if (line <= 1) return 0;
    if (line > this.starts.length) return this.text.length;
    return this.starts[line - 1]!;
  }

  /** Offset just past a 1-based line's terminator (clamped to the text). */
  lineEnd(line: number): number {
    return line < this.starts.length ? this.starts[Math.max(line, 1)]! : this.text.length;
  }

  /** The line containing `offset`, clipped to at most `radius` characters on each side of it. */
  lineAround(offset: number, radius: number): string {
    const line = this.lineOf(offset);
    const a = Math.max(this.lineStart(line), offset - radius);
    let b = Math.min(this.lineEnd(line), offset + radius);
    while (b > a && (this.text.charCodeAt(b - 1) === 10 || this.text.charCodeAt(b - 1) === 13)) b--;
    return this.text.slice(a, b);
  }

  textBetween(a: number, b: number): string {
    return this.text.slice(a, b);
  }

  get lineCount(): number {
    return this.starts.length;
  }
}
