/**
 * The matcher core: one text in, the secrets in it out. Steps, in order: the prefilter picks the matchers whose
 * keywords occur; each picked regex runs over the text; every candidate passes the filters (placeholder, rule allow
 * list, entropy, checksum, context words near it); candidates that cover the same characters are reduced to one,
 * the most specific rule winning (a checksummed format beats a bare format, which beats a usage, which beats a
 * generic rule); positions are computed; inline allow comments are applied. It is synchronous and pure so that it
 * can run in worker threads and be property-tested; it knows nothing about files, git or output.
 */
import { allowedInline, mayContainAllow } from "./filters/inline-allow.js";
import { checksumValid } from "./filters/checksum.js";
import { shannonEntropy } from "./filters/entropy.js";
import { isPlaceholder } from "./filters/placeholder.js";
import { LineIndex } from "./lines.js";
import type { Matcher, Rule, RuleSet } from "./rule.js";

export type Confidence = "high" | "medium" | "low";

export interface TextFinding {
  rule: Rule;
  /** How it was found: `format`, `header:api-key`, `env:GETIMG_API_KEY`, … */
  usage: string;
  secret: string;
  /** UTF-16 offsets of the secret in the text. */
  start: number;
  end: number;
  line: number;
  column: number;
  endLine: number;
  /** Exclusive: the column just after the secret's last character. */
  endColumn: number;
  entropy: number;
  confidence: Confidence;
}

export interface ScanTextOptions {
  /** Honour inline allow comments (default true). */
  inlineAllow?: boolean;
}

interface Candidate {
  matcher: Matcher;
  secret: string;
  start: number;
  end: number;
  entropy: number;
}

function confidenceOf(m: Matcher): Confidence {
  if (m.rule.generic) return "low";
  return m.specificity >= 40 ? "high" : m.specificity >= 25 ? "medium" : "low";
}

export function scanText(text: string, ruleset: RuleSet, options: ScanTextOptions = {}): TextFinding[] {
  if (text.length === 0) return [];
  const selected = ruleset.prefilter.select(text);
  if (selected.length === 0) return [];
  let lines: LineIndex | undefined;
  const index = (): LineIndex => (lines ??= new LineIndex(text));
  const candidates: Candidate[] = [];

  // Issue 7: matchers with the same regex (e.g. one `Authorization: Bearer <any>` usage per provider, which a
  // common keyword selects all at once) run it once; each match is then filtered per matcher as before.
  for (const group of byRegex(selected)) {
    const re = group[0]!.regex;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const span = m.indices?.groups?.secret;
      if (!span) continue;
      const [start, end] = span;
      const secret = text.slice(start, end);
      if (isPlaceholder(secret)) continue;
      let entropy = -1;
      for (const matcher of group) {
        const rule = matcher.rule;
        if (rule.allow.length > 0 && rule.allow.some((a) => a.test(secret))) continue;
        if (entropy < 0) entropy = shannonEntropy(secret);
        if (matcher.minEntropy !== undefined && entropy < matcher.minEntropy) continue;
        if (rule.checksum && !checksumValid(rule.checksum, secret)) continue;
        if (matcher.near && !nearby(index(), start, end, matcher.near, matcher.nearLines)) continue;
        candidates.push({ matcher, secret, start, end, entropy });
      }
    }
  }
  if (candidates.length === 0) return [];

  // One finding per secret per location: among candidates covering overlapping characters, the most specific wins.
  candidates.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Candidate[] = [];
  let group: Candidate[] = [];
  let groupEnd = -1;
  const flush = () => {
    if (group.length > 0) kept.push(best(group));
    group = [];
  };
  for (const c of candidates) {
    if (c.start >= groupEnd) {
      flush();
      groupEnd = c.end;
    } else groupEnd = Math.max(groupEnd, c.end);
    group.push(c);
  }
  flush();

  const li = index();
  const checkAllow = options.inlineAllow !== false && mayContainAllow(text);
  const out: TextFinding[] = [];
  for (const c of kept) {
    const s = li.position(c.start);
    const e = li.position(c.end);
    if (checkAllow && allowedInline(li.lineText(s.line), s.line > 1 ? li.lineText(s.line - 1) : undefined)) continue;
    out.push({
      rule: c.matcher.rule,
      usage: c.matcher.usage,
      secret: c.secret,
      start: c.start,
      end: c.end,
      line: s.line,
      column: s.column,
      endLine: e.line,
      endColumn: e.column,
      entropy: Math.round(c.entropy * 100) / 100,
      confidence: confidenceOf(c.matcher),
    });
  }
  return out;
}

/** Selected matchers grouped by identical regex (source and flags), in first-seen order. */
function byRegex(selected: readonly Matcher[]): Matcher[][] {
  if (selected.length === 1) return [selected as Matcher[]];
  const groups = new Map<string, Matcher[]>();
  for (const m of selected) {
    const key = `${m.regex.flags}/${m.regex.source}`;
    const g = groups.get(key);
    if (g) g.push(m);
    else groups.set(key, [m]);
  }
  return [...groups.values()];
}

function best(group: Candidate[]): Candidate {
  let b = group[0]!;
  for (const c of group.slice(1)) {
    const d = c.matcher.specificity - b.matcher.specificity || c.secret.length - b.secret.length || (c.matcher.rule.id < b.matcher.rule.id ? 1 : c.matcher.rule.id > b.matcher.rule.id ? -1 : 0);
    if (d > 0) b = c;
  }
  return b;
}

function nearby(li: LineIndex, start: number, end: number, words: readonly string[], within: number): boolean {
  const from = li.lineOf(start) - within;
  const to = li.lineOf(end) + within;
  const window = li.slice(from, to).toLowerCase();
  return words.some((w) => window.includes(w));
}
