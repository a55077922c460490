/**
 * Finds the companion values a verify request needs besides the secret (a shop domain, an account id), at scan
 * time, while the text is at hand: a companion declared with `rule` takes the secret of the nearest finding of that
 * rule in the same text, one declared with `pattern` the nearest regex match, in both cases within `within_lines`
 * lines of the secret. The values travel on the finding as plain data (`Finding.companions`), so history attribution
 * and merges keep them (issue 18: a WeakMap keyed by the Finding object lost them when history built new findings);
 * a companion can be a secret too, so redactResult strips them before any report.
 */
import type { CompanionSpec } from "../engine/rule-schema.js";
import type { Rule } from "../engine/rule.js";
import type { TextFinding } from "../engine/scan-text.js";
import { LineIndex } from "../engine/lines.js";
import type { Finding } from "../report/types.js";

const DEFAULT_WITHIN = 6;
const compiled = new Map<string, RegExp>();

/** Companion specs of a rule, with bare-string names normalised to source-less specs. */
export function companionSpecs(rule: Rule): { name: string; spec?: CompanionSpec }[] {
  return (rule.verify?.companions ?? []).map((c) => (typeof c === "string" ? { name: c } : { name: c.name, spec: c }));
}

export function describeCompanion(rule: Rule, name: string): string {
  const c = companionSpecs(rule).find((x) => x.name === name);
  const what = c?.spec?.description ? ` (${c.spec.description})` : "";
  if (!c?.spec) return `companion \`${name}\`${what}, which the rule gives no way to find`;
  const from = c.spec.rule ? `${c.spec.rule} finding` : "match of its pattern";
  return `companion \`${name}\`${what}, but there is no ${from} within ${c.spec.within_lines ?? DEFAULT_WITHIN} lines of the secret`;
}

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
    const within = spec.within_lines ?? DEFAULT_WITHIN;
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

/** Scan-time hook: record the companions of a finding made from `t` (no-op for rules without companions). */
export function attachCompanions(finding: Finding, t: TextFinding, all: readonly TextFinding[], text: string): void {
  if (!t.rule.verify?.companions?.length) return;
  let li: LineIndex | undefined;
  finding.companions = resolveCompanions(t, all, () => (li ??= new LineIndex(text)));
}

export function companionsOf(finding: Finding): Readonly<Record<string, string>> {
  return finding.companions ?? {};
}

/** For library users and tests that build findings themselves. */
export function setCompanions(finding: Finding, companions: Record<string, string>): void {
  finding.companions = { ...companions };
}
