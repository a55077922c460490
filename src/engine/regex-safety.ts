/**
 * Static analysis of rule regexes, done once at load: (1) the longest text one match can span, so long texts can be
 * scanned in bounded, overlapping slices without losing a match at a slice boundary; (2) patterns that can backtrack
 * catastrophically (ReDoS). Off-the-shelf checkers were tried and do not fit: `safe-regex2` parses with `ret`, which
 * rejects lookbehind and misreads lazy quantifiers (flagging every `{0,400}?`), and `recheck` needs seconds per
 * pattern in its pure-JS build. So this is a small parser for the JS regex syntax rules use (non-unicode mode) and
 * two classic checks on its tree: a quantified body whose iterations can split the same text in several ways
 * (`(a+)+`, `(\w+\s?)*`: a variable-length tail that can also start the next iteration) and an alternation under a
 * quantifier whose branches can start with the same character (`(a|ab)*`). Small bounded repeats (`{0,3}`) are
 * exempt: their blow-up is bounded by a small power. Adjacent unbounded repeats over overlapping characters
 * (`\s*\s*`) are reported as quadratic. Unbounded quantifiers count as UNBOUNDED_REPEAT characters for the length.
 */

/** Length assumed for one unbounded repetition (`*`, `+`, `{n,}`) when computing a match's maximum length. */
export const UNBOUNDED_REPEAT = 256;
/** A quantifier with at most this many iterations is not considered a blow-up risk. */
const SMALL_REPEAT = 10;

type CharBits = { bits: Uint32Array; nonAscii: boolean };

type Node =
  | { kind: "seq"; items: Node[] }
  | { kind: "alt"; options: Node[] }
  | { kind: "chars"; set: CharBits }
  | { kind: "assert" }
  | { kind: "look"; behind: boolean; body: Node }
  | { kind: "group"; body: Node }
  | { kind: "repeat"; min: number; max: number; body: Node }
  | { kind: "backref" };

function emptyBits(): CharBits {
  return { bits: new Uint32Array(4), nonAscii: false };
}
function addCode(b: CharBits, c: number): void {
  if (c < 128) b.bits[c >> 5]! |= 1 << (c & 31);
  else b.nonAscii = true;
}
function addRange(b: CharBits, from: number, to: number): void {
  for (let c = from; c <= Math.min(to, 127); c++) addCode(b, c);
  if (to >= 128) b.nonAscii = true;
}
function invert(b: CharBits): CharBits {
  const out = emptyBits();
  for (let i = 0; i < 4; i++) out.bits[i] = ~b.bits[i]! >>> 0;
  out.nonAscii = true;
  return out;
}
function union(a: CharBits, b: CharBits): CharBits {
  const out = emptyBits();
  for (let i = 0; i < 4; i++) out.bits[i] = (a.bits[i]! | b.bits[i]!) >>> 0;
  out.nonAscii = a.nonAscii || b.nonAscii;
  return out;
}
function intersects(a: CharBits, b: CharBits): boolean {
  for (let i = 0; i < 4; i++) if ((a.bits[i]! & b.bits[i]!) !== 0) return true;
  return a.nonAscii && b.nonAscii;
}
function foldCase(b: CharBits): CharBits {
  const out = union(b, emptyBits());
  for (let c = 65; c <= 90; c++) {
    const lo = c + 32;
    const has = (x: number) => (b.bits[x >> 5]! & (1 << (x & 31))) !== 0;
    if (has(c) || has(lo)) {
      addCode(out, c);
      addCode(out, lo);
    }
  }
  return out;
}

