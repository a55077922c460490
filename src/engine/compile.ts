/**
 * Expands a validated provider file into matchers. This is where the rule format's "usages" become regexes: a
 * one-line `header: api-key` turns into a pattern that accepts curl `-H "api-key: …"`, raw HTTP, JS/Python/JSON
 * object literals, `headers.set("api-key", "…")`, Go `Header.Set`, and YAML; `env: [GETIMG_API_KEY]` accepts
 * `.env` lines, `export`, YAML/JSON keys, `process.env.X || "…"` and `os.environ.get("X", "…")`; `sdk: [GetimgAI]`
 * accepts positional and option-object constructor calls. Doing it here, once, keeps provider files a few lines per
 * usage and keeps the per-byte path free of YAML concerns. Every produced regex is checked to compile and to
 * contain exactly one `secret` group; failures are rule errors naming the rule id.
 */
import { readFileSync } from "node:fs";
import { KeyscanError } from "../errors.js";
import type { ProviderFile, RuleSpec, UsageSpec } from "./rule-schema.js";
import { compilePathGlobs } from "./path-scope.js";
import { analyseRegex } from "./regex/analyse.js";
import { exactSpellings, formatLeads, keywordsCoverMatches, type Leads } from "./regex/leads.js";
import { windowsOf } from "./regex/windows.js";
import { NEAR_RADIUS } from "./limits.js";
import type { MatcherAnchor, MatcherExtract, MatcherPlan } from "./plans.js";
import type { Matcher, Provider, Rule } from "./rule.js";
import { envRefValue, headerRefValue, refUsage, sdkOptionRefValue, sdkRefValue, sdkShorthandRef } from "./usage-refs.js";
import { STATEMENT_HEADS } from "./sql-columns.js";

/** Token-like value for usages whose provider has no documented key format (`value: any`). */
export const ANY_VALUE = "[A-Za-z0-9][A-Za-z0-9_\\-.+/=~]{14,254}[A-Za-z0-9_\\-+/=~]";
/** Default minimum entropy for `value: any` matches: rules out words and most identifiers. */
export const ANY_VALUE_MIN_ENTROPY = 3.0;
const DEFAULT_NEAR_LINES = 6;

/** A quote of any of the usual languages, JSON-escaped or not (issue 17: code inside a Jupyter notebook's strings). */
const Q = "(?:\\\\?[\"'`])";
const OPEN_STRING = `(?:[fFbBrRuU$@]{0,2}${Q})`; // f"…", b'…', r"…", C# $"…" and @"…", and plain quotes
/**
 * Whitespace between a name and its value. Bounded (not `\s*`) so that every usage regex has a true maximum match
 * length: the matcher can then run only in windows around its keyword's occurrences (scan-text.ts, issue 7). 64
 * characters is more than any aligned YAML/JSON column or continuation indent seen in the corpus.
 */
const WS = "\\s{0,64}";
const WS1 = "\\s{1,64}";

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

/**
 * Every spelling of a name that `foldName` accepts, lowercase, for the prefilter (separators: `-`, `_`, none) — or,
 * for a long name, every spelling of its first parts (at least 6 letters of it): each spelling of the name starts
 * with one of them, so a usage's window still starts at its keyword (lead 0). Issue 16: spelling out whole names
 * gave 980 rules 36,801 keywords (`ELASTIC_APP_SEARCH_PRIVATE_KEY` alone has 81 spellings) and a 240,000-state
 * automaton that took 0.5 s to restore; by prefixes the same rules have ~4,000.
 */
export function nameKeywords(name: string): string[] {
  const parts = name.toLowerCase().split(/[-_]/);
  // A framework's public-env prefix (`NEXT_PUBLIC_`, `VITE_`) says nothing about the provider: it does not count
  // towards a distinctive prefix (42 rules' names shared the keyword `next_public`).
  const framework = FRAMEWORK_PREFIXES.find((f) => f.every((w, i) => parts[i] === w))?.length ?? 0;
  let variants = [parts[0] ?? ""];
  let letters = framework > 0 ? 0 : variants[0]!.length;
  for (const [i, part] of parts.slice(1).entries()) {
    if (letters >= 6 && variants.length >= 3) break; // a prefix distinctive enough; the regex checks the rest
    const next: string[] = [];
    for (const v of variants) for (const sep of ["-", "_", ""]) next.push(v + sep + part);
    variants = next;
    if (i + 1 >= framework) letters += part.length;
  }
  return [...new Set(variants)];
}

