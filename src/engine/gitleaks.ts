/**
 * Imports a gitleaks configuration (`.gitleaks.toml`) so a team can switch without losing its custom rules: each
 * `[[rules]]` entry (id, description, regex, secretGroup, entropy, keywords, path, allowlists) becomes a keyscan
 * rule of a provider named `gitleaks`, and the global `[allowlist]` / `[[allowlists]]` apply to them. gitleaks
 * patterns are Go RE2 syntax, which Node's RegExp rejects in places, so they are translated: a leading `(?i)` (or
 * `(?s)`, `(?m)`) becomes a flag, inline `(?i:…)` / `(?s:…)` groups and mid-pattern `(?i)` are expanded (letters
 * become `[aA]`, dots `[\s\S]`), `\z` and `\A` become lookarounds, `(?P<name>…)` becomes `(?<name>…)`, POSIX
 * classes such as `[[:alnum:]]` become their ASCII ranges. What cannot be translated faithfully (`\Q…\E`, `\p{…}`,
 * `\x{…}`, `(?U)`, flag negation, negated POSIX classes) stops the load with the rule id and the construct, so a
 * rule never silently changes meaning. TOML is parsed with smol-toml.
 */
import { parse as parseToml } from "smol-toml";
import { KeyscanError, describeCause } from "../errors.js";
import { readSmallRegularFile } from "../util/safe-read.js";
import { compileAllow, type CompileOptions } from "./compile.js";
import type { ProviderFile, RuleSpec } from "./rule-schema.js";
import type { Rule } from "./rule.js";

const POSIX: Record<string, string> = {
  alnum: "A-Za-z0-9",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: " \\t",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "A-Za-z0-9_",
  xdigit: "0-9A-Fa-f",
};

export interface TranslatedRegex {
  source: string;
  flags: string;
}

function untranslatable(where: string, construct: string, hint = ""): KeyscanError {
  return new KeyscanError("E_GITLEAKS", `${where}: cannot translate the Go regex construct \`${construct}\` to JavaScript${hint ? ` (${hint})` : ""}; rewrite the pattern without it.`);
}

function foldLetter(ch: string): string {
  const lo = ch.toLowerCase();
  const up = ch.toUpperCase();
  return lo === up ? ch : `[${lo}${up}]`;
}

/** Case-fold the inside of a character class: `a-f` gains `A-F`, `x` gains `X`. */
function foldClassBody(body: string): string {
  let extra = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "\\") {
      i++;
      continue;
    }
    if (body[i + 1] === "-" && i + 2 < body.length && body[i + 2] !== "\\") {
      const a = c;
      const b = body[i + 2]!;
      if (/[a-z]/.test(a) && /[a-z]/.test(b)) extra += `${a.toUpperCase()}-${b.toUpperCase()}`;
      else if (/[A-Z]/.test(a) && /[A-Z]/.test(b)) extra += `${a.toLowerCase()}-${b.toLowerCase()}`;
      i += 2;
      continue;
    }
    if (/[a-z]/.test(c)) extra += c.toUpperCase();
    else if (/[A-Z]/.test(c)) extra += c.toLowerCase();
  }
  return body + extra;
}