function classEscape(ch: string): CharBits | undefined {
  const b = emptyBits();
  switch (ch) {
    case "d":
      addRange(b, 48, 57);
      return b;
    case "w":
      addRange(b, 48, 57);
      addRange(b, 65, 90);
      addRange(b, 97, 122);
      addCode(b, 95);
      return b;
    case "s":
      for (const c of [9, 10, 11, 12, 13, 32]) addCode(b, c);
      b.nonAscii = true;
      return b;
    case "D":
      return invert(classEscape("d")!);
    case "W":
      return invert(classEscape("w")!);
    case "S":
      return invert(classEscape("s")!);
  }
  return undefined;
}

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, v: 11, f: 12, "0": 0 };

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly dotAll: boolean,
  ) {}

  parse(): Node {
    const n = this.alternation();
    if (this.i < this.src.length) throw new Error(`unexpected ')' at ${this.i}`);
    return n;
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.src[this.i] === "|") {
      this.i++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { kind: "alt", options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== "|" && this.src[this.i] !== ")") {
      let atom = this.atom();
      atom = this.quantified(atom);
      items.push(atom);
    }
    return { kind: "seq", items };
  }

  private quantified(atom: Node): Node {
    const s = this.src;
    const c = s[this.i];
    let min: number;
    let max: number;
    if (c === "*") [min, max] = [0, Infinity];
    else if (c === "+") [min, max] = [1, Infinity];
    else if (c === "?") [min, max] = [0, 1];
    else if (c === "{") {
      const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(s.slice(this.i));
      if (!m) return atom;
      min = Number(m[1]);
      max = m[2] ? (m[3] ? Number(m[3]) : Infinity) : min;
      this.i += m[0].length - 1;
    } else return atom;
    this.i++;
    if (s[this.i] === "?") this.i++; // lazy: same language, same length bound
    return this.quantified({ kind: "repeat", min, max, body: atom });
  }

  private atom(): Node {
    const s = this.src;
    const c = s[this.i]!;
    if (c === "(") {
      this.i++;
      let look: { behind: boolean } | undefined;
      if (s.startsWith("?:", this.i)) this.i += 2;
      else if (s.startsWith("?=", this.i) || s.startsWith("?!", this.i)) {
        this.i += 2;
        look = { behind: false };
      } else if (s.startsWith("?<=", this.i) || s.startsWith("?<!", this.i)) {
        this.i += 3;
        look = { behind: true };
      } else if (s.startsWith("?<", this.i)) {
        const end = s.indexOf(">", this.i);
        if (end < 0) throw new Error("unterminated group name");
        this.i = end + 1;
      } else if (s[this.i] === "?") throw new Error(`unsupported group syntax (?${s[this.i + 1] ?? ""}`);
      const body = this.alternation();
      if (s[this.i] !== ")") throw new Error("unterminated group");
      this.i++;
      return look ? { kind: "look", behind: look.behind, body } : { kind: "group", body };
    }
    if (c === "[") return this.charClass();
    if (c === "^" || c === "$") {
      this.i++;
      return { kind: "assert" };
    }
    if (c === ".") {
      this.i++;
      const b = invert(emptyBits());
      if (!this.dotAll) {
        b.bits[0]! &= ~((1 << 10) | (1 << 13));
      }
      return { kind: "chars", set: b };
    }
    if (c === "\\") return this.escape();
    this.i++;
    const b = emptyBits();
    addCode(b, c.charCodeAt(0));
    return { kind: "chars", set: b };
  }

  private escape(): Node {
    const s = this.src;
    const e = s[this.i + 1];
    if (e === undefined) throw new Error("trailing backslash");
    this.i += 2;
    if (e === "b" || e === "B") return { kind: "assert" };
    const cls = classEscape(e);
    if (cls) return { kind: "chars", set: cls };
    if (/[1-9]/.test(e)) {
      while (/[0-9]/.test(s[this.i] ?? "")) this.i++;
      return { kind: "backref" };
    }
    if (e === "k" && s[this.i] === "<") {
      this.i = s.indexOf(">", this.i) + 1;
      return { kind: "backref" };
    }
    return { kind: "chars", set: this.escapedCode(e) };
  }

  /** The character an escape (after the backslash, already consumed) stands for. */
  private escapedCode(e: string): CharBits {
    const b = emptyBits();
    const s = this.src;
    if (e in SIMPLE_ESCAPES) addCode(b, SIMPLE_ESCAPES[e]!);
    else if (e === "x" && /^[0-9a-fA-F]{2}/.test(s.slice(this.i))) {
      addCode(b, parseInt(s.slice(this.i, this.i + 2), 16));
      this.i += 2;
    } else if (e === "u" && /^[0-9a-fA-F]{4}/.test(s.slice(this.i))) {
      addCode(b, parseInt(s.slice(this.i, this.i + 4), 16));
      this.i += 4;
    } else if (e === "c" && /[A-Za-z]/.test(s[this.i] ?? "")) {
      addCode(b, s.charCodeAt(this.i) % 32);
      this.i++;
    } else addCode(b, e.charCodeAt(0));
    return b;
  }

  private charClass(): Node {
    const s = this.src;
    this.i++;
    let negate = false;
    if (s[this.i] === "^") {
      negate = true;
      this.i++;
    }
    let b = emptyBits();
    let first = true;
    while (this.i < s.length && (s[this.i] !== "]" || false)) {
      if (s[this.i] === "]" && !first) break;
      first = false;
      const lo = this.classAtom();
      if (typeof lo !== "number") {
        b = union(b, lo);
        continue;
      }
      if (s[this.i] === "-" && s[this.i + 1] !== "]" && this.i + 1 < s.length) {
        this.i++;
        const hi = this.classAtom();
        if (typeof hi === "number") addRange(b, lo, hi);
        else {
          addCode(b, lo);
          addCode(b, 45);
          b = union(b, hi);
        }
      } else addCode(b, lo);
    }
    if (s[this.i] !== "]") throw new Error("unterminated character class");
    this.i++;
    return { kind: "chars", set: negate ? invert(b) : b };
  }

  private classAtom(): number | CharBits {
    const s = this.src;
    const c = s[this.i]!;
    if (c !== "\\") {
      this.i++;
      return c.charCodeAt(0);
    }
    const e = s[this.i + 1] ?? "";
    this.i += 2;
    const cls = classEscape(e);
    if (cls) return cls;
    if (e === "b") return 8;
    const bits = this.escapedCode(e);
    for (let code = 0; code < 128; code++) if ((bits.bits[code >> 5]! & (1 << (code & 31))) !== 0) return code;
    return bits;
  }
}