const FRAMEWORK_PREFIXES = [["next", "public"], ["nuxt", "public"], ["expo", "public"], ["react", "app"], ["vue", "app"], ["vite"], ["gatsby"], ["public"]];

function valueGroup(pattern: string): string {
  return /\(\?<secret>/.test(pattern) ? `(?:${pattern})` : `(?<secret>${pattern})`;
}

interface Built {
  usage: string;
  source: string;
  keywords: string[];
  /** A usage's names (header, env vars, SDK, attribute): its regex starts with one of them. */
  names?: readonly string[];
  near?: string[];
  /** Words of which every match holds one (`secret.requires`): they gate the matcher like near words (prefilter.ts). */
  requires?: string[];
  nearLines: number;
  value: "format" | "any";
  standalone: boolean;
  /**
   * Set on a reference matcher (usage-refs.ts): its `secret` group is an identifier, and this is the pattern (with
   * its own `secret` group) that the literal assigned to it must match whole.
   */
  refValue?: string;
  /** An extractor matcher (issue 17, sql-columns.ts): its `secret` group is a statement's column list. */
  extract?: MatcherExtract;
}

/** An environment variable's name as it is written: upper case, words joined by `_` (`GETIMG_API_KEY`). */
const ENV_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
/** A near word that is a host name (`api.bunny.net`): lowercase labels joined by dots. */
const HOST_NAME = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/;

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
    const scheme = u.scheme ? `${foldName(u.scheme)}${WS1}` : `(?:(?:[bB]earer|[tT]oken)${WS1})?`;
    // Name and separator: `"x-api-key": …`, `x-api-key = …`, `Header.Set("X-Api-Key", …)`, and XML's
    // `<header name="X-Api-Key" value="…"/>`.
    const head = `(?<![A-Za-z0-9_-])${foldName(u.header)}${Q}?${WS}(?:\\]${WS})?`;
    const source = `${head}(?:(?:=>|:|=)${WS}(?:[\\[{(]${WS})?${OPEN_STRING}?|,${WS}${OPEN_STRING}|[vV]alue${WS}=${WS}${Q})${WS}${scheme}${v}${end}`;
    const refSource = `${head}(?:(?:=>|:|=)${WS}(?:[\\[{(]${WS})?|,${WS}|[vV]alue${WS}=${WS}${Q})${headerRefValue({ quote: Q, open: OPEN_STRING, ws: WS }, scheme, u.scheme !== undefined)}`;
    const built = { ...base, keywords: nameKeywords(u.header), names: [u.header] };
    const direct = { ...built, usage: `header:${u.header}`, source };
    const out: Built[] = [direct];
    // By name where the name is an HTTP header's (`x-api-key`, `Authorization: Bearer`). A one-word name such as
    // `token` or `AccessKey` is also every object's field (`{ token: token }`): by name only when the rule wants its
    // hosts near it; the prefilter then runs the matcher only in a text that names one of them (its near words gate
    // it: prefilter.ts), so ordinary code pays nothing for it (issue 17).
    const oneWord = !u.scheme && !u.header.includes("-");
    if (!oneWord || (near !== undefined && near.length > 0 && near.every((w) => HOST_NAME.test(w)))) {
      out.push({ ...built, usage: refUsage(`header:${u.header}`), source: refSource, refValue: v });
    }
    // C#: `new AuthenticationHeaderValue("Bearer", key)` sets the Authorization header without naming it.
    if (u.scheme && u.header.toLowerCase() === "authorization") {
      const ahv = `(?<![A-Za-z0-9_])AuthenticationHeaderValue${WS}\\(${WS}${Q}${foldName(u.scheme)}${Q}${WS},${WS}`;
      const names = ["AuthenticationHeaderValue"];
      const kw = { ...base, keywords: ["authenticationheadervalue"], names };
      out.push({ ...kw, usage: `header:${u.header}`, source: `${ahv}${OPEN_STRING}${v}${Q}` });
      out.push({ ...kw, usage: refUsage(`header:${u.header}`), source: `${ahv}${sdkRefValue(WS)}`, refValue: v });
    }
    return out;
  }
  if ("env" in u) {
    const names = u.env.map(foldName).join("|");
    const source =
      `(?<![A-Za-z0-9])(?:${names})${Q}?${WS}(?:\\]${WS})?` +
      `(?:(?::=|=>|[:=])${WS}${OPEN_STRING}?|(?:\\|\\||\\?\\?|,)${WS}${OPEN_STRING})${v}${end}`;
    const direct = { ...base, usage: `env:${u.env[0]}`, source, keywords: u.env.flatMap(nameKeywords), names: u.env };
    // By name (issue 17): `os.environ["X"] = key`, `process.env.X = key`, `export X=$key`, `os.Setenv("X", key)` —
    // for the names written as environment variables are (`GETIMG_API_KEY`), in that very spelling. A field-like
    // name (`password`, `user_pass`, `key`, `secretAccessKey`) is assigned from a variable in most code that has it:
    // 811 selections and 178 matches on 28.5 MB of the bench tree, all of such names, each a resolve for nothing.
    const envNames = u.env.filter((n) => ENV_NAME.test(n));
    if (envNames.length === 0) return [direct];
    const refSource = `(?<![A-Za-z0-9_])(?:${envNames.map(escapeRegex).join("|")})${Q}?${WS}(?:\\]${WS})?${envRefValue(Q, WS)}`;
    return [direct, { ...base, usage: refUsage(`env:${u.env[0]}`), source: refSource, refValue: v, keywords: envNames.flatMap(nameKeywords), names: envNames }];
  }
  if ("sdk" in u) {
    const names = u.sdk.map(escapeRegex).join("|");
    const keywords = u.sdk.map((n) => n.toLowerCase());
    const head = `(?<![A-Za-z0-9_$])(?:${names})${WS}\\(${WS}`;
    const option = `(?:${["api-key", "api-token", "access-token", "auth-token", "token", "key", "secret"].map(foldName).join("|")})`;
    const optionHead = `${head}[^)]{0,400}?(?<![A-Za-z0-9_$])${option}${Q}?${WS}[:=]${WS}`;
    const built = { ...base, keywords, names: u.sdk };
    const usage = `sdk:${u.sdk[0]}`;
    return [
      { ...built, usage, source: `${head}${OPEN_STRING}${v}${Q}` },
      { ...built, usage, source: `${optionHead}${OPEN_STRING}${v}${Q}` },
      { ...built, usage: refUsage(usage), source: `${head}${sdkRefValue(WS)}`, refValue: v },
      { ...built, usage: refUsage(usage), source: `${optionHead}${sdkOptionRefValue()}`, refValue: v },
      // `new Autoenhance({ apiKey })`: the option's name is the identifier (issue 17).
      { ...built, usage: refUsage(usage), source: `${head}[^)]{0,400}?${sdkShorthandRef(option, WS)}`, refValue: v },
    ];
  }
  const source = `(?<![A-Za-z0-9_-])${foldName(u.attr)}${WS}=${WS}["']${v}["']`;
  return [{ ...base, usage: `attr:${u.attr}`, source, keywords: nameKeywords(u.attr), names: [u.attr] }];
}

