/**
 * One hop from a usage to the literal (issue 17): a reference matcher (usage-refs.ts) found `Bearer ${API_KEY}`,
 * `headers={"x-api-key": api_key}` or `new GetimgAI(key)`; this finds where the same file assigns a literal to that
 * identifier, as each language writes it: `API_KEY = "…"`, `const apiKey: string = "…"`, `apiKey := "…"`,
 * `var apiKey string = "…"` (Go),
 * `$apiKey = '…'`, `@api_key = "…"`, `self.api_key = "…"`, `api_key: …` (YAML, object fields), `api.key=…`
 * (properties), `define('API_KEY', '…')`, environment defaults (`os.getenv("X", "…")`, `process.env.X || "…"`,
 * `ENV.fetch("X", "…")`, `${X:-…}`), XML (`<apiKey>…</apiKey>`, `<property name="apiKey" value="…"/>`) and HCL
 * (`variable "api_key" { default = "…" }`). JSON-escaped quotes count (a notebook's cells).
 *
 * Bounded: identifiers are found with indexOf and the assignment pattern runs sticky at each occurrence only; a file
 * resolves at most MAX_NAMES identifiers, and files over MAX_TEXT are not searched. The pattern is checked by the
 * ReDoS analysis in test/engine/references.test.ts.
 */

export interface Literal {
  /** Offsets of the assigned value in the text. */
  start: number;
  end: number;
  value: string;
  /** The identifier as resolved (its last part when the whole expression had no assignment). */
  name: string;
}

export const MAX_NAMES = 32;
export const MAX_TEXT = 2 * 1024 * 1024;
const MAX_OCCURRENCES = 256;

const Q = "\\\\?[\"'`]";
const WS = "[ \\t]{0,16}";
/** A type annotation between the name and `=`: `: string`, `: &str`, `: Option<String>`. */
/**
 * Go's type after the name: `var apiKey string = "…"`, `const k *string = …` (after the whitespace WS took); only
 * after `var` or `const`, or first on its line (a `const ( … )` block), else `a B=c` (two words of a `.env` line)
 * read as a typed declaration.
 */
const goType = (n: string): string =>
  `(?<=(?:(?:^|[^A-Za-z0-9_])(?:var|const)[ \\t]{1,16}|(?:^|\\n)[ \\t]{0,16})${n}[ \\t]{1,16})[*\\[\\]]{0,4}[A-Za-z_][A-Za-z0-9_.]{0,40}${WS}(?==(?!=))`;
const typeOf = (n: string): string => `(?:${WS}:${WS}[&*']{0,2}[A-Za-z_][A-Za-z0-9_<>\\[\\].,']{0,40}${WS}(?==)|${goType(n)})?`;
const OP = "(?::=|=>|\\?\\?=|\\|\\|=|=(?!=)|:(?![:=]))";
/** An environment read with a default, or a default operator: what follows is the literal. */
const ENV_DEFAULT =
  `(?:(?:[A-Za-z_][A-Za-z0-9_.()]{0,40}\\.)?(?:getenv|get|setdefault|fetch|getOrDefault|GetEnvironmentVariable|env)\\s{0,4}\\(\\s{0,4}${Q}[^"'\`\\n]{1,64}${Q}\\s{0,4},\\s{0,4}` +
  `|process\\.env(?:\\.[A-Za-z_][A-Za-z0-9_]{0,63}|\\[${Q}[^"'\`\\n]{1,64}${Q}\\])\\s{0,4}(?:\\|\\||\\?\\?)\\s{0,4}` +
  `|(?:getenv|env)\\s{0,4}\\(\\s{0,4}${Q}[^"'\`\\n]{1,64}${Q}\\s{0,4}\\)\\s{0,4}(?:\\?:|\\|\\||or)\\s{0,4}` +
  `|${Q}?\\$\\{[A-Za-z_][A-Za-z0-9_]{0,63}:-)`;
