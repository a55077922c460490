/**
 * Loads provider rule files (YAML or JSON) from keyscan's own `rules/` folder and from any extra files or folders
 * the user names, validates each against the schema, and compiles them into one RuleSet. Validation errors are
 * fatal and precise: they name the file, the line and column in it, and the field path, because a rule author's
 * first question is "where". The rule-set version is a hash of the files' bytes, so two runs agree on it exactly
 * when they loaded the same rules.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type * as Yaml from "yaml";
import type { z } from "zod";
import { KeyscanError, describeCause } from "../errors.js";
import { compileProvider } from "./compile.js";
import { buildPrefilter } from "./prefilter.js";
import { defaultCacheDir, openRuleCache, ruleFileKey } from "./rule-cache.js";
import type { LoadedSpec, Matcher, Provider, Rule, RuleSet } from "./rule.js";
import type * as Schema from "./rule-schema.js";
import type { ProviderFile } from "./rule-schema.js";

// Issue 7: yaml and zod (via the schema) take ~100 ms to import, more than the rest of a pre-commit run. They are
// loaded on first use, which with a warm rule cache (src/engine/rule-cache.ts) is never. Node >= 20.19 can
// require() an ES module, which keeps loadRules synchronous.
const lazyRequire = createRequire(import.meta.url);
let yamlModule: typeof Yaml | undefined;
let schemaModule: typeof Schema | undefined;
const yaml = (): typeof Yaml => (yamlModule ??= lazyRequire("yaml") as typeof Yaml);
const schema = (): typeof Schema => (schemaModule ??= lazyRequire("./rule-schema.js") as typeof Schema);
// Run from the TypeScript sources (vitest), the sibling is a .ts file that require() cannot load: import it now.
if (import.meta.url.endsWith(".ts")) {
  schemaModule = await import("./rule-schema.js");
  yamlModule = await import("yaml");
}

/** keyscan's own rules folder (next to `dist/` in the package, next to `src/` in the repo). */
export function builtinRulesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, "..", "..", "rules");
}

export interface RuleSource {
  /** A rule file or a folder of them. */
  path: string;
  /** Came from the scanned repository's own config (restricts verification). */
  fromRepoConfig?: boolean;
}

export interface LoadRulesOptions {
  /** Load keyscan's built-in rules (default true). */
  builtin?: boolean;
  extra?: readonly RuleSource[];
  /** Rule ids (or provider ids) to leave out. */
  disable?: readonly string[];
  /** Folder of the validated-spec cache; `false` disables it; default from the environment (see rule-cache.ts). */
  cacheDir?: string | false;
}

function listRuleFiles(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new KeyscanError("E_CONFIG", `rules path ${path} cannot be read (${describeCause(err)}); check --rules/--config.`, { cause: err });
  }
  if (st.isFile()) return [path];
  return readdirSync(path)
    .filter((f) => /\.(ya?ml|json)$/i.test(f) && !f.startsWith("."))
    .sort()
    .map((f) => join(path, f));
}

/** Parse and validate one rule file's text; throws E_RULE_SCHEMA with file:line:col and the field path. */
export function parseProviderFile(text: string, file: string): ProviderFile {
  const { LineCounter, parseDocument, isNode } = yaml();
  const { providerFileSchema } = schema();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lineCounter.linePos(e.pos[0]);
    throw new KeyscanError("E_RULE_SCHEMA", `${file}:${pos.line}:${pos.col}: invalid YAML: ${e.message.split("\n")[0]}`);
  }
  const data: unknown = doc.toJS();
  const parsed = providerFileSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue: z.core.$ZodIssue = parsed.error.issues[0]!;
  const path = issue.path.map((p) => String(p));
  // Walk up the path until a node with a source range exists (a missing field has none; its parent does).
  let line = 1;
  let col = 1;
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lineCounter.linePos(node.range[0]);
      line = pos.line;
      col = pos.col;
      break;
    }
  }
  const field = path.length > 0 ? path.join(".") : "(top level)";
  const extra = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem(s))` : "";
  throw new KeyscanError("E_RULE_SCHEMA", `${file}:${line}:${col}: field \`${field}\`: ${issue.message}${extra}`);
}

export function loadRules(options: LoadRulesOptions = {}): RuleSet {
  const sources: RuleSource[] = [];
  if (options.builtin !== false) sources.push({ path: builtinRulesDir() });
  sources.push(...(options.extra ?? []));
  const hash = createHash("sha256");
  const cache = openRuleCache(options.cacheDir === false ? undefined : (options.cacheDir ?? defaultCacheDir()));
  const loaded: LoadedSpec[] = [];
  for (const source of sources) {
    for (const file of listRuleFiles(source.path)) {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (err) {
        throw new KeyscanError("E_CONFIG", `rule file ${file} cannot be read (${describeCause(err)}).`, { cause: err });
      }
      const shown = displayPath(file);
      hash.update(basename(file)).update("\0").update(text).update("\0");
      const key = ruleFileKey(text);
      const cached = cache.get(key);
      if (cached && compiles(cached, shown)) {
        loaded.push({ spec: cached, file: shown, fromRepoConfig: source.fromRepoConfig ?? false });
        continue;
      }
      const spec = parseProviderFile(text, shown);
      cache.set(key, spec);
      loaded.push({ spec, file: shown, fromRepoConfig: source.fromRepoConfig ?? false });
    }
  }
  cache.save();
  return compileRuleSet(loaded, options.disable ?? [], hash.digest("hex").slice(0, 16));
}

/** A cached spec is trusted only if it still compiles (a hand-edited or damaged entry falls back to parsing). */
function compiles(spec: ProviderFile, shown: string): boolean {
  try {
    compileProvider(spec, shown, false);
    return true;
  } catch {
    return false;
  }
}

/**
 * Compile validated specs into a RuleSet. Separate from loading so that worker threads (src/engine/pool.ts) can
 * rebuild the same rule set from the plain specs without touching the disk.
 */
export function compileRuleSet(loaded: readonly LoadedSpec[], disable: readonly string[], version: string): RuleSet {
  const disabled = new Set(disable);
  const rules: Rule[] = [];
  const matchers: Matcher[] = [];
  const providers: Provider[] = [];
  const seenRule = new Map<string, string>();
  const seenProvider = new Map<string, string>();
  for (const { spec, file: shown, fromRepoConfig } of loaded) {
    const prior = seenProvider.get(spec.provider);
    if (prior) {
      throw new KeyscanError("E_RULE_DUPLICATE", `${shown}: provider \`${spec.provider}\` is already defined in ${prior}; one provider per file.`);
    }
    seenProvider.set(spec.provider, shown);
    if (disabled.has(spec.provider)) continue;
    const compiled = compileProvider(spec, shown, fromRepoConfig);
    providers.push(compiled.provider);
    for (const r of compiled.rules) {
      const dup = seenRule.get(r.id);
      if (dup) throw new KeyscanError("E_RULE_DUPLICATE", `${shown}: rule id \`${r.id}\` is already defined in ${dup}.`);
      seenRule.set(r.id, shown);
      if (!disabled.has(r.id)) rules.push(r);
    }
    matchers.push(...compiled.matchers.filter((m) => !disabled.has(m.rule.id)));
  }
  return {
    rules,
    matchers,
    providers,
    prefilter: buildPrefilter(matchers),
    version,
    source: { specs: loaded, disable: [...disable] },
  };
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") ? rel.split("\\").join("/") : file;
}