function specificity(b: Built, rule: RuleSpec): number {
  // A credential file's rule (issue 17) beats the generic rules (≤ 10) in its file and loses to every vendor format
  // or usage (≥ 25) on the same value, which names the service and can verify it; its confidence comes from the
  // path (scan-text.ts confidenceOf).
  if (rule.paths && !rule.generic) return 20;
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

export interface CompileOptions {
  /** Allow standalone formats without keywords (imported gitleaks rules: they then run on every text). */
  allowNoKeywords?: boolean;
  /** Extra per-rule fields the YAML format does not expose (gitleaks allowlists), keyed by rule id. */
  extras?: ReadonlyMap<string, Partial<Pick<Rule, "allowLine" | "stopwords" | "pathAllow" | "pathOnly" | "allowMatch">>>;
}


/** `:LINE` of the first line of `file` that contains `text`, or "" when the file cannot be read or has no such line. */
function lineOf(file: string, text: string): string {
  try {
    const lines = readFileSync(file, "utf8").split(/\r?\n/);
    const needle = text.slice(0, 40);
    const i = lines.findIndex((l) => l.includes(needle));
    return i >= 0 ? `:${i + 1}` : "";
  } catch {
    return "";
  }
}

/** Compile one provider file into rules and matchers. `file` is used in messages. */
export function compileProvider(
  spec: ProviderFile,
  file: string,
  fromRepoConfig: boolean,
  options: CompileOptions = {},
): { provider: Provider; rules: Rule[]; matchers: Matcher[]; warnings: string[]; plans: MatcherPlan[] } {
  const warnings: string[] = [];
  const provider = providerOf(spec, file, fromRepoConfig);
  const rules: Rule[] = [];
  const plans: MatcherPlan[] = [];
  const matchers: Matcher[] = [];
  spec.rules.forEach((r, ruleIndex) => {
    const where = `${file}: rule ${r.id}`;
    if (!r.id.startsWith(`${spec.provider}.`)) {
      throw new KeyscanError("E_RULE", `${where}: rule ids must start with the provider id (\`${spec.provider}.\`).`);
    }
    // The format itself must compile, with or without its own secret group.
    compileRegex(valueGroup(r.secret.pattern), "", `${where} (secret.pattern)`);
    const rule = ruleOf(r, spec, provider, where, options);
    rules.push(rule);

    const built: Built[] = [];
    const standalone = r.secret.standalone ?? false;
    if (standalone !== false) {
      const near = standalone === true ? undefined : nearWords(standalone.near, provider, r.id);
      const keywords = (r.secret.keywords ?? []).map((k) => k.toLowerCase());
      const kw = keywords.length > 0 ? keywords : (near ?? []);
      // A path-scoped format may go without keywords (a `.pgpass` line has none): its path gates it (prefilter.ts).
      if (kw.length === 0 && !r.generic && !options.allowNoKeywords && !r.paths) {
        throw new KeyscanError("E_RULE", `${where}: a standalone format needs \`secret.keywords\` (or \`near\` words) for the prefilter.`);
      }
      const boundary = r.secret.boundary ?? true;
      const v = valueGroup(r.secret.pattern);
      const source = boundary ? `(?<![A-Za-z0-9_])${v}(?![A-Za-z0-9_])` : v;
      const requires = r.secret.requires?.map((w) => w.toLowerCase());
      if (requires && !keywordsCoverMatches(source, r.secret.ignore_case ? "i" : "", requires)) {
        throw new KeyscanError("E_RULE", `${where}: \`secret.requires\` must name strings of which every match of the pattern holds one; the pattern does not show that for ${requires.map((w) => `\`${w}\``).join(", ")}.`);
      }
      built.push({
        usage: "format",
        source,
        keywords: kw,
        ...(near ? { near } : {}),
        ...(requires ? { requires } : {}),
        nearLines: standalone === true ? DEFAULT_NEAR_LINES : (standalone.within_lines ?? DEFAULT_NEAR_LINES),
        value: "format",
        standalone: true,
      });
    }
    for (const u of r.usages ?? []) built.push(...buildUsage(u, r, provider));
    if (r.extract) {
      // One matcher per statement form; the cells must match the format whole (sql-columns.ts).
      for (const head of STATEMENT_HEADS) {
        built.push({
          usage: `sql-column:${r.extract.columns[0]}`,
          source: head.source,
          keywords: head.keywords,
          nearLines: DEFAULT_NEAR_LINES,
          value: "format",
          standalone: false,
          extract: { statement: head.statement, columns: r.extract.columns, value: valueGroup(r.secret.pattern) },
        });
      }
    }
    if (built.length === 0) {
      throw new KeyscanError("E_RULE", `${where}: the rule can never match; set \`secret.standalone\` or add \`usages\`.`);
    }
    const extra = (r.keywords ?? []).map((k) => k.toLowerCase());
    const ruleFlags = r.secret.ignore_case ? "gdi" : "gd";
    for (const b of built) {
      const flags = b.extract ? "gdi" : ruleFlags;
      const minEntropy = b.value === "any" ? (r.secret.min_entropy ?? ANY_VALUE_MIN_ENTROPY) : r.secret.min_entropy;
      const regex = compileRegex(b.source, flags, `${where} (${b.usage})`);
      const analysis = analyseRegex(b.source, flags);
      if (analysis.risks.length > 0) {
        // A pattern that can backtrack catastrophically could hold a scan for minutes on one crafted line (issue 19):
        // an error, not a warning, wherever the rule came from (a scanned repository's .keyscan.yaml included).
        const at = `${file}${lineOf(file, b.usage === "format" ? r.secret.pattern : r.id)}`;
        throw new KeyscanError(
          "E_RULE",
          `${at}: rule ${r.id} (${b.usage}): the pattern \`${b.source.length > 120 ? `${b.source.slice(0, 117)}...` : b.source}\` can backtrack catastrophically: ${analysis.risks[0]}. Rewrite it: bound the repeats ({1,64}) and make repeated parts unable to match the same characters.`,
        );
      }
      const keywords = [...new Set([...b.keywords, ...(b.standalone ? extra : [])])];
      const maxMatchLength = analysis.maxLength + analysis.context;
      const exact = b.standalone && !b.extract ? exactSpellings(b.source, flags, keywords) : undefined;
      const anchor = anchorFor(b, flags, analysis.unbounded, maxMatchLength, keywords, exact?.leads);
      const plan: MatcherPlan = {
        rule: ruleIndex,
        usage: b.usage,
        source: b.source,
        flags,
        keywords,
        ...(exact ? { exact: exact.spellings } : {}),
        ...(b.near ? { near: b.near } : {}),
        ...(b.requires ? { requires: b.requires } : {}),
        nearLines: b.nearLines,
        ...(minEntropy !== undefined ? { minEntropy } : {}),
        specificity: specificity(b, r),
        maxMatchLength,
        ...(anchor ? { anchor } : {}),
        ...(analysis.startSet ? { startSet: analysis.startSet } : {}),
        ...(b.refValue !== undefined ? { refValue: b.refValue } : {}),
        ...(b.extract ? { extract: b.extract } : {}),
      };
      plans.push(plan);
      matchers.push(matcherOf(plan, rule, regex));
    }
  });
  return { provider, rules, matchers, warnings, plans };
}

