/**
 * The matcher core: one text in, the secrets in it out. Steps, in order: the prefilter picks the matchers whose
 * keywords occur; each picked regex runs over the text; every candidate passes the filters (placeholder, rule allow
 * list, entropy, checksum, context words near it); candidates that cover the same characters are reduced to one,
 * the most specific rule winning (a checksummed format beats a bare format, which beats a usage, which beats a
 * generic rule); encoded runs (base64, hex, percent) are decoded and scanned too, their findings reported at the
 * encoded text (decode.ts); positions are computed; inline allow comments are applied. It is synchronous and pure so
 * that it can run in worker threads and be property-tested; it knows nothing about files, git or output. Windows are
 * bounded: a text longer than SLICE_SIZE is matched in slices that overlap by each matcher's longest possible match
 * (regex/length.ts), so no match is lost at a boundary and no regex ever sees an unbounded window; `near` context
 * and line lookups are clipped to a few KiB around the match, so a 50 MB minified line costs no more than a short one.
 */
import { encodedSegments, type Encoding } from "./decode.js";
import { concatenatedPem } from "./concat.js";
import { allowedInline, mayContainAllow } from "./filters/inline-allow.js";
import { checksumValid } from "./filters/checksum.js";
import { shannonEntropy } from "./filters/entropy.js";
import { runParser } from "./filters/parse.js";
import { isPasswordPlaceholder } from "./filters/password.js";
import { isPlaceholder } from "./filters/placeholder.js";
import { randomness } from "./filters/randomness.js";
import { LineIndex } from "./lines.js";
import type { Matcher, Rule, RuleSet } from "./rule.js";
import { scopePath } from "./path-scope.js";
import { MAX_OVERLAP, NEAR_RADIUS, SLICE_SIZE } from "./limits.js";
import { rangesTooWide, runInRanges } from "./regex/windows.js";
import { fileContext, forgetFileContext } from "./file-context.js";
import { nearWords } from "./near-words.js";
import { type Literal, MAX_TEXT, References } from "./references.js";
import { forgetTables, isPasswordHash, sqlCells } from "./sql-columns.js";
import { inlineMapPayload, looksLikeSourceMap, mappingsRange } from "./source-map.js";

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
  /** Facts parsed offline from the secret (JWT issuer and expiry, Basic-auth user…). */
  details?: Record<string, unknown>;
  /** Set when the secret was found inside encoded text: the encodings, outermost first (e.g. ["base64"]). */
  decoded?: Encoding[];
  /** Set (with `keepAllowed`) when an inline allow comment covers the finding: the scan drops and counts it. */
  allowedInline?: true;
}

export interface ScanTextOptions {
  /** Honour inline allow comments (default true). */
  inlineAllow?: boolean;
  /**
   * Return findings an inline allow comment covers, marked `allowedInline`, instead of dropping them, so the scan can
   * count them among what is not shown (issue 20) after its own filters (added lines, path scope) have run.
   */
  keepAllowed?: boolean;
  /** How many layers of encoding to look through (default 2; 0 turns decoding off). */
  decodeDepth?: number;
  /**
   * The text's path (as reported). Rules scoped to paths (`Rule.pathOnly`, path-scope.ts) run only when it matches
   * them; without a path they do not run at all.
   */
  path?: string;
}

interface Candidate {
  matcher: Matcher;
  secret: string;
  start: number;
  end: number;
  entropy: number;
  /** Set where the context decides it (issue 17): a usage with its host near it (high) or elsewhere in the file (medium). */
  confidence?: Confidence;
  /** Characters from the usage to its context words, when they are not within its lines (file-context.ts). */
  distance?: number;
  /** How it was found, when not the matcher's own usage (a reference names its identifier: `header:api-key→API_KEY`). */
  usage?: string;
  details?: Record<string, unknown>;
  decoded?: Encoding[];
}

/** Characters around one finding that its inline-allow check reads (its line and the one above, each clipped). */
const ALLOW_SPAN = 4 * NEAR_RADIUS;

/** Characters of context kept before each slice, for lookbehind. */
const SLICE_CONTEXT = 256;
export const DEFAULT_DECODE_DEPTH = 2;

function confidenceOf(m: Matcher): Confidence {
  if (m.rule.generic) return "low";
  if (m.rule.pathOnly) return "high"; // a credential file's own field, recognised by the file's name and structure
  return m.specificity >= 40 ? "high" : m.specificity >= 25 ? "medium" : "low";
}