/** Translate a Go RE2 pattern to a JS source and flags. `where` names the rule in errors. */
export function translateGoRegex(pattern: string, where: string): TranslatedRegex {
  let src = pattern;
  const flags = new Set<string>();
  // Leading flag groups: (?i), (?is), (?m)…
  for (;;) {
    const m = /^\(\?([a-zA-Z]+)\)/.exec(src);
    if (!m) break;
    for (const f of m[1]!) {
      if (f === "i" || f === "s" || f === "m") flags.add(f);
      else throw untranslatable(where, `(?${m[1]})`, `flag ${f} has no JavaScript equivalent`);
    }
    src = src.slice(m[0].length);
  }
  const globalFold = flags.has("i");
  const globalDotAll = flags.has("s");
  // One frame per open group: whether letters fold and dots match newlines inside it.
  const frames: Array<{ fold: boolean; dotAll: boolean }> = [{ fold: globalFold, dotAll: globalDotAll }];
  const top = () => frames[frames.length - 1]!;
  let out = "";
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const frame = top();
    if (c === "\\") {
      const e = src[i + 1];
      if (e === undefined) throw untranslatable(where, "\\", "trailing backslash");
      if (e === "z") out += "(?![\\s\\S])";
      else if (e === "A") out += "(?<![\\s\\S])";
      else if (e === "Q" || e === "E") throw untranslatable(where, `\\${e}`, "quote the characters with backslashes instead");
      else if (e === "p" || e === "P") throw untranslatable(where, `\\${e}`, "Unicode classes need the u flag, which changes other escapes");
      else if (e === "x" && src[i + 2] === "{") throw untranslatable(where, "\\x{…}");
      else if (e === "C") throw untranslatable(where, "\\C");
      else if (frame.fold && !globalFold && /[a-zA-Z]/.test(e) && !/[dDwWsSbBnrtfvx0-9]/.test(e)) out += foldLetter(e);
      else out += `\\${e}`;
      i += 2;
      continue;
    }
    if (c === "[") {
      // Copy the class, translating POSIX names and folding letters when needed.
      let j = i + 1;
      let body = "";
      if (src[j] === "^") {
        body += "^";
        j++;
      }
      if (src[j] === "]") {
        body += "\\]";
        j++;
      }
      while (j < src.length && src[j] !== "]") {
        if (src[j] === "\\") {
          body += src.slice(j, j + 2);
          j += 2;
          continue;
        }
        if (src[j] === "[" && src[j + 1] === ":") {
          const end = src.indexOf(":]", j + 2);
          if (end < 0) throw untranslatable(where, src.slice(j, j + 10), "unterminated POSIX class");
          const name = src.slice(j + 2, end);
          if (name.startsWith("^")) throw untranslatable(where, `[:${name}:]`, "negated POSIX class");
          const range = POSIX[name];
          if (!range) throw untranslatable(where, `[:${name}:]`, "unknown POSIX class");
          body += range;
          j = end + 2;
          continue;
        }
        if (src[j] === "[") {
          body += "\\[";
          j++;
          continue;
        }
        body += src[j];
        j++;
      }
      if (j >= src.length) throw untranslatable(where, "[", "unterminated character class");
      const negated = body.startsWith("^");
      const inner = negated ? body.slice(1) : body;
      out += `[${negated ? "^" : ""}${frame.fold && !globalFold ? foldClassBody(inner) : inner}]`;
      i = j + 1;
      continue;
    }
    if (c === "(") {
      if (src.startsWith("(?P<", i)) {
        out += "(?<";
        i += 4;
        frames.push({ ...frame });
        continue;
      }
      if (src.startsWith("(?P=", i)) throw untranslatable(where, "(?P=name)", "Go has no backreferences either");
      const flagGroup = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]+))?(:|\))/.exec(src.slice(i));
      if (flagGroup && (flagGroup[1] || flagGroup[2])) {
        if (flagGroup[2]) throw untranslatable(where, flagGroup[0], "flag negation");
        const next = { ...frame };
        for (const f of flagGroup[1]!) {
          if (f === "i") next.fold = true;
          else if (f === "s") next.dotAll = true;
          else throw untranslatable(where, flagGroup[0], `flag ${f} inside the pattern`);
        }
        if (flagGroup[3] === ")") {
          // (?i) in the middle: applies to the rest of the enclosing group.
          frames[frames.length - 1] = next;
        } else {
          out += "(?:";
          frames.push(next);
        }
        i += flagGroup[0].length;
        continue;
      }
      out += "(";
      frames.push({ ...frame });
      i++;
      continue;
    }
    if (c === ")") {
      if (frames.length > 1) frames.pop();
      out += ")";
      i++;
      continue;
    }
    if (c === "." && frame.dotAll && !globalDotAll) {
      out += "[\\s\\S]";
      i++;
      continue;
    }
    if (frame.fold && !globalFold && /[a-zA-Z]/.test(c)) {
      // Inside a quantifier's braces there are no letters, so folding letters here is safe.
      out += foldLetter(c);
      i++;
      continue;
    }
    out += c;
    i++;
  }
  const flagString = [...flags].sort().join("");
  try {
    new RegExp(out, flagString);
  } catch (err) {
    throw new KeyscanError("E_GITLEAKS", `${where}: the translated pattern is not a valid JavaScript regex (${(err as Error).message}); rewrite the pattern.`, { cause: err });
  }
  return { source: out, flags: flagString };
}