/**
 * Rebuild what `compileProvider` made for the same spec from its saved `plans` (rule-cache.ts): the provider and
 * rules are built again (cheap), the matchers only get their RegExp back; nothing is expanded or analysed. The
 * caller vouches that `plans` came from compiling this very spec with this very compiler (the cache key says so).
 */
export function restoreProvider(
  spec: ProviderFile,
  file: string,
  fromRepoConfig: boolean,
  plans: readonly MatcherPlan[],
): { provider: Provider; rules: Rule[]; matchers: Matcher[] } {
  const provider = providerOf(spec, file, fromRepoConfig);
  const rules = spec.rules.map((r) => ruleOf(r, spec, provider, `${file}: rule ${r.id}`, {}));
  const matchers = plans.map((p) => {
    const rule = rules[p.rule];
    if (!rule) throw new KeyscanError("E_RULE", `${file}: a cached matcher names rule ${p.rule}, which the file does not have.`);
    return matcherOf(p, rule, new RegExp(p.source, p.flags));
  });
  return { provider, rules, matchers };
}

function providerOf(spec: ProviderFile, file: string, fromRepoConfig: boolean): Provider {
  return {
    id: spec.provider,
    name: spec.name,
    hosts: spec.hosts,
    ...(spec.docs ? { docs: spec.docs } : {}),
    ...(spec.revoke ? { revoke: spec.revoke } : {}),
    file,
    fromRepoConfig,
  };
}