export function parseRegex(source: string, flags = ""): Node {
  return new Parser(source, flags.includes("s")).parse();
}

/** Longest text a node can match, counting an unbounded repeat (or a backreference) as `unbounded` characters. */
function maxLen(n: Node, unbounded = UNBOUNDED_REPEAT): number {
  switch (n.kind) {
    case "seq":
      return n.items.reduce((a, x) => a + maxLen(x, unbounded), 0);
    case "alt":
      return Math.max(...n.options.map((o) => maxLen(o, unbounded)));
    case "chars":
      return 1;
    case "assert":
    case "look":
      return 0;
    case "group":
      return maxLen(n.body, unbounded);
    case "repeat":
    {
      // 0 × Infinity would be NaN: an empty body or `{0}` contributes nothing (as 0 × the cap did before).
      const body = maxLen(n.body, unbounded);
      return body === 0 || n.max === 0 ? 0 : (n.max === Infinity ? unbounded : n.max) * body;
    }
    case "backref":
      return unbounded;
  }
}

/** Longest lookaround body anywhere in the tree: how much context around a match the regex may read. */
function lookContext(n: Node): number {
  switch (n.kind) {
    case "seq":
      return Math.max(0, ...n.items.map(lookContext));
    case "alt":
      return Math.max(0, ...n.options.map(lookContext));
    case "look":
      return Math.max(maxLen(n.body), lookContext(n.body));
    case "group":
    case "repeat":
      return lookContext(n.body);
    default:
      return 0;
  }
}

function nullable(n: Node): boolean {
  switch (n.kind) {
    case "seq":
      return n.items.every(nullable);
    case "alt":
      return n.options.some(nullable);
    case "chars":
      return false;
    case "group":
      return nullable(n.body);
    case "repeat":
      return n.min === 0 || nullable(n.body);
    default:
      return true;
  }
}

function firstSet(n: Node, fold: boolean): CharBits {
  switch (n.kind) {
    case "seq": {
      let b = emptyBits();
      for (const x of n.items) {
        b = union(b, firstSet(x, fold));
        if (!nullable(x)) break;
      }
      return b;
    }
    case "alt":
      return n.options.reduce((b, o) => union(b, firstSet(o, fold)), emptyBits());
    case "chars":
      return fold ? foldCase(n.set) : n.set;
    case "group":
    case "repeat":
      return firstSet(n.body, fold);
    default:
      return emptyBits();
  }
}