export function scanText(text: string, ruleset: RuleSet, options: ScanTextOptions = {}): TextFinding[] {
  try {
    return scanOne(text, ruleset, options);
  } finally {
    // Issue 21: the per-text memos (near window, file-wide context, SQL tables) each held the last text they saw,
    // so up to four files' texts (10 MB each at the default --max-file-size; a 9 MB file's text was live in a
    // mid-scan heap snapshot) outlived their scans on every matching thread.
    lastWindow = undefined;
    forgetFileContext();
    forgetTables();
    // V8 keeps the subject of the last successful regex match (for the legacy RegExp.input / RegExp.$_), which held
    // the whole last text too: a match on an empty string replaces it.
    FORGET_SUBJECT.exec("");
  }
}

const FORGET_SUBJECT = /^/;

function scanOne(text: string, ruleset: RuleSet, options: ScanTextOptions): TextFinding[] {
  if (text.length === 0) return [];
  let lines: LineIndex | undefined;
  const index = (): LineIndex => (lines ??= new LineIndex(text));
  const path = options.path !== undefined ? scopePath(options.path) : undefined;
  const kept = collectCandidates(text, ruleset, options.decodeDepth ?? DEFAULT_DECODE_DEPTH, index, path);
  if (kept.length === 0) return [];

  const li = index();
  // The whole-text marker test pays only where findings are dense: a file with a finding or two (the usual case, and
  // a tree with secrets planted in 2,235 files) looks at their own lines, not at all of it (issue 21: the whole-text
  // test was 55 µs per such file here, ~10 % of what a planted secret added to its file's scan).
  const checkAllow = options.inlineAllow !== false && (kept.length * ALLOW_SPAN < text.length ? true : mayContainAllow(text));
  const out: TextFinding[] = [];
  for (const c of kept) {
    const s = li.position(c.start);
    const e = li.position(c.end);
    let allowed = false;
    if (checkAllow) {
      const previous = s.line > 1 ? li.lineAround(li.lineStart(s.line) - 1, NEAR_RADIUS) : undefined;
      allowed = allowedInline(li.lineAround(c.start, NEAR_RADIUS), previous);
      if (allowed && !options.keepAllowed) continue;
    }
    out.push({
      rule: c.matcher.rule,
      usage: c.usage ?? c.matcher.usage,
      secret: c.secret,
      start: c.start,
      end: c.end,
      line: s.line,
      column: s.column,
      endLine: e.line,
      endColumn: e.column,
      entropy: Math.round(c.entropy * 100) / 100,
      confidence: c.confidence ?? confidenceOf(c.matcher),
      ...(c.details ? { details: c.details } : {}),
      ...(c.decoded ? { decoded: c.decoded } : {}),
      ...(allowed ? { allowedInline: true as const } : {}),
    });
  }
  return out;
}

/** Run one matcher over the text, in bounded overlapping slices when the text is long; calls `found` per match. */
function runMatcher(text: string, matcher: Matcher, found: (m: RegExpExecArray, offset: number) => void): void {
  const re = matcher.regex;
  const overlap = Math.min(MAX_OVERLAP, matcher.maxMatchLength ?? MAX_OVERLAP);
  if (text.length <= SLICE_SIZE + overlap) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      if (m[0].length === 0) re.lastIndex++;
      found(m, 0);
    }
    return;
  }
  for (let from = 0; from < text.length; from += SLICE_SIZE) {
    // The window starts a little before the slice (lookbehind context) and runs `overlap` past it, so every match
    // that starts inside the slice lies wholly inside the window; matches starting later belong to the next slice.
    const winStart = Math.max(0, from - SLICE_CONTEXT);
    const winEnd = Math.min(text.length, from + SLICE_SIZE + overlap + SLICE_CONTEXT);
    const window = text.slice(winStart, winEnd);
    const sliceEnd = from + SLICE_SIZE - winStart;
    re.lastIndex = from - winStart;
    let m: RegExpExecArray | null;
    while ((m = re.exec(window)) !== null) {
      if (m.index >= sliceEnd) break;
      if (m[0].length === 0) re.lastIndex++;
      // A match running into the window's end may have been cut short by it: the next slice sees it whole.
      if (winEnd < text.length && m.index + m[0].length > winEnd - winStart - SLICE_CONTEXT) continue;
      found(m, winStart);
    }
  }
}