/*
 * Rules and matchers are made with every field present, undefined where a rule has none, always in the same order: one
 * hidden class each. With the optional fields spread in only where set, the shipped catalogue's rules had 21 shapes
 * and its matchers 16, so every `m.rule`, `m.regex` or `rule.allow` read on the matching path was a megamorphic
 * lookup, and code compiled for the shapes a thread had seen so far was deoptimised when a file selected a matcher
 * of a new one (issue 21: a pool worker compiled runInRanges 8 times).
 */
function ruleOf(r: RuleSpec, spec: ProviderFile, provider: Provider, where: string, options: CompileOptions): Rule {
  const verify = r.verify ?? spec.verify;
  const extras = options.extras?.get(r.id);
  const access = r.access ?? spec.access;
  const revokeRequest = r.revoke_request ?? spec.revoke_request;
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    severity: r.severity,
    generic: r.generic ?? false,
    provider,
    minEntropy: r.secret.min_entropy,
    checksum: r.secret.checksum ? r.secret.checksum : undefined,
    allow: (r.allow ?? []).map((a, i) => compileAllow(a, `${where} (allow[${i}])`)),
    allowMatch: extras?.allowMatch ?? (r.allow_match ? r.allow_match.map((a, i) => compileAllow(a, `${where} (allow_match[${i}])`)) : undefined),
    allowLine: extras?.allowLine,
    stopwords: extras?.stopwords,
    pathAllow: extras?.pathAllow,
    pathOnly: extras?.pathOnly ?? (r.paths ? compilePathGlobs(r.paths, `${where} (paths)`) : undefined),
    password: r.secret.password ? true : undefined,
    random: r.secret.random ? true : undefined,
    parse: r.secret.parse ? r.secret.parse : undefined,
    verify: verify ? verify : undefined,
    access: access ? access : undefined,
    revokeRequest: revokeRequest ? revokeRequest : undefined,
    examples: r.examples,
    negatives: r.negatives,
    formatSource: r.secret.pattern,
  };
}