/** Mark capture group `n` (1-based; 0 = the first group, as gitleaks does) as the `secret` group. */
export function markSecretGroup(source: string, n: number, where: string): string {
  const groups: Array<{ at: number; named: boolean; nameEnd: number }> = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "(") {
      if (source[i + 1] !== "?") groups.push({ at: i, named: false, nameEnd: i + 1 });
      else if (source[i + 2] === "<" && source[i + 3] !== "=" && source[i + 3] !== "!") groups.push({ at: i, named: true, nameEnd: source.indexOf(">", i) + 1 });
    }
  }
  if (groups.length === 0) {
    if (n > 0) throw new KeyscanError("E_GITLEAKS", `${where}: secretGroup = ${n} but the regex has no capture group.`);
    return source;
  }
  const g = groups[(n > 0 ? n : 1) - 1];
  if (!g) throw new KeyscanError("E_GITLEAKS", `${where}: secretGroup = ${n} but the regex has only ${groups.length} capture group(s).`);
  return `${source.slice(0, g.at)}(?<secret>${source.slice(g.nameEnd)}`;
}

interface GitleaksAllowlist {
  description?: string;
  condition?: string;
  regexes?: string[];
  regexTarget?: string;
  stopwords?: string[];
  paths?: string[];
  commits?: string[];
  targetRules?: string[];
}

interface GitleaksRule {
  id?: string;
  description?: string;
  regex?: string;
  secretGroup?: number;
  entropy?: number;
  keywords?: string[];
  path?: string;
  allowlist?: GitleaksAllowlist;
  allowlists?: GitleaksAllowlist[];
  required?: unknown;
}

export interface GitleaksImport {
  spec: ProviderFile;
  options: CompileOptions;
  warnings: string[];
}

type Extras = Partial<Pick<Rule, "allowLine" | "stopwords" | "pathAllow" | "pathOnly" | "allowMatch">>;

function regexFromGo(pattern: string, where: string): RegExp {
  const t = translateGoRegex(pattern, where);
  return new RegExp(t.source, t.flags);
}

const MAX_CONFIG_BYTES = 4 << 20;