/** Candidates in `text` (offsets relative to it), filtered and reduced to one per location; recurses into encodings. */
function collectCandidates(text: string, ruleset: RuleSet, depth: number, index: () => LineIndex, path: string | undefined): Candidate[] {
  // A source map's VLQ positions: never a secret, yet half of all keyword occurrences in npm code (source-map.ts).
  // And an inline map's base64 payload: decoded and scanned below, its characters spell keywords by chance.
  const skip = looksLikeSourceMap(text) ? mappingsRange(text) : undefined;
  const selection = ruleset.prefilter.selectAt(text, skip ?? inlineMapPayload(text));
  const candidates: Candidate[] = [];

  // Issue 7: matchers with the same regex (e.g. one `Authorization: Bearer <any>` usage per provider, which a
  // common keyword selects all at once) run it once; each match is then filtered per matcher.
  let refs: References | undefined;
  for (const group of byRegex(inScope(selection.matchers, ruleset, path))) {
    const ranges = selection.startRanges(group, text.length);
    const run = ranges && !rangesTooWide(ranges) ? (found: (m: RegExpExecArray, offset: number) => void) => runInRanges(text, group[0]!, ranges, found) : (found: (m: RegExpExecArray, offset: number) => void) => runMatcher(text, group[0]!, found);
    const isRef = group[0]!.refValue !== undefined;
    const extract = group[0]!.extract;
    run((m, offset) => {
      const span = m.indices?.groups?.secret;
      if (!span) return;
      const start = span[0] + offset;
      const end = span[1] + offset;
      if (extract) {
        // A statement whose columns the rule names (issue 17): each wanted cell is a candidate.
        for (const cell of sqlCells(text, extract.statement, text.slice(start, end), m.index + m[0].length + offset, extract.columns)) {
          if (isPasswordHash(cell.value)) continue;
          for (const matcher of group) {
            const value = matcher.extract!.value.exec(cell.value);
            const inner = value?.indices?.groups?.secret ?? (value ? [0, cell.value.length] : undefined);
            if (!inner) continue;
            const s = cell.start + inner[0];
            const c = accept(matcher, text.slice(s, cell.start + inner[1]), cell.value, s, index, new Memo());
            if (c) candidates.push({ ...c, usage: `sql-column:${cell.column}` });
          }
        }
        return;
      }
      if (isRef) {
        // One hop (issue 17): the usage holds an identifier; the literal assigned to it is the candidate.
        if (text.length > MAX_TEXT) return;
        // What stands where an identifier may is a literal when it looks random (`ALTTEXT_API_KEY=atai_…` in a .env
        // line): no hop, and never a secret in the usage that names the identifier (a property test found one).
        if (randomness(text.slice(start, end)).random) return;
        let literal: Literal | undefined | null = null;
        for (const matcher of group) {
          const where = usageContext(text, matcher, start, end);
          if (where === undefined) continue;
          if (literal === null) literal = (refs ??= new References(text)).resolve(text.slice(start, end), start);
          if (literal === undefined) return;
          const value = matcher.refValue!.exec(literal.value);
          const inner = value?.indices?.groups?.secret;
          if (!value || !inner) continue;
          const s = literal.start + inner[0];
          const c = accept(matcher, text.slice(s, literal.start + inner[1]), literal.value, s, index, new Memo());
          if (c) candidates.push({ ...c, ...where, usage: matcher.usage.replace(/→var$/, `→${literal.name}`) });
        }
        return;
      }
      const memo = new Memo();
      const secret = text.slice(start, end);
      for (const matcher of group) {
        const c = accept(matcher, secret, m[0], start, index, memo);
        if (!c) continue;
        if (!matcher.near) candidates.push(c);
        else {
          const where = usageContext(text, matcher, start, end);
          if (where !== undefined) candidates.push({ ...c, ...where });
        }
      }
    });
  }

  const kept = dedupe(candidates);
  if (depth <= 0) return kept;

  // Secrets inside encoded runs: found in the decoded text, reported at the run. A direct finding on the run that
  // is at least as specific wins (a key that happens to look like base64); otherwise the decoded one replaces it.
  const decoded: Candidate[] = [];
  // Issue 17: a PEM key written as concatenated string pieces is scanned joined, like a decoded run (concat.ts).
  const segments: Array<{ start: number; end: number; encoding: Encoding; text: string }> = encodedSegments(text, skip);
  for (const run of concatenatedPem(text)) segments.push({ ...run, encoding: "concat" });
  for (const seg of segments) {
    let inner: LineIndex | undefined;
    for (const c of collectCandidates(seg.text, ruleset, depth - 1, () => (inner ??= new LineIndex(seg.text)), path)) {
      decoded.push({ ...c, start: seg.start, end: seg.end, decoded: [seg.encoding, ...(c.decoded ?? [])] });
    }
  }
  if (decoded.length === 0) return kept;
  const overlaps = (a: Candidate, b: Candidate) => a.start < b.end && b.start < a.end;
  const keptDecoded = decoded.filter((d) => !kept.some((k) => overlaps(k, d) && k.matcher.specificity >= d.matcher.specificity));
  const seen = new Set<string>();
  const uniqueDecoded = keptDecoded.filter((d) => {
    const key = `${d.start}:${d.matcher.rule.id}:${d.secret}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const direct = kept.filter((k) => !uniqueDecoded.some((d) => overlaps(k, d)));
  return [...direct, ...uniqueDecoded].sort((a, b) => a.start - b.start || a.end - b.end);
}

/** What the filters of one matched value have worked out, shared by the matchers of one group. */
class Memo {
  placeholder: boolean | undefined;
  entropy = -1;
  lower: string | undefined;
  random: boolean | undefined;
}

/** The candidate for `secret` (at `start`) if it passes `matcher`'s filters, all but the near check. */
function accept(matcher: Matcher, secret: string, whole: string, start: number, index: () => LineIndex, memo: Memo): Candidate | undefined {
  const rule = matcher.rule;
  // Password fields take any value but placeholders and defaults (issue 17: `hunter2` in .netrc counts).
  if (rule.password ? isPasswordPlaceholder(secret) : (memo.placeholder ??= isPlaceholder(secret))) return undefined;
  if (rule.allow.length > 0 && rule.allow.some((a) => a.test(secret))) return undefined;
  if (rule.allowMatch && rule.allowMatch.some((a) => a.test(whole))) return undefined;
  if (rule.stopwords) {
    memo.lower ??= secret.toLowerCase();
    if (rule.stopwords.some((w) => memo.lower!.includes(w))) return undefined;
  }
  if (memo.entropy < 0) memo.entropy = shannonEntropy(secret);
  if (matcher.minEntropy !== undefined && memo.entropy < matcher.minEntropy) return undefined;
  if (rule.checksum && !checksumValid(rule.checksum, secret)) return undefined;
  if (rule.random && !(memo.random ??= randomness(secret).random)) return undefined;
  let details: Record<string, unknown> | undefined;
  if (rule.parse) {
    const parsed = runParser(rule.parse, secret);
    if (!parsed.ok) return undefined;
    details = parsed.details;
  }
  if (rule.allowLine && rule.allowLine.some((a) => a.test(index().lineAround(start, NEAR_RADIUS)))) return undefined;
  return { matcher, secret, start, end: start + secret.length, entropy: memo.entropy, ...(details ? { details } : {}) };
}

/**
 * The near check of a match at [start, end): `{}` when the matcher needs no context or has it within its lines;
 * for a usage (never a bare format) whose context words occur only further away in the file (issue 17,
 * file-context.ts), medium confidence and the distance to the nearest one; undefined when they do not occur.
 */
function usageContext(text: string, matcher: Matcher, start: number, end: number): Pick<Candidate, "confidence" | "distance"> | undefined {
  if (!matcher.near) return {};
  if (nearby(text, start, end, matcher.near, matcher.nearLines)) return matcher.rule.generic ? {} : { confidence: "high" };
  if (matcher.usage === "format") return undefined;
  const distance = fileContext(text, start).distance(matcher.near, start);
  return distance === undefined ? undefined : { confidence: matcher.rule.generic ? "low" : "medium", distance };
}

/**
 * The selected matchers less those scoped to other paths, plus the keyword-less ones of rules scoped to this path
 * (prefilter.ts `pathGated`): a `.pgpass` line holds no keyword, its file name is what selects the rule.
 */
function inScope(selected: readonly Matcher[], ruleset: RuleSet, path: string | undefined): readonly Matcher[] {
  const gated = ruleset.prefilter.pathGated;
  let scoped = false;
  for (const m of selected) if (m.rule.pathOnly) scoped = true;
  if (!scoped && (gated.length === 0 || path === undefined)) return selected;
  const ok = (m: Matcher): boolean => !m.rule.pathOnly || (path !== undefined && m.rule.pathOnly.test(path));
  const out = scoped ? selected.filter(ok) : [...selected];
  if (path !== undefined) for (const m of gated) if (ok(m)) out.push(m);
  return out;
}

/** Each matcher's grouping key, built once (a fresh concatenation per text showed up in profiles: issue 7). */
const regexKeys = new WeakMap<Matcher, string>();

/** Selected matchers grouped by identical regex (source and flags; so also the same longest match), first-seen order. */
function byRegex(selected: readonly Matcher[]): Matcher[][] {
  if (selected.length === 1) return [selected as Matcher[]];
  const groups = new Map<string, Matcher[]>();
  for (const m of selected) {
    let key = regexKeys.get(m);
    if (key === undefined) regexKeys.set(m, (key = `${m.regex.flags}/${m.regex.source}`));
    const g = groups.get(key);
    if (g) g.push(m);
    else groups.set(key, [m]);
  }
  return [...groups.values()];
}

/**
 * One finding per secret per location: among candidates covering overlapping characters, the most specific wins.
 * Candidates are clustered by overlap, and within a cluster chosen best first, each kept unless it overlaps one
 * already kept: a wide, weak match (a generic assignment whose value runs on over `#` into the next key) loses to
 * the specific ones it covers without taking a second, separate key down with it.
 */
function dedupe(candidates: Candidate[]): Candidate[] {
  if (candidates.length === 0) return [];
  candidates.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Candidate[] = [];
  let group: Candidate[] = [];
  let groupEnd = -1;
  const flush = () => {
    if (group.length === 1) kept.push(group[0]!);
    else if (group.length > 1) kept.push(...pick(group));
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
  return kept;
}

/** 1 for a rule of a vendor (a provider with API hosts), 0 for structural families (private keys, JWTs, URIs). */
function vendor(c: Candidate): number {
  return c.matcher.rule.provider.hosts.length > 0 ? 1 : 0;
}

/** Positive when `c` beats `b`. */
function rank(c: Candidate, b: Candidate): number {
  // Equal specificity: the usage whose context (a provider's host) is nearer wins (issue 17: a file naming two
  // providers' hosts), then a vendor's rule beats a structural one (a PlanetScale password in a mysql:// URI is
  // reported as PlanetScale's), then the longer secret, then the rule id (for a stable choice).
  return (
    c.matcher.specificity - b.matcher.specificity ||
    (b.distance ?? 0) - (c.distance ?? 0) ||
    vendor(c) - vendor(b) ||
    c.secret.length - b.secret.length ||
    (c.matcher.rule.id < b.matcher.rule.id ? 1 : c.matcher.rule.id > b.matcher.rule.id ? -1 : 0)
  );
}

/** The non-overlapping candidates of one cluster, best first (a stable sort: on a full tie the earlier one). */
function pick(group: Candidate[]): Candidate[] {
  const chosen: Candidate[] = [];
  for (const c of [...group].sort((x, y) => rank(y, x))) {
    if (!chosen.some((k) => k.start < c.end && c.start < k.end)) chosen.push(c);
  }
  return chosen.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** The last window nearby() cut: a shared header usage (`Authorization: Bearer`, one matcher per provider, 129 of
 * them since issue 16) asks about the same match once per provider. */
let lastWindow: { text: string; start: number; end: number; within: number; original: string; lower: string } | undefined;

function nearby(text: string, start: number, end: number, words: readonly string[], within: number): boolean {
  const w = lastWindow;
  if (w !== undefined && w.text === text && w.start === start && w.end === end && w.within === within) return nearWords(w.original, w.lower, words);
  // The lines around the match, but never more than NEAR_RADIUS characters either side of it. Found by walking out
  // from the match rather than through a LineIndex of the whole text: issue 16's ~600 providers made near checks
  // common, and indexing every file that has a candidate cost more than the checks (0.2 s of a tree scan).
  let a = Math.max(0, start - NEAR_RADIUS);
  for (let i = start - 1, seen = 0; i >= a; i--) {
    const c = text.charCodeAt(i);
    if ((c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) && ++seen > within) {
      a = i + 1;
      break;
    }
  }
  let b = Math.min(text.length, end + NEAR_RADIUS);
  for (let i = end, seen = 0; i < b; i++) {
    const c = text.charCodeAt(i);
    if ((c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) && ++seen > within) {
      b = i + 1;
      break;
    }
  }
  const original = text.slice(a, b);
  const lower = original.toLowerCase();
  lastWindow = { text, start, end, within, original, lower };
  return nearWords(original, lower, words);
}

