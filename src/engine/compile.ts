/**
 * Expands a validated provider file into matchers. This is where the rule format's "usages" become regexes: a
 * one-line `header: api-key` turns into a pattern that accepts curl `-H "api-key: …"`, raw HTTP, JS/Python/JSON
 * object literals, `headers.set("api-key", "…")`, Go `Header.Set`, and YAML; `env: [GETIMG_API_KEY]` accepts
 * `.env` lines, `export`, YAML/JSON keys, `process.env.X || "…"` and `os.environ.get("X", "…")`; `sdk: [GetimgAI]`
 * accepts positional and option-object constructor calls. Doing it here, once, keeps provider files a few lines per
 * usage and keeps the per-byte path free of YAML concerns. Every produced regex is checked to compile and to
 * contain exactly one `secret` group; failures are rule errors naming the rule id.
 */
import { KeyscanError } from "../errors.js";
import type { ProviderFile, RuleSpec, UsageSpec } from "./rule-schema.js";
import type { Matcher, Provider, Rule } from "./rule.js";

/** Token-like value for usages whose provider has no documented key format (`value: any`). */
export const ANY_VALUE = "[A-Za-z0-9][A-Za-z0-9_\\-.+/=~]{14,254}[A-Za-z0-9_\\-+/=~]";
/** Default minimum entropy for `value: any` matches: rules out words and most identifiers. */
export const ANY_VALUE_MIN_ENTROPY = 3.0;
const DEFAULT_NEAR_LINES = 6;

const Q = "[\"'`]"; // a quote of any of the usual languages
const OPEN_STRING = `(?:[fFbBrRuU]{0,2}${Q})`; // f"…", b'…', r"…" and plain quotes

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** A literal as a case-insensitive pattern in which `-`, `_` and nothing are interchangeable separators. */
export function foldName(name: string): string {
  let out = "";
  for (const ch of name) {
    if (ch === "-" || ch === "_") out += "[-_]?";
    else if (/[a-z]/i.test(ch)) out += `[${ch.toLowerCase()}${ch.toUpperCase()}]`;
    else out += escapeRegex(ch);
  }
  return out;
}

/** Every spelling of a name that `foldName` accepts, lowercase, for the prefilter (separators: `-`, `_`, none). */
export function nameKeywords(name: string): string[] {
  const parts = name.toLowerCase().split(/[-_]/);
  let variants = [parts[0] ?? ""];
  for (const part of parts.slice(1)) {
    const next: string[] = [];
    for (const v of variants) for (const sep of ["-", "_", ""]) next.push(v + sep + part);
    variants = next;
    if (variants.length > 81) {
      // Too many spellings: fall back to the longest separator-free fragment, which every spelling contains.
      return [parts.reduce((a, b) => (b.length > a.length ? b : a), "")];
    }
  }
  return [...new Set(variants)];
}