/** The variable-length repeats a node can end with (followed only by nullable items). */
function trailingRepeats(n: Node): Array<Extract<Node, { kind: "repeat" }>> {
  switch (n.kind) {
    case "seq": {
      const out: Array<Extract<Node, { kind: "repeat" }>> = [];
      for (let k = n.items.length - 1; k >= 0; k--) {
        out.push(...trailingRepeats(n.items[k]!));
        if (!nullable(n.items[k]!)) break;
      }
      return out;
    }
    case "alt":
      return n.options.flatMap(trailingRepeats);
    case "group":
      return trailingRepeats(n.body);
    case "repeat":
      return n.max > n.min ? [n, ...trailingRepeats(n.body)] : trailingRepeats(n.body);
    default:
      return [];
  }
}

/** Largest finite language tracked by `literalCover` (strings per node). */
const LITERAL_SET_LIMIT = 64;
/** A character class with more distinct (case-folded) characters than this is "any character" to `literalCover`. */
const LITERAL_CLASS_LIMIT = 4;

/**
 * Per keyword, how far into a match an occurrence of it can start: every text the node matches holds an occurrence
 * of some keyword `k` of the map starting at most `lead.get(k)` characters after the text's start. Keywords not in
 * the map need not bound anything: a match always has an occurrence of one that is in it. One number per keyword,
 * not one for all (issue 7): the generic assignment rule's `key` can only start a match (lead 0), while `secret` in
 * `consumer_secret` starts 9 characters in, and `key` is by far the commonest of its keywords in code.
 */
export type Leads = ReadonlyMap<string, number>;

interface Literals {
  /** The node's whole language, lowercased, when it is finite and small; undefined otherwise. */
  set?: string[];
  /** Every text the node matches contains one of the keywords. */
  covered: boolean;
  /** When covered and bounded: where the keyword occurrences start (Leads); undefined when not bounded. */
  lead?: Leads;
}

function product(a: readonly string[], b: readonly string[]): string[] {
  const out = new Set<string>();
  for (const x of a) for (const y of b) out.add(x + y);
  return [...out];
}

/** Longest text a node can match, or Infinity (unlike maxLen's default, no cap for unbounded repeats). */
function trueMaxLen(n: Node): number {
  return maxLen(n, Infinity);
}

function shiftLeads(lead: Leads, by: number): Leads {
  if (by === 0) return lead;
  const out = new Map<string, number>();
  for (const [k, v] of lead) out.set(k, v + by);
  return out;
}

/** Alternatives: a match of either branch holds one of its own keywords, so each keyword takes the larger bound. */
function unionLeads(a: Leads, b: Leads): Leads {
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, Math.max(out.get(k) ?? -Infinity, v));
  return out;
}

/**
 * Two proofs for the same matches (two covering parts of a sequence): each is sound alone, mixing them is not (an
 * element-wise minimum would claim both bounds at once). Keep the one whose widest window is narrower, then the one
 * with the smaller total.
 */
function betterLeads(a: Leads | undefined, b: Leads | undefined): Leads | undefined {
  if (!a) return b;
  if (!b) return a;
  const widest = (l: Leads) => Math.max(...l.values());
  const total = (l: Leads) => [...l.values()].reduce((x, y) => x + y, 0);
  return widest(b) < widest(a) || (widest(b) === widest(a) && total(b) < total(a)) ? b : a;
}

/**
 * Whether every text the regex matches contains one of `keywords` (lowercase; compared case-insensitively, as the
 * prefilter does), and how far into a match the first such keyword can start, per keyword (Leads). ripgrep's
 * "required literal" idea in small: each node's language is tracked while finite and small (`[tT][oO][kK][eE][nN]`,
 * `api[-_]?key`, `(?:foo|bar)`), runs of such nodes in a sequence are multiplied out, and a sequence is covered when
 * one run's every string holds a keyword or one item is covered; an alternation when every branch is; a repeat when
 * it runs at least once and its body is. Zero-width parts (lookaround, anchors) add nothing. Sound, not complete: a
 * keyword straddling a wide class is not seen, and the answer is then false (the matcher runs over the whole text).
 */