/** The matcher for a plan; same fields, same order, whether compiled now or restored from the cache (see above). */
function matcherOf(p: MatcherPlan, rule: Rule, regex: RegExp): Matcher {
  return {
    rule,
    usage: p.usage,
    regex,
    keywords: p.keywords,
    exact: p.exact ? p.exact : undefined,
    near: p.near ? p.near : undefined,
    requires: p.requires ? p.requires : undefined,
    nearLines: p.nearLines,
    minEntropy: p.minEntropy,
    specificity: p.specificity,
    maxMatchLength: p.maxMatchLength,
    windows: windowsOf(p),
    refValue: p.refValue !== undefined ? new RegExp(`^(?:${p.refValue})$`, p.flags.replace("g", "")) : undefined,
    extract: p.extract ? { statement: p.extract.statement, columns: new Set(p.extract.columns), value: new RegExp(`^(?:${p.extract.value})$`, "d") } : undefined,
  };
}

/**
 * Where a matcher's matches can be, relative to its keywords (issue 7): when every match contains one of the
 * keywords (regex/leads.ts proves it from the pattern), a match starts at most one match length before a keyword
 * occurrence; when the matcher needs a `near` word and every near word is one of its keywords, a match starts within
 * NEAR_RADIUS (plus a match length) of a near word, because that is as far as the near check looks. Either needs a
 * true bound on the match length, so patterns with an unbounded quantifier get no anchor and run over whole texts.
 */
function anchorFor(b: Built, flags: string, unbounded: boolean, maxMatchLength: number, keywords: readonly string[], exactLeads?: Leads): MatcherAnchor | undefined {
  if (unbounded || keywords.length === 0) return undefined;
  const near = b.near;
  // A usage's regex spells its name (header, env, attr, SDK) exactly as its keywords do, by construction (buildUsage,
  // foldName/nameKeywords; test/regression/issue-7-windows.test.ts checks every shipped usage with the analysis): no need to prove it
  // again per rule at every start-up. A format's keywords are the author's, so its regex is analysed.
  // `before` is how far before a keyword occurrence a match can start: a usage's regex starts with its name (lead 0;
  // up to the name's length when its keyword is a fragment of a long name), a format's is measured from its pattern.
  if (!b.standalone) return { keywords, before: Math.min(maxMatchLength, usageLead(keywords, b.names)), after: 0 };
  // With exact spellings (exactSpellings), the leads of the exact occurrences: the prefilter may keep only those.
  const leads = exactLeads ?? formatLeads(b.source, flags, keywords);
  if (leads && leads.size > 0) {
    // Only the keywords the proof names bound windows, each by its own lead (issue 7: `key` starts the generic
    // rule's matches, `secret` may sit 9 characters in); the others' occurrences need no window of their own.
    const named = keywords.filter((k) => leads.has(k));
    const before = named.map((k) => Math.min(maxMatchLength, leads.get(k)!));
    return { keywords: named, before: Math.max(...before), after: 0, ...(new Set(before).size > 1 ? { leads: before } : {}) };
  }
  if (leads) return { keywords, before: maxMatchLength, after: 0 }; // covered, start not bounded: a match length
  if (near && near.length > 0 && near.every((w) => keywords.includes(w) && /^[\x20-\x7e]+$/.test(w))) {
    return { keywords: near, before: NEAR_RADIUS + maxMatchLength, after: NEAR_RADIUS };
  }
  return undefined;
}

/** How far into a usage match its keyword starts: 0 when the keywords are the names' spellings or their prefixes. */
function usageLead(keywords: readonly string[], names: readonly string[] | undefined): number {
  if (!names || names.length === 0) return Infinity;
  const have = new Set(keywords);
  return names.every((n) => nameKeywords(n).every((k) => have.has(k))) ? 0 : Math.max(...names.map((n) => n.length));
}

/** Compile an allow regex; a leading `(?i)` (gitleaks/Go habit) makes it case-insensitive. */
export function compileAllow(source: string, where: string): RegExp {
  const ci = source.startsWith("(?i)");
  try {
    return new RegExp(ci ? source.slice(4) : source, ci ? "i" : "");
  } catch (err) {
    throw new KeyscanError("E_RULE_REGEX", `${where}: not a valid JavaScript regular expression (${(err as Error).message}).`, { cause: err });
  }
}