function valueGroup(pattern: string): string {
  return /\(\?<secret>/.test(pattern) ? `(?:${pattern})` : `(?<secret>${pattern})`;
}

interface Built {
  usage: string;
  source: string;
  keywords: string[];
  near?: string[];
  nearLines: number;
  value: "format" | "any";
  standalone: boolean;
}

function nearWords(spec: "hosts" | string[] | undefined, provider: Provider, ruleId: string): string[] | undefined {
  if (spec === undefined) return undefined;
  if (spec === "hosts") {
    if (provider.hosts.length === 0) {
      throw new KeyscanError("E_RULE", `${provider.file}: rule ${ruleId} uses \`near: hosts\` but the provider declares no hosts; add \`hosts:\`.`);
    }
    return provider.hosts.map((h) => h.toLowerCase().replace(/^\*\./, "")); // a `*.example.com` host is near as `example.com`
  }
  return spec.map((w) => w.toLowerCase());
}

function buildUsage(u: UsageSpec, rule: RuleSpec, provider: Provider): Built[] {
  const value = u.value ?? "format";
  const v = valueGroup(value === "any" ? ANY_VALUE : rule.secret.pattern);
  const end = "(?![A-Za-z0-9_\\-])";
  const near = nearWords(u.near, provider, rule.id);
  const nearLines = u.within_lines ?? DEFAULT_NEAR_LINES;
  const base = { near, nearLines, value, standalone: false } as const;

  if ("header" in u) {
    const scheme = u.scheme ? `${foldName(u.scheme)}\\s+` : "(?:(?:[bB]earer|[tT]oken)\\s+)?";
    const source =
      `(?<![A-Za-z0-9_-])${foldName(u.header)}${Q}?\\s*\\]?\\s*` +
      `(?:(?:=>|:|=)\\s*(?:[\\[{(]\\s*)?${OPEN_STRING}?|,\\s*${OPEN_STRING})\\s*${scheme}${v}${end}`;
    return [{ ...base, usage: `header:${u.header}`, source, keywords: nameKeywords(u.header) }];
  }
  if ("env" in u) {
    const names = u.env.map(foldName).join("|");
    const source =
      `(?<![A-Za-z0-9])(?:${names})${Q}?\\s*\\]?\\s*` +
      `(?:(?::=|=>|[:=])\\s*${OPEN_STRING}?|(?:\\|\\||\\?\\?|,)\\s*${OPEN_STRING})${v}${end}`;
    return [{ ...base, usage: `env:${u.env[0]}`, source, keywords: u.env.flatMap(nameKeywords) }];
  }
  if ("sdk" in u) {
    const names = u.sdk.map(escapeRegex).join("|");
    const keywords = u.sdk.map((n) => n.toLowerCase());
    const head = `(?<![A-Za-z0-9_$])(?:${names})\\s*\\(\\s*`;
    const option = `(?:${["api-key", "api-token", "access-token", "auth-token", "token", "key", "secret"].map(foldName).join("|")})`;
    return [
      { ...base, usage: `sdk:${u.sdk[0]}`, source: `${head}${OPEN_STRING}${v}${Q}`, keywords },
      {
        ...base,
        usage: `sdk:${u.sdk[0]}`,
        source: `${head}[^)]{0,400}?(?<![A-Za-z0-9_$])${option}${Q}?\\s*[:=]\\s*${OPEN_STRING}${v}${Q}`,
        keywords,
      },
    ];
  }
  const source = `(?<![A-Za-z0-9_-])${foldName(u.attr)}\\s*=\\s*["']${v}["']`;
  return [{ ...base, usage: `attr:${u.attr}`, source, keywords: nameKeywords(u.attr) }];
}

function specificity(b: Built, rule: RuleSpec): number {
  let s: number;
  if (b.standalone) s = b.near ? 30 : 40;
  else s = (b.value === "format" ? 25 : 15) + (b.near ? 5 : 0);
  if (rule.secret.checksum) s += 10;
  if (rule.generic) s = Math.max(0, s - 30);
  return s;
}

function compileRegex(source: string, flags: string, where: string): RegExp {
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (err) {
    throw new KeyscanError("E_RULE_REGEX", `${where}: the pattern is not a valid JavaScript regular expression (${(err as Error).message}). Go/RE2 syntax such as (?i) must be rewritten.`, { cause: err });
  }
  const groups = source.match(/\(\?<secret>/g)?.length ?? 0;
  if (groups !== 1) {
    throw new KeyscanError("E_RULE_REGEX", `${where}: the pattern must contain exactly one (?<secret>…) group (found ${groups}).`);
  }
  return re;
}

/** Compile one provider file into rules and matchers. `file` is used in messages. */
export function compileProvider(spec: ProviderFile, file: string, fromRepoConfig: boolean): { provider: Provider; rules: Rule[]; matchers: Matcher[] } {
  const provider: Provider = {
    id: spec.provider,
    name: spec.name,
    hosts: spec.hosts,
    ...(spec.docs ? { docs: spec.docs } : {}),
    ...(spec.revoke ? { revoke: spec.revoke } : {}),
    file,
    fromRepoConfig,
  };
  const rules: Rule[] = [];
  const matchers: Matcher[] = [];
  for (const r of spec.rules) {
    const where = `${file}: rule ${r.id}`;
    if (!r.id.startsWith(`${spec.provider}.`)) {
      throw new KeyscanError("E_RULE", `${where}: rule ids must start with the provider id (\`${spec.provider}.\`).`);
    }
    // The format itself must compile, with or without its own secret group.
    compileRegex(valueGroup(r.secret.pattern), "", `${where} (secret.pattern)`);
    const verify = r.verify ?? spec.verify;
    const rule: Rule = {
      id: r.id,
      name: r.name,
      description: r.description,
      severity: r.severity,
      generic: r.generic ?? false,
      provider,
      ...(r.secret.min_entropy !== undefined ? { minEntropy: r.secret.min_entropy } : {}),
      ...(r.secret.checksum ? { checksum: r.secret.checksum } : {}),
      allow: (r.allow ?? []).map((a, i) => compileAllow(a, `${where} (allow[${i}])`)),
      ...(verify ? { verify } : {}),
      examples: r.examples,
      negatives: r.negatives,
      formatSource: r.secret.pattern,
    };
    rules.push(rule);

    const built: Built[] = [];
    const standalone = r.secret.standalone ?? false;
    if (standalone !== false) {
      const near = standalone === true ? undefined : nearWords(standalone.near, provider, r.id);
      const keywords = (r.secret.keywords ?? []).map((k) => k.toLowerCase());
      const kw = keywords.length > 0 ? keywords : (near ?? []);
      if (kw.length === 0 && !r.generic) {
        throw new KeyscanError("E_RULE", `${where}: a standalone format needs \`secret.keywords\` (or \`near\` words) for the prefilter.`);
      }
      const boundary = r.secret.boundary ?? true;
      const v = valueGroup(r.secret.pattern);
      const source = boundary ? `(?<![A-Za-z0-9_])${v}(?![A-Za-z0-9_])` : v;
      built.push({
        usage: "format",
        source,
        keywords: kw,
        ...(near ? { near } : {}),
        nearLines: standalone === true ? DEFAULT_NEAR_LINES : (standalone.within_lines ?? DEFAULT_NEAR_LINES),
        value: "format",
        standalone: true,
      });
    }
    for (const u of r.usages ?? []) built.push(...buildUsage(u, r, provider));
    if (built.length === 0) {
      throw new KeyscanError("E_RULE", `${where}: the rule can never match; set \`secret.standalone\` or add \`usages\`.`);
    }
    const extra = (r.keywords ?? []).map((k) => k.toLowerCase());
    const flags = r.secret.ignore_case ? "gdi" : "gd";
    for (const b of built) {
      const minEntropy = b.value === "any" ? (r.secret.min_entropy ?? ANY_VALUE_MIN_ENTROPY) : r.secret.min_entropy;
      matchers.push({
        rule,
        usage: b.usage,
        regex: compileRegex(b.source, flags, `${where} (${b.usage})`),
        keywords: [...new Set([...b.keywords, ...(b.standalone ? extra : [])])],
        ...(b.near ? { near: b.near } : {}),
        nearLines: b.nearLines,
        ...(minEntropy !== undefined ? { minEntropy } : {}),
        specificity: specificity(b, r),
      });
    }
  }
  return { provider, rules, matchers };
}

function compileAllow(source: string, where: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new KeyscanError("E_RULE_REGEX", `${where}: not a valid JavaScript regular expression (${(err as Error).message}).`, { cause: err });
  }
}
