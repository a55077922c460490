/**
 * Finds the companion values a verify request needs besides the secret (a shop domain, an account id), at scan
 * time, while the text is at hand: a companion declared with `rule` takes the secret of the nearest finding of that
 * rule in the same text, one declared with `pattern` the nearest regex match, in both cases within `within_lines`
 * lines of the secret. The values travel on the finding as plain data (`Finding.companions`), so history attribution
 * and merges keep them (issue 18: a WeakMap keyed by the Finding object lost them when history built new findings);
 * a companion can be a secret too, so redactResult strips them before any report. Part of the matcher core because
 * it needs the text, which only the thread that matched it holds (a worker, for pooled inputs).
 */
import type { CompanionSpec } from "./rule-schema.js";
import type { Rule } from "./rule.js";
import type { TextFinding } from "./scan-text.js";
import { LineIndex } from "./lines.js";
import { NEAR_RADIUS } from "./limits.js";

/** How many lines from the secret a companion is looked for when its spec does not say. */
export const DEFAULT_COMPANION_WITHIN = 6;

/** Companion specs of a rule, with bare-string names normalised to source-less specs. */
export function companionSpecs(rule: Rule): { name: string; spec?: CompanionSpec }[] {
  return (rule.verify?.companions ?? []).map((c) => (typeof c === "string" ? { name: c } : { name: c.name, spec: c }));
}

const compiled = new Map<string, RegExp>();

function regexFor(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(pattern, "gd");
    compiled.set(pattern, re);
  }
  return re;
}

/**
 * Resolve the companions of finding `t` from its text and the other findings in the same text. Of the candidates
 * within the declared lines the nearest wins: fewest lines away, then fewest characters. A pattern is looked for
 * only within NEAR_RADIUS characters either side of the secret as well: on a minified line every finding's lines
 * are the whole line, and searching it for each finding cost time in the square of the findings (issue 21: 8,000
 * findings on one 830 KB line took 2.7-3.5 s here, now 0.13-0.15 s in interleaved runs) and took the line's first
 * value, not the nearest. `byRule` (companionsFor) holds the findings of each rule in text order, for a binary
 * search instead of a pass over all of them per finding.
 */
export function resolveCompanions(t: TextFinding, all: readonly TextFinding[], lineIndex: () => LineIndex, byRule?: ReadonlyMap<string, readonly TextFinding[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { name, spec } of companionSpecs(t.rule)) {
    if (!spec) continue;
    const within = spec.within_lines ?? DEFAULT_COMPANION_WITHIN;
    const distance = (line: number) => (line < t.line ? t.line - line : line > t.endLine ? line - t.endLine : 0);
    let best: { value: string; d: number; chars: number } | undefined;
    const consider = (value: string, line: number, at: number) => {
      const d = distance(line);
      const chars = Math.abs(at - t.start);
      if (d <= within && (!best || d < best.d || (d === best.d && chars < best.chars))) best = { value, d, chars };
    };
    if (spec.rule) {
      const list = byRule ? (byRule.get(spec.rule) ?? []) : all.filter((o) => o.rule.id === spec.rule).sort((a, b) => a.start - b.start);
      // Findings come in text order, so by line: the first one at or past `t.line - within`, then on to the last line.
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid]!.line < t.line - within) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < list.length && list[i]!.line <= t.endLine + within; i++) {
        const o = list[i]!;
        if (o !== t) consider(o.secret, o.line, o.start);
      }
    } else if (spec.pattern) {
      const li = lineIndex();
      const windowStart = Math.max(li.lineStart(t.line - within), t.start - NEAR_RADIUS);
      const windowEnd = Math.min(li.lineEnd(t.endLine + within), t.end + NEAR_RADIUS);
      const windowText = li.textBetween(windowStart, windowEnd);
      const re = regexFor(spec.pattern);
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(windowText)) !== null) {
        if (m[0].length === 0) re.lastIndex++;
        const span = m.indices?.groups?.value ?? m.indices?.[0];
        const value = m.groups?.value ?? m[0];
        if (!span || value.length === 0 || value === t.secret) continue;
        consider(value, li.lineOf(windowStart + span[0]), windowStart + span[0]);
      }
    }
    if (best) out[name] = best.value;
  }
  return out;
}

/**
 * The companions of each finding of one text, resolved while the text is at hand — in the worker for pooled
 * inputs; undefined for rules without companions.
 */
export function companionsFor(found: readonly TextFinding[], text: string): Array<Record<string, string> | undefined> {
  let li: LineIndex | undefined;
  let byRule: Map<string, TextFinding[]> | undefined;
  const index = (): Map<string, TextFinding[]> => {
    if (byRule) return byRule;
    byRule = new Map();
    for (const f of [...found].sort((a, b) => a.start - b.start)) {
      const list = byRule.get(f.rule.id);
      if (list) list.push(f);
      else byRule.set(f.rule.id, [f]);
    }
    return byRule;
  };
  return found.map((t) => (t.rule.verify?.companions?.length ? resolveCompanions(t, found, () => (li ??= new LineIndex(text)), index()) : undefined));
}