function literalCover(n: Node, keywords: readonly string[], fold: boolean, limit: number): Literals {
  /** The earliest keyword occurrence in `s` (the longest keyword on a tie), or undefined. */
  const earliest = (s: string): [string, number] | undefined => {
    let best: [string, number] | undefined;
    for (const k of keywords) {
      const i = s.indexOf(k);
      if (i >= 0 && (!best || i < best[1] || (i === best[1] && k.length > best[0].length))) best = [k, i];
    }
    return best;
  };
  /** The cover a finite set gives on its own: each string's earliest keyword occurrence. */
  const fromSet = (set: string[]): Literals => {
    if (set.length === 0) return { set, covered: false };
    const lead = new Map<string, number>();
    for (const s of set) {
      const e = earliest(s);
      if (!e) return { set, covered: false };
      lead.set(e[0], Math.max(lead.get(e[0]) ?? 0, e[1]));
    }
    return { set, covered: true, lead };
  };
  /** A node's own cover, improved by what its finite language proves when that is known and small. */
  const withSet = (set: string[] | undefined, covered: boolean, lead: Leads | undefined): Literals => {
    if (!set || set.length > limit) return lead ? { covered, lead } : { covered };
    const own = fromSet(set);
    const best = betterLeads(lead, own.lead);
    return best ? { set, covered: covered || own.covered, lead: best } : { set, covered: covered || own.covered };
  };
  switch (n.kind) {
    case "chars": {
      if (n.set.nonAscii) return { covered: false };
      const chars = new Set<string>();
      const set = fold ? foldCase(n.set) : n.set;
      for (let c = 0; c < 128; c++) {
        if ((set.bits[c >> 5]! & (1 << (c & 31))) === 0) continue;
        chars.add(String.fromCharCode(c).toLowerCase());
        if (chars.size > LITERAL_CLASS_LIMIT) return { covered: false };
      }
      return fromSet([...chars]);
    }
    case "assert":
    case "look":
      return { set: [""], covered: false };
    case "backref":
      return { covered: false };
    case "group":
      return literalCover(n.body, keywords, fold, limit);
    case "alt": {
      const parts = n.options.map((o) => literalCover(o, keywords, fold, limit));
      const covered = parts.every((p) => p.covered);
      let lead: Leads | undefined;
      if (covered && parts.every((p) => p.lead)) lead = parts.map((p) => p.lead!).reduce(unionLeads);
      const set = parts.every((p) => p.set) ? [...new Set(parts.flatMap((p) => p.set!))] : undefined;
      return withSet(set, covered, lead);
    }
    case "repeat": {
      const body = literalCover(n.body, keywords, fold, limit);
      const covered = n.min >= 1 && body.covered;
      const lead = covered ? body.lead : undefined; // the first repetition starts the match
      let set: string[] | undefined;
      if (body.set && n.max !== Infinity) {
        set = n.min === 0 ? [""] : [];
        let power = [""];
        for (let k = 1; k <= n.max && set; k++) {
          power = product(power, body.set);
          if (power.length > limit) set = undefined;
          else if (k >= n.min) set = [...new Set([...set, ...power])];
          if (set && set.length > limit) set = undefined;
        }
      }
      return withSet(set, covered, lead);
    }
    case "seq": {
      let lead: Leads | undefined;
      let offset = 0; // longest text the items before the current one can match
      let run: string[] = [""];
      let runStart = 0; // offset at which the current run starts
      let whole: string[] | undefined = [""];
      const flush = () => {
        if (runStart < Infinity) {
          const own = fromSet(run);
          if (own.lead) lead = betterLeads(lead, shiftLeads(own.lead, runStart));
        }
        run = [""];
      };
      for (const item of n.items) {
        const lit = literalCover(item, keywords, fold, limit);
        if (lit.covered && lit.lead && offset < Infinity) lead = betterLeads(lead, shiftLeads(lit.lead, offset));
        if (lit.set && run.length * lit.set.length <= limit) {
          if (run.length === 1 && run[0] === "") runStart = offset;
          run = product(run, lit.set);
        } else {
          flush();
          if (lit.set) {
            run = lit.set.slice();
            runStart = offset;
          }
        }
        whole = whole && lit.set && whole.length * lit.set.length <= limit ? product(whole, lit.set) : undefined;
        offset += trueMaxLen(item);
        if (run.length === 1 && run[0] === "") runStart = offset;
      }
      flush();
      // `lead` is set exactly when a covering part sits at a bounded offset.
      if (whole) return withSet(whole, lead !== undefined, lead);
      // A covering part at an unbounded offset still covers; only its lead is unknown.
      if (lead) return { covered: true, lead };
      return { covered: coveredAnywhere(n, keywords, fold, limit) };
    }
  }
}

