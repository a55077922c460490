/**
 * Keyword leads: whether every match of a pattern holds one of its keywords, and how far into a match each keyword's
 * occurrence can start. This is what lets a matcher run only in windows around its keywords' occurrences
 * (windows.ts) instead of over the whole text.
 */
import { foldCase, type CharBits } from "./char-set.js";
import { trueMaxLen } from "./length.js";
import { parseRegex, type Node } from "./parse.js";

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
function literalCover(n: Node, keywords: readonly string[], fold: boolean, limit: number, exact = false): Literals {
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
      const chars = classChars(n.set, fold, exact, LITERAL_CLASS_LIMIT);
      return chars ? fromSet([...chars]) : { covered: false };
    }
    case "assert":
    case "look":
      return { set: [""], covered: false };
    case "backref":
      return { covered: false };
    case "group":
      return literalCover(n.body, keywords, fold, limit, exact);
    case "alt": {
      const parts = n.options.map((o) => literalCover(o, keywords, fold, limit, exact));
      const covered = parts.every((p) => p.covered);
      let lead: Leads | undefined;
      if (covered && parts.every((p) => p.lead)) lead = parts.map((p) => p.lead!).reduce(unionLeads);
      const set = parts.every((p) => p.set) ? [...new Set(parts.flatMap((p) => p.set!))] : undefined;
      return withSet(set, covered, lead);
    }
    case "repeat": {
      const body = literalCover(n.body, keywords, fold, limit, exact);
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
        const lit = literalCover(item, keywords, fold, limit, exact);
        if (lit.covered && lit.lead && offset < Infinity) lead = betterLeads(lead, shiftLeads(lit.lead, offset));
        if (lit.set && run.length * lit.set.length <= limit) {
          if (run.length === 1 && run[0] === "") runStart = offset;
          run = product(run, lit.set);
        } else {
          // The run followed by this item's first character (when it cannot match empty) is a prefix of every text
          // the two match: a keyword that straddles them (`token"`: a names alternation, then a quote) is seen.
          const h = run.length === 1 && run[0] === "" ? undefined : heads(item, fold, exact);
          if (h?.chars && !h.empty && runStart < Infinity && run.length * h.chars.size <= limit) {
            const own = fromSet(product(run, [...h.chars]));
            if (own.lead) lead = betterLeads(lead, shiftLeads(own.lead, runStart));
          }
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
      return { covered: coveredAnywhere(n, keywords, fold, limit, exact) };
    }
  }
}

/**
 * A character class's characters as literalCover compares them (case-folded under `fold`, lowercased unless
 * `exact`), or undefined past `limit` of them or with any beyond ASCII.
 */
function classChars(set: CharBits, fold: boolean, exact: boolean, limit: number): Set<string> | undefined {
  if (set.nonAscii) return undefined;
  const bits = fold ? foldCase(set) : set;
  const chars = new Set<string>();
  for (let c = 0; c < 128; c++) {
    if ((bits.bits[c >> 5]! & (1 << (c & 31))) === 0) continue;
    chars.add(exact ? String.fromCharCode(c) : String.fromCharCode(c).toLowerCase());
    if (chars.size > limit) return undefined;
  }
  return chars;
}

/** Characters `heads` tracks before it gives up (more: "any character"). */
const HEAD_CHARS_LIMIT = 8;

/**
 * The characters a non-empty match of `n` can start with (lowercased unless `exact`, as literalCover's), or undefined
 * when there are more than HEAD_CHARS_LIMIT or they are not known; `empty`: whether `n` can match the empty string
 * (zero-width parts can, and add no character).
 */