const OPEN = `(?:[rbfuRBFU$@]{0,2}${Q})?`;
/** The literal: up to a quote, whitespace or a delimiter; the rule's value pattern then decides. */
const LITERAL = "(?<v>[^\\s\"'`\\\\<>(){},;]{1,512})";

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** The assignment pattern for one name, tried sticky where the name occurs (exported for the ReDoS test). */
export function assignmentSource(name: string): string {
  const n = escapeRegex(name);
  const forms = [
    // API_KEY = "…", apiKey := "…", api_key: …, "apiKey": "…", const K: &str = "…", X = os.getenv("X", "…")
    `${Q}?${WS}(?:\\]${WS})?${typeOf(n)}${OP}${WS}(?:${ENV_DEFAULT})?${OPEN}`,
    // define('API_KEY', '…'), os.getenv("API_KEY", "…"), setProperty("apiKey", "…")
    `(?<=["'\`]${n})${Q}${WS}(?:,|=>)${WS}${OPEN}`,
    // <apiKey>…</apiKey>
    `(?<=<${n})(?:\\s[^<>]{0,200})?>\\s{0,64}`,
    // <property name="apiKey" value="…"/>, <add key="ApiKey" value="…"/>
    `(?<=(?:name|key)\\s{0,4}=\\s{0,4}["']${n})["']\\s{1,64}value\\s{0,4}=\\s{0,4}["']`,
    // variable "api_key" { default = "…" }
    `(?<=variable\\s{1,4}["']${n})["']\\s{0,4}\\{[^}]{0,300}?default\\s{0,4}=\\s{0,4}["']`,
  ];
  return `${n}(?:${forms.join("|")})${LITERAL}`;
}

const NOT_NAMES = new Set(["this", "self", "cls", "null", "none", "nil", "true", "false", "undefined", "env", "process", "os", "config", "settings"]);

/** Identifier characters, for the boundary before an occurrence. */
const isIdent = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/** The names to try for an identifier expression: the whole (`claid.token`, `API_KEY`), then its last part. */
export function namesOf(expr: string): string[] {
  const bare = expr.replace(/^[$@&*]+/, "");
  const parts = bare.split(/\.|->|::/);
  const last = parts[parts.length - 1]!.replace(/^[$@]+/, "");
  const out: string[] = [];
  if (parts.length > 1 && bare.includes(".")) out.push(bare);
  if (!NOT_NAMES.has(last.toLowerCase())) out.push(last);
  return out;
}

/**
 * Per-text resolver: `resolve(expr, at)` is the literal assigned to the identifier expression used at offset `at`
 * — the last assignment before `at`, else the first after it — or undefined. Results are cached per name.
 */
export class References {
  private readonly cache = new Map<string, Literal[]>();

  constructor(private readonly text: string) {}

  resolve(expr: string, at: number): Literal | undefined {
    if (this.text.length > MAX_TEXT) return undefined;
    for (const name of namesOf(expr)) {
      const all = this.assignments(name);
      if (all === undefined) return undefined; // over the per-file budget
      if (all.length === 0) continue;
      let best: Literal | undefined;
      for (const l of all) if (l.start < at) best = l;
      return best ?? all[0];
    }
    return undefined;
  }

  private assignments(name: string): Literal[] | undefined {
    const hit = this.cache.get(name);
    if (hit) return hit;
    if (this.cache.size >= MAX_NAMES) return undefined;
    const re = new RegExp(assignmentSource(name), "yd");
    const out: Literal[] = [];
    const text = this.text;
    let seen = 0;
    for (let i = text.indexOf(name); i !== -1 && seen < MAX_OCCURRENCES; i = text.indexOf(name, i + 1)) {
      seen++;
      if (i > 0 && isIdent(text.charCodeAt(i - 1))) continue;
      re.lastIndex = i;
      const m = re.exec(text);
      const span = m?.indices?.groups?.v;
      if (!m || !span) continue;
      out.push({ start: span[0], end: span[1], value: m.groups!.v!, name });
    }
    this.cache.set(name, out);
    return out;
  }
}
