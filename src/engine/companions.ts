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

/** Resolve the companions of finding `t` from its text and the other findings in the same text. */
export function resolveCompanions(t: TextFinding, all: readonly TextFinding[], lineIndex: () => LineIndex): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { name, spec } of companionSpecs(t.rule)) {
    if (!spec) continue;
    const within = spec.within_lines ?? DEFAULT_COMPANION_WITHIN;
    const distance = (line: number) => (line < t.line ? t.line - line : line > t.endLine ? line - t.endLine : 0);
    let best: { value: string; d: number } | undefined;
    if (spec.rule) {
      for (const o of all) {
        if (o.rule.id !== spec.rule || o === t) continue;
        const d = distance(o.line);
        if (d <= within && (!best || d < best.d)) best = { value: o.secret, d };
      }
    } else if (spec.pattern) {
      const li = lineIndex();
      const from = Math.max(1, t.line - within);
      const windowText = li.slice(from, t.endLine + within);
      const windowStart = from > 1 ? li.slice(1, from - 1).length : 0; // offset of line `from` in the text
      const re = regexFor(spec.pattern);
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(windowText)) !== null) {
        if (m[0].length === 0) re.lastIndex++;
        const span = m.indices?.groups?.value ?? m.indices?.[0];
        const value = m.groups?.value ?? m[0];
        if (!span || value.length === 0 || value === t.secret) continue;
        const d = distance(li.lineOf(windowStart + span[0]));
        if (d <= within && (!best || d < best.d)) best = { value, d };
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
  return found.map((t) => (t.rule.verify?.companions?.length ? resolveCompanions(t, found, () => (li ??= new LineIndex(text))) : undefined));
}
