/**
 * Which lines of a file's new version are new: those whose exact text appears in none of its previous versions
 * (one per parent; none for a new file). Diff-based sources keep only findings on these lines, so a commit or a
 * staged change is blamed for the secrets it writes, not for ones already there. Comparing line sets rather than
 * diff hunks makes merges simple (new relative to every parent is one set union), follows renames through the
 * caller's previous versions, and does not re-report a line that merely moved. Lines are split exactly as the
 * matcher numbers them (`\r\n`, `\n` or a lone `\r`).
 */
const LINE_BREAK = /\r\n|\n|\r/;

export function addedLines(text: string, previous: readonly string[]): Set<number> {
  const lines = text.split(LINE_BREAK);
  const added = new Set<number>();
  if (previous.length === 0) {
    for (let i = 0; i < lines.length; i++) added.add(i + 1);
    return added;
  }
  const old = new Set<string>();
  for (const p of previous) for (const l of p.split(LINE_BREAK)) old.add(l);
  for (let i = 0; i < lines.length; i++) if (!old.has(lines[i]!)) added.add(i + 1);
  return added;
}

/**
 * `addedLines`, worked out on first use (issue 7): a staged file is asked about its lines only when a finding is in
 * it, and most are not, so a pre-commit run usually never splits and compares the versions at all.
 */
export class LazyAddedLines implements ReadonlySet<number> {
  #set: Set<number> | undefined;
  constructor(
    private readonly text: string,
    private readonly previous: readonly string[],
  ) {}
  private get set(): Set<number> {
    return (this.#set ??= addedLines(this.text, this.previous));
  }
  has(line: number): boolean {
    return this.set.has(line);
  }
  get size(): number {
    return this.set.size;
  }
  forEach(callback: (value: number, key: number, set: ReadonlySet<number>) => void, thisArg?: unknown): void {
    this.set.forEach((v) => callback.call(thisArg, v, v, this));
  }
  entries(): SetIterator<[number, number]> {
    return this.set.entries();
  }
  keys(): SetIterator<number> {
    return this.set.keys();
  }
  values(): SetIterator<number> {
    return this.set.values();
  }
  [Symbol.iterator](): SetIterator<number> {
    return this.set[Symbol.iterator]();
  }
}