/** Coverage of a sequence when a covering part lies after an unbounded item (its lead is then unknown). */
function coveredAnywhere(n: Extract<Node, { kind: "seq" }>, keywords: readonly string[], fold: boolean, limit: number): boolean {
  let run: string[] = [""];
  const holdsAll = (set: readonly string[]) => set.length > 0 && set.every((x) => keywords.some((k) => x.includes(k)));
  for (const item of n.items) {
    const lit = literalCover(item, keywords, fold, limit);
    if (lit.covered) return true;
    if (lit.set && run.length * lit.set.length <= limit) run = product(run, lit.set);
    else {
      if (holdsAll(run)) return true;
      run = lit.set ? lit.set.slice() : [""];
    }
  }
  return holdsAll(run);
}

/**
 * Whether every match of the regex contains (case-insensitively) one of the lowercase `keywords`. `limit` bounds the
 * tracked languages (a larger one proves more, slower; start-up uses the default).
 */
export function keywordsCoverMatches(source: string, flags: string, keywords: readonly string[], limit = LITERAL_SET_LIMIT): boolean {
  return keywordLead(source, flags, keywords, limit) !== undefined;
}

/**
 * When every match contains one of `keywords`: per keyword, the most characters between a match's start and an
 * occurrence of that keyword in it (Leads: every match has such an occurrence of one keyword of the map; the map is
 * empty when covered but not bounded); undefined when not covered.
 */
export function keywordLeads(source: string, flags: string, keywords: readonly string[], limit = LITERAL_SET_LIMIT): Leads | undefined {
  if (keywords.length === 0) return undefined;
  const cover = literalCover(parseRegex(source, flags), keywords, flags.includes("i"), limit);
  if (!cover.covered) return undefined;
  return cover.lead ?? new Map();
}

/**
 * When every match contains one of `keywords`: the most characters between a match's start and the start of the
 * first keyword occurrence in it, over all keywords (Infinity when covered but not bounded); undefined when not covered.
 */
export function keywordLead(source: string, flags: string, keywords: readonly string[], limit = LITERAL_SET_LIMIT): number | undefined {
  const leads = keywordLeads(source, flags, keywords, limit);
  if (!leads) return undefined;
  return leads.size === 0 ? Infinity : Math.max(...leads.values());
}

export interface RegexAnalysis {
  /** What a match can start with; undefined when it can be empty (then any position may match). */
  startSet?: StartSet;
  /** Upper bound on one match's length (unbounded repeats counted as UNBOUNDED_REPEAT). */
  maxLength: number;
  /** Context the regex reads around a match (lookaround lengths). */
  context: number;
  /** Catastrophic-backtracking risks, in words; empty when none were found. */
  risks: string[];
  /** True when the pattern has an unbounded quantifier. */
  unbounded: boolean;
}

function hasUnbounded(n: Node): boolean {
  switch (n.kind) {
    case "seq":
      return n.items.some(hasUnbounded);
    case "alt":
      return n.options.some(hasUnbounded);
    case "look":
    case "group":
      return hasUnbounded(n.body);
    case "repeat":
      return n.max === Infinity || hasUnbounded(n.body);
    default:
      return false;
  }
}