function heads(n: Node, fold: boolean, exact: boolean): { chars: Set<string> | undefined; empty: boolean } {
  switch (n.kind) {
    case "chars":
      return { chars: classChars(n.set, fold, exact, HEAD_CHARS_LIMIT), empty: false };
    case "assert":
    case "look":
      return { chars: new Set(), empty: true };
    case "backref":
      return { chars: undefined, empty: true };
    case "group":
      return heads(n.body, fold, exact);
    case "repeat": {
      const body = heads(n.body, fold, exact);
      return { chars: body.chars, empty: n.min === 0 || body.empty };
    }
    case "alt": {
      const chars = new Set<string>();
      let empty = false;
      for (const o of n.options) {
        const h = heads(o, fold, exact);
        if (!h.chars) return { chars: undefined, empty: true };
        for (const c of h.chars) chars.add(c);
        empty ||= h.empty;
      }
      return chars.size > HEAD_CHARS_LIMIT ? { chars: undefined, empty } : { chars, empty };
    }
    case "seq": {
      const chars = new Set<string>();
      for (const item of n.items) {
        const h = heads(item, fold, exact);
        if (!h.chars) return { chars: undefined, empty: true };
        for (const c of h.chars) chars.add(c);
        if (chars.size > HEAD_CHARS_LIMIT) return { chars: undefined, empty: true };
        if (!h.empty) return { chars, empty: false };
      }
      return { chars, empty: true };
    }
  }
}

/** Coverage of a sequence when a covering part lies after an unbounded item (its lead is then unknown). */
function coveredAnywhere(n: Extract<Node, { kind: "seq" }>, keywords: readonly string[], fold: boolean, limit: number, exact: boolean): boolean {
  let run: string[] = [""];
  const holdsAll = (set: readonly string[]) => set.length > 0 && set.every((x) => keywords.some((k) => x.includes(k)));
  for (const item of n.items) {
    const lit = literalCover(item, keywords, fold, limit, exact);
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

/**
 * Issue 16: the keywords' exact spellings, when every match of the regex holds one of them letter for letter (the
 * same analysis without case folding; never under the `i` flag), with the leads of those exact occurrences. The
 * prefilter then skips occurrences in another case: `eyJ` starts every JWT, and `eyj` in any case is common inside
 * base64 and source maps; `SK` starts a Twilio key, `sk` ends `task` and `disk`.
 */
export function exactKeywordLeads(source: string, flags: string, spellings: readonly string[], limit = LITERAL_SET_LIMIT): Leads | undefined {
  if (spellings.length === 0 || flags.includes("i")) return undefined;
  const cover = literalCover(parseRegex(source, flags), spellings, false, limit, true);
  if (!cover.covered) return undefined;
  return cover.lead ?? new Map();
}

/**
 * A format's keywords as its pattern spells them, when every match holds one of them letter for letter
 * (exactKeywordLeads proves it; the spelling is read off the pattern's text and proved, never assumed), with the leads
 * of those exact occurrences keyed by the lowercase keyword. The prefilter then ignores occurrences in another case
 * (issue 16: `eyJ`, `SK`, `SCW` in any case are common in code and base64; as written they are rare).
 */
export function exactSpellings(source: string, flags: string, keywords: readonly string[]): { spellings: string[]; leads: Leads } | undefined {
  if (keywords.length === 0 || flags.includes("i")) return undefined;
  const lower = source.toLowerCase();
  const spellings: string[] = [];
  for (const k of keywords) {
    const at = lower.indexOf(k);
    if (at < 0) return undefined;
    spellings.push(source.slice(at, at + k.length));
  }
  const leads = exactKeywordLeads(source, flags, spellings);
  if (!leads) return undefined;
  return { spellings, leads: new Map([...leads].map(([k, v]) => [k.toLowerCase(), v])) };
}

/**
 * The language bound of formatLeads' second try: enough for a literal before a names alternation (~150 strings), or
 * the alternation followed by one of a few characters (generic.secret-named-argument's `token"`, issue 16).
 */
const WIDE_LITERAL_LIMIT = 1024;

/**
 * keywordLeads for a format (compile.ts anchorFor), with a second try under a larger language bound for a pattern
 * whose names alternation multiplies out past the default: `--` before ~150 spellings of secret names
 * (generic.cli-secret-flag, issue 16). Only patterns the default cannot prove pay for it.
 */
export function formatLeads(source: string, flags: string, keywords: readonly string[]): Leads | undefined {
  return keywordLeads(source, flags, keywords) ?? keywordLeads(source, flags, keywords, WIDE_LITERAL_LIMIT);
}