/** Read and translate a gitleaks TOML config. Throws E_GITLEAKS (exit 2) on anything it cannot translate. */
export function importGitleaksConfig(file: string, shown: string = file): GitleaksImport {
  let data: Record<string, unknown>;
  // Read as untrusted, like every rule file (load-rules.ts): a repository's config can name it.
  const read = readSmallRegularFile(file, { maxBytes: MAX_CONFIG_BYTES, followSymlinks: true });
  if (!read.ok) throw new KeyscanError("E_CONFIG", `gitleaks config ${shown} ${read.message}; check --config/--gitleaks-config.`);
  try {
    data = parseToml(read.text) as Record<string, unknown>;
  } catch (err) {
    throw new KeyscanError("E_GITLEAKS", `${shown}: cannot read the gitleaks config (${describeCause(err)}); check the TOML syntax.`, { cause: err });
  }
  const warnings: string[] = [];
  if (data.extend) warnings.push(`${shown}: [extend] is ignored: keyscan does not load gitleaks' default rules; its own built-in rules run alongside.`);
  const rawRules = (Array.isArray(data.rules) ? data.rules : []) as GitleaksRule[];
  const globals: GitleaksAllowlist[] = [
    ...(data.allowlist ? [data.allowlist as GitleaksAllowlist] : []),
    ...((Array.isArray(data.allowlists) ? data.allowlists : []) as GitleaksAllowlist[]),
  ];
  const rules: RuleSpec[] = [];
  const extras = new Map<string, Extras>();
  const seen = new Set<string>();

  for (const [index, r] of rawRules.entries()) {
    const gid = typeof r.id === "string" && r.id.length > 0 ? r.id : `rule-${index + 1}`;
    const where = `${shown}: gitleaks rule ${gid}`;
    if (typeof r.regex !== "string" || r.regex.length === 0) {
      warnings.push(`${where}: skipped: rules that match only a path (no regex) are not supported.`);
      continue;
    }
    if (r.required) warnings.push(`${where}: [[rules.required]] is ignored; the rule reports on its own.`);
    let id = `gitleaks.${gid.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || `rule-${index + 1}`}`;
    while (seen.has(id)) id += "-x";
    seen.add(id);
    const translated = translateGoRegex(r.regex, where);
    const source = markSecretGroup(translated.source, r.secretGroup ?? 0, where);
    if (translated.flags.includes("m") || translated.flags.includes("s")) {
      warnings.push(`${where}: the (?${translated.flags.replace("i", "")}) flag applies to the whole pattern only when it is leading; check the rule.`);
    }
    const extra: Extras = {};
    const allow: string[] = [];
    const allowMatch: RegExp[] = [];
    const allowLine: RegExp[] = [];
    const stopwords: string[] = [];
    const pathAllow: RegExp[] = [];
    const lists = [...(r.allowlist ? [r.allowlist] : []), ...(r.allowlists ?? []), ...globals.filter((g) => !g.targetRules || g.targetRules.includes(gid))];
    for (const [k, al] of lists.entries()) {
      const at = `${where} (allowlist ${k + 1})`;
      const kinds = [al.regexes?.length, al.stopwords?.length, al.paths?.length, al.commits?.length].filter((n) => n).length;
      if ((al.condition ?? "OR").toUpperCase() === "AND" && kinds > 1) {
        warnings.push(`${at}: condition = "AND" is not supported; this allowlist is ignored (findings are kept).`);
        continue;
      }
      if (al.commits?.length) warnings.push(`${at}: commit allowlists are ignored; use a baseline or .keyscanignore fingerprints.`);
      const target = (al.regexTarget ?? "secret").toLowerCase();
      for (const re of al.regexes ?? []) {
        const t = translateGoRegex(re, `${at} regex`);
        if (target === "match") allowMatch.push(new RegExp(t.source, t.flags));
        else if (target === "line") allowLine.push(new RegExp(t.source, t.flags));
        else allow.push(t.flags.includes("i") ? `(?i)${t.source}` : t.source);
      }
      stopwords.push(...(al.stopwords ?? []).map((w) => w.toLowerCase()));
      pathAllow.push(...(al.paths ?? []).map((p) => regexFromGo(p, `${at} path`)));
    }
    // The allow strings are compiled again by compileProvider; check them here for a precise message.
    allow.forEach((a, k) => compileAllow(a, `${where} (allow ${k + 1})`));
    if (allowMatch.length) extra.allowMatch = allowMatch;
    if (allowLine.length) extra.allowLine = allowLine;
    if (stopwords.length) extra.stopwords = stopwords;
    if (pathAllow.length) extra.pathAllow = pathAllow;
    if (typeof r.path === "string" && r.path.length > 0) extra.pathOnly = regexFromGo(r.path, `${where} path`);
    extras.set(id, extra);
    rules.push({
      id,
      name: r.description?.trim() || gid,
      description: r.description?.trim() || `Imported from gitleaks rule ${gid}.`,
      severity: "high",
      secret: {
        pattern: source,
        ...(r.keywords && r.keywords.length > 0 ? { keywords: r.keywords.map((k) => k.toLowerCase()) } : {}),
        standalone: true,
        boundary: false,
        ...(translated.flags.includes("i") ? { ignore_case: true } : {}),
        ...(typeof r.entropy === "number" && r.entropy > 0 ? { min_entropy: Math.min(8, r.entropy) } : {}),
      },
      ...(allow.length ? { allow } : {}),
      examples: [],
      negatives: [],
    });
  }
  if (rules.length === 0) throw new KeyscanError("E_GITLEAKS", `${shown}: the gitleaks config has no usable [[rules]].`);
  return {
    spec: { provider: "gitleaks", name: "gitleaks config", hosts: [], rules },
    options: { allowNoKeywords: true, extras },
    warnings,
  };
}