function findRisks(n: Node, fold: boolean, risks: string[]): void {
  switch (n.kind) {
    case "seq": {
      n.items.forEach((x) => findRisks(x, fold, risks));
      // Adjacent unbounded repeats over overlapping characters: quadratic work per start position.
      for (let k = 0; k + 1 < n.items.length; k++) {
        const a = n.items[k]!;
        if (a.kind !== "repeat" || a.max !== Infinity) continue;
        for (let j = k + 1; j < n.items.length; j++) {
          const b = n.items[j]!;
          if (b.kind === "repeat" && b.max === Infinity && intersects(firstSet(a.body, fold), firstSet(b.body, fold))) {
            risks.push("two adjacent unbounded quantifiers can match the same characters (quadratic backtracking)");
          }
          if (!nullable(b)) break;
        }
      }
      return;
    }
    case "alt":
      n.options.forEach((x) => findRisks(x, fold, risks));
      return;
    case "look":
    case "group":
      findRisks(n.body, fold, risks);
      return;
    case "repeat": {
      findRisks(n.body, fold, risks);
      if (n.max <= SMALL_REPEAT) return;
      const start = firstSet(n.body, fold);
      for (const inner of trailingRepeats(n.body)) {
        if (inner === n) continue;
        if (intersects(firstSet(inner.body, fold), start) || nullable(n.body)) {
          risks.push("nested quantifier: a repeated group ends in a variable-length part that can also start the next repetition (exponential backtracking)");
          break;
        }
      }
      const alts = collectTopAlternatives(n.body);
      for (let a = 0; a < alts.length; a++) {
        for (let b = a + 1; b < alts.length; b++) {
          if (intersects(firstSet(alts[a]!, fold), firstSet(alts[b]!, fold))) {
            risks.push("alternatives under a quantifier can start with the same character (exponential backtracking)");
            return;
          }
        }
      }
      return;
    }
    default:
      return;
  }
}

function collectTopAlternatives(n: Node): Node[] {
  if (n.kind === "alt") return n.options;
  if (n.kind === "group") return collectTopAlternatives(n.body);
  if (n.kind === "seq" && n.items.length === 1) return collectTopAlternatives(n.items[0]!);
  return [];
}

/**
 * The characters a match can begin with: ASCII ones as 128 bits (four 32-bit words), and whether any non-ASCII
 * character can. Issue 7: the matcher tries a regex at each possible start of a narrow window (scan-text.ts), and
 * most tries fail on the first character (`EAA…` tried at every lowercase `eaa`): one table lookup rules them out.
 */
export interface StartSet {
  bits: [number, number, number, number];
  nonAscii: boolean;
}

/** First characters of a node's matches, and whether it can match the empty string (then what follows counts too). */
function firstChars(n: Node, fold: boolean): { set: CharBits; nullable: boolean } {
  switch (n.kind) {
    case "chars":
      return { set: fold ? foldCase(n.set) : n.set, nullable: false };
    case "assert":
    case "look":
      return { set: emptyBits(), nullable: true };
    case "backref":
      return { set: invert(emptyBits()), nullable: true }; // anything, possibly nothing
    case "group":
      return firstChars(n.body, fold);
    case "alt": {
      let set = emptyBits();
      let nullable = false;
      for (const o of n.options) {
        const f = firstChars(o, fold);
        set = union(set, f.set);
        nullable ||= f.nullable;
      }
      return { set, nullable };
    }
    case "repeat": {
      if (n.max === 0) return { set: emptyBits(), nullable: true };
      const f = firstChars(n.body, fold);
      return { set: f.set, nullable: f.nullable || n.min === 0 };
    }
    case "seq": {
      let set = emptyBits();
      for (const item of n.items) {
        const f = firstChars(item, fold);
        set = union(set, f.set);
        if (!f.nullable) return { set, nullable: false };
      }
      return { set, nullable: true };
    }
  }
}

/** Analyse a JS regex source. Throws if the source cannot be parsed (it is validated by `new RegExp` first). */
export function analyseRegex(source: string, flags = ""): RegexAnalysis {
  const tree = parseRegex(source, flags);
  const risks: string[] = [];
  findRisks(tree, flags.includes("i"), risks);
  const first = firstChars(tree, flags.includes("i"));
  const startSet: StartSet | undefined = first.nullable ? undefined : { bits: [first.set.bits[0]!, first.set.bits[1]!, first.set.bits[2]!, first.set.bits[3]!], nonAscii: first.set.nonAscii };
  return { maxLength: maxLen(tree), context: lookContext(tree), risks: [...new Set(risks)], unbounded: hasUnbounded(tree), ...(startSet ? { startSet } : {}) };
}
