/**
 * Loads provider rule files (YAML or JSON) from keyscan's own `rules/` folder and from any extra files or folders
 * the user names, validates each against the schema, and compiles them into one RuleSet. Validation errors are
 * fatal and precise: they name the file, the line and column in it, and the field path, because a rule author's
 * first question is "where". The rule-set version is a hash of the files' bytes, so two runs agree on it exactly
 * when they loaded the same rules. With a cache folder, a whole compiled rule set is first looked up by a key over
 * every input (rule-cache.ts) and rebuilt from it without parsing, expanding or analysing anything (issue 7), its
 * matchers made only as their keywords occur (lazy-rule-set.ts, issue 21).
 */
import type * as Crypto from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type * as Yaml from "yaml";
import type { z } from "zod";
import { KeyscanError, describeCause } from "../errors.js";
import { compileProvider } from "./compile.js";
import type { MatcherPlan } from "./plans.js";
import type * as Gitleaks from "./gitleaks.js";
import type { GitleaksImport } from "./gitleaks.js";
import { ruleSetFromImage } from "./lazy-rule-set.js";
import { buildPrefilter, prefilterParts } from "./prefilter.js";
import { compiledSetKey, defaultCacheDir, fileStatKey, openRuleCache, ruleFileKey, type CompiledSetInput, type CompiledSetKey } from "./rule-cache.js";
import { encodeRuleSetImage, readRuleSetImage, ruleSetImageStamp, writeRuleSetImage } from "./rule-set-image.js";
import type { LoadedSpec, Matcher, Provider, Rule, RuleSet } from "./rule.js";
import type * as Schema from "./rule-schema.js";
import type { ProviderFile } from "./rule-schema.js";

// Issue 7: yaml and zod (via the schema) take ~100 ms to import, more than the rest of a pre-commit run. They are
// loaded on first use, which with a warm rule cache (src/engine/rule-cache.ts) is never. Node >= 20.19 can
// require() an ES module, which keeps loadRules synchronous.
const lazyRequire = createRequire(import.meta.url);
let yamlModule: typeof Yaml | undefined;
let schemaModule: typeof Schema | undefined;
let gitleaksModule: typeof Gitleaks | undefined;
const yaml = (): typeof Yaml => (yamlModule ??= lazyRequire("yaml") as typeof Yaml);
const schema = (): typeof Schema => (schemaModule ??= lazyRequire("./rule-schema.js") as typeof Schema);
// gitleaks.ts brings smol-toml, for a `.gitleaks.toml` import that a pre-commit run rarely has.
const gitleaks = (): typeof Gitleaks => (gitleaksModule ??= lazyRequire("./gitleaks.js") as typeof Gitleaks);
// Run from the TypeScript sources (vitest), the sibling is a .ts file that require() cannot load: import it now.
if (import.meta.url.endsWith(".ts")) {
  schemaModule = await import("./rule-schema.js");
  yamlModule = await import("yaml");
  gitleaksModule = await import("./gitleaks.js");
}
import { readSmallRegularFile } from "../util/safe-read.js";

const MAX_RULE_FILE_BYTES = 4 << 20;

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
  /** `gitleaks`: a `.gitleaks.toml` to import (the default for a `.toml` file). */
  format?: "keyscan" | "gitleaks";
}

export interface LoadRulesOptions {
  /** Load keyscan's built-in rules (default true). */
  builtin?: boolean;
  extra?: readonly RuleSource[];
  /** Rule ids (or provider ids) to leave out. */
  disable?: readonly string[];
  /** Folder of the validated-spec cache; `false` disables it; default from the environment (see rule-cache.ts). */
  cacheDir?: string | false;
  /** loadRulesAhead's rule set, taken when these options ask for exactly it (keyscan's own rules, the default cache). */
  ahead?: RulesAhead;
}

/** The rule files a `--rules` path names: the file itself, or a folder's YAML/JSON files (not schemas), sorted. */
export function listRuleFiles(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new KeyscanError("E_CONFIG", `rules path ${path} cannot be read (${describeCause(err)}); check --rules/--config.`, { cause: err });
  }
  if (st.isFile()) return [path];
  if (!st.isDirectory()) throw new KeyscanError("E_CONFIG", `rules path ${path} is neither a file nor a folder; check --rules/--config.`);
  // `join(path, f)` for each name, with the folder normalised once (issue 21: 600 joins were ~8 ms of a cold start).
  const folder = join(path, ".");
  const prefix = folder === "." ? "" : folder.endsWith(sep) ? folder : `${folder}${sep}`;
  return readdirSync(path)
    .filter((f) => /\.(ya?ml|json)$/i.test(f) && !f.startsWith(".") && !/\.schema\.json$/i.test(f))
    .sort()
    .map((f) => `${prefix}${f}`);
}

/** Line and column (1-based) of a place in a rule file. */
export interface RuleFilePosition {
  line: number;
  col: number;
}

/** A rule file parsed with its source positions (what the rule checker needs to point at an example). */
export type ParsedRuleFile =
  | {
      ok: true;
      spec: ProviderFile;
      /** Where the node at `path` (e.g. `["rules", 0, "examples", 1]`) starts; its nearest existing parent when absent. */
      locate(path: readonly (string | number)[]): RuleFilePosition;
    }
  | { ok: false; line: number; col: number; message: string };

/** Parse and validate one rule file's text, keeping the positions of its nodes. */
export function parseProviderDocument(text: string): ParsedRuleFile {
  const { LineCounter, parseDocument, isNode } = yaml();
  const { providerFileSchema } = schema();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lineCounter.linePos(e.pos[0]);
    return { ok: false, line: pos.line, col: pos.col, message: `invalid YAML: ${e.message.split("\n")[0]}` };
  }
  // Walk up the path until a node with a source range exists (a missing field has none; its parent does).
  const locate = (path: readonly (string | number)[]): RuleFilePosition => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return { line: pos.line, col: pos.col };
      }
    }
    return { line: 1, col: 1 };
  };
  const data: unknown = doc.toJS();
  const parsed = providerFileSchema.safeParse(data);
  if (parsed.success) return { ok: true, spec: parsed.data, locate };
  const issue: z.core.$ZodIssue = parsed.error.issues[0]!;
  const { line, col } = locate(issue.path.map((p) => (typeof p === "number" ? p : String(p))));
  const field = issue.path.length > 0 ? issue.path.map((p) => String(p)).join(".") : "(top level)";
  const extra = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem(s))` : "";
  return { ok: false, line, col, message: `field \`${field}\`: ${issue.message}${extra}` };
}

/** Parse and validate one rule file's text; throws E_RULE_SCHEMA with file:line:col and the field path. */
export function parseProviderFile(text: string, file: string): ProviderFile {
  const parsed = parseProviderDocument(text);
  if (parsed.ok) return parsed.spec;
  throw new KeyscanError("E_RULE_SCHEMA", `${file}:${parsed.line}:${parsed.col}: ${parsed.message}`);
}

/** A rule file's text, read as untrusted (a FIFO would block, /dev/zero never end); throws E_CONFIG. */
export function readRuleFile(file: string): string {
  const read = readSmallRegularFile(file, { maxBytes: MAX_RULE_FILE_BYTES, followSymlinks: true });
  if (!read.ok) throw new KeyscanError("E_CONFIG", `rule file ${file} ${read.message}; check --rules/--config.`);
  return read.text;
}

export function loadRules(options: LoadRulesOptions = {}): RuleSet {
  const sources: RuleSource[] = [];
  if (options.builtin !== false) sources.push({ path: builtinRulesDir() });
  sources.push(...(options.extra ?? []));
  const shipped = options.builtin !== false ? sources[0] : undefined;
  const dir = options.cacheDir === false ? undefined : (options.cacheDir ?? defaultCacheDir());
  const disable = options.disable ?? [];
  if (options.ahead && options.builtin !== false && !options.extra?.length && !disable.length && options.cacheDir === undefined && dir === options.ahead.dir) return options.ahead.ruleset;
  // Issue 7: first try the compiled rule-set cache, keyed by every input. Issue 21: its image is used in place, and
  // matchers are made as their keywords occur (lazy-rule-set.ts). Anything unusual (a gitleaks import, an unreadable
  // file or folder) leaves it to the full path below, which reports it as always.
  const { warm, setKey, ruleset: cached } = fromImage(sources, shipped, dir, disable);
  if (cached) return cached;
  const texts = warm?.texts ?? new Map<string, string>();
  // node:crypto only for a compile (issue 20: a warm start does not load it).
  const hash = (lazyRequire("node:crypto") as typeof Crypto).createHash("sha256");
  const cache = openRuleCache(dir);
  const loaded: LoadedSpec[] = [];
  const imports = new Map<string, GitleaksImport>();
  const importWarnings: string[] = [];
  for (const source of sources) {
    for (const file of listRuleFiles(source.path)) {
      let text = texts.get(file);
      if (text === undefined) {
        // A repository's config can name rule files: read them as untrusted.
        text = readRuleFile(file);
      }
      const shown = displayPath(file);
      hash.update(basename(file)).update("\0").update(text).update("\0");
      const fromRepoConfig = source.fromRepoConfig ?? false;
      if (isGitleaks(source, file)) {
        // Imported gitleaks configs bypass the spec cache: their compile options hold RegExps (allowlists, path
        // scopes), which are not plain data. Workers translate the file again from its path (see compileRuleSet).
        const path = resolve(file);
        const imported = gitleaks().importGitleaksConfig(path, shown);
        imports.set(path, imported);
        importWarnings.push(...imported.warnings);
        loaded.push({ spec: imported.spec, file: shown, fromRepoConfig, gitleaks: path });
        continue;
      }
      const key = ruleFileKey(text);
      const cached = cache.get(key);
      if (cached && compiles(cached, shown)) {
        loaded.push({ spec: cached, file: shown, fromRepoConfig });
        continue;
      }
      const spec = parseProviderFile(text, shown);
      cache.set(key, spec);
      loaded.push({ spec, file: shown, fromRepoConfig });
    }
  }
  cache.save();
  const plans: (MatcherPlan[] | null)[] = [];
  const version = hash.digest("hex").slice(0, 16);
  const ruleset = compileRuleSet(loaded, disable, version, { imports, warnings: importWarnings, plans });
  const parts = prefilterParts(ruleset.prefilter);
  const source = ruleset.source;
  if (loaded.every((l) => !l.gitleaks) && parts && source) {
    const image = (): Uint8Array =>
      toShared(
        encodeRuleSetImage({
          key: setKey?.text ?? "",
          version,
          disable,
          warnings: ruleset.warnings ?? [],
          providers: loaded.map((l, i) => ({ spec: l.spec, file: l.file, fromRepoConfig: l.fromRepoConfig, plans: plans[i] ?? null })),
          ...parts,
        }),
      );
    if (setKey !== undefined) {
      source.compiled = image();
      writeRuleSetImage(dir, setKey.name, source.compiled);
    } else {
      // No cache: made only if a worker pool needs it.
      let made: Uint8Array | undefined;
      Object.defineProperty(source, "compiled", { get: () => (made ??= image()), enumerable: true, configurable: true });
    }
  }
  return ruleset;
}

/**
 * The rule set fromImage made last, for a process that loads the same rules again (issue 20: the resident pre-commit
 * process, src/cli/daemon/server.ts, ~7 ms a run, and with it the matchers already made). Its key is the full key
 * text (the rule files' stats and names, what is disabled) and the image file's stat: a change to any of them, or an
 * image written or removed since, reads the image again.
 */
let lastFromImage: { dir: string; key: string; stamp: string; ruleset: RuleSet } | undefined;

/** The rule set from its cached image, with what its key was made of; `ruleset` undefined when there is none to use. */
function fromImage(
  sources: readonly RuleSource[],
  shipped: RuleSource | undefined,
  dir: string | undefined,
  disable: readonly string[],
): { warm?: ReturnType<typeof keyInputs>; setKey?: CompiledSetKey; ruleset?: RuleSet } {
  const warm = dir === undefined ? undefined : keyInputs(sources, shipped);
  if (!warm || dir === undefined) return { warm };
  const setKey = compiledSetKey(warm.files, disable);
  const stamp = ruleSetImageStamp(dir, setKey.name);
  const last = lastFromImage;
  if (stamp !== undefined && last && last.dir === dir && last.key === setKey.text && last.stamp === stamp) return { warm, setKey, ruleset: last.ruleset };
  const image = readRuleSetImage(dir, setKey.name, setKey.text);
  if (image && image.providers.count === warm.files.length) {
    try {
      const ruleset = ruleSetFromImage(image);
      if (stamp !== undefined) lastFromImage = { dir, key: setKey.text, stamp, ruleset };
      return { warm, setKey, ruleset };
    } catch {
      // A damaged entry: compile as if it were not there (and replace it).
    }
  }
  return { warm, setKey };
}

/** keyscan's own rules (nothing disabled) read ahead from their cached image, for loadRules to take (`ahead`). */
export interface RulesAhead {
  readonly dir: string;
  readonly ruleset: RuleSet;
}

/**
 * Issue 20: keyscan's own rules from their cached image, read ahead of loadRules. A pre-commit run asks git its
 * questions first and learns its config only from the answers (it is read from the index); the rule set it most
 * likely loads is this one, and reading it while git works takes ~20 ms off the wait. Only a cached image is read,
 * never compiled: when the config then asks for another set (its own rules, rules turned off), little is lost.
 */
export function loadRulesAhead(): RulesAhead | undefined {
  const dir = defaultCacheDir();
  if (dir === undefined) return undefined;
  const sources = [{ path: builtinRulesDir() }];
  const { ruleset } = fromImage(sources, sources[0], dir, []);
  return ruleset ? { dir, ruleset } : undefined;
}

/** A copy of `bytes` on a SharedArrayBuffer (what worker threads are given). */
function toShared(bytes: Uint8Array): Uint8Array {
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
  shared.set(bytes);
  return shared;
}

function isGitleaks(source: RuleSource, file: string): boolean {
  return source.format === "gitleaks" || (source.format === undefined && /\.toml$/i.test(file));
}

/**
 * What the compiled-set key needs per rule file (rule-cache.ts): keyscan's own files by their stat (fileStatKey,
 * issue 21: no rule file is read on a warm start), every other by its bytes (kept in `texts` for the full path).
 * Undefined when the fast path does not apply: a gitleaks import, or anything that fails to list or read (the full
 * path then raises the error, in its usual order).
 */
function keyInputs(sources: readonly RuleSource[], shipped: RuleSource | undefined): { files: CompiledSetInput[]; texts: Map<string, string> } | undefined {
  try {
    const files: CompiledSetInput[] = [];
    const texts = new Map<string, string>();
    for (const source of sources) {
      for (const file of listRuleFiles(source.path)) {
        if (isGitleaks(source, file)) return undefined;
        if (source === shipped) {
          files.push({ shown: shownIn(source.path, file), fromRepoConfig: false, key: fileStatKey(statSync(file)) });
          continue;
        }
        const input = { shown: displayPath(file), fromRepoConfig: source.fromRepoConfig ?? false };
        const read = readSmallRegularFile(file, { maxBytes: MAX_RULE_FILE_BYTES, followSymlinks: true });
        if (!read.ok) return undefined;
        texts.set(file, read.text);
        files.push({ ...input, key: ruleFileKey(read.text) });
      }
    }
    return { files, texts };
  } catch {
    return undefined;
  }
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
 * Compile validated specs into a RuleSet. Separate from loading so that worker threads (src/executor/pool.ts) can
 * rebuild the same rule set from the plain specs without parsing YAML again. A spec imported from a gitleaks config
 * is translated again from its file (`LoadedSpec.gitleaks`) unless `context.imports` already holds the translation.
 */
export function compileRuleSet(
  loaded: readonly LoadedSpec[],
  disable: readonly string[],
  version: string,
  context: {
    imports?: ReadonlyMap<string, GitleaksImport>;
    warnings?: readonly string[];
    /** When given, receives per loaded spec the matcher plans compiled for it (null for a disabled provider). */
    plans?: (MatcherPlan[] | null)[];
  } = {},
): RuleSet {
  const disabled = new Set(disable);
  const rules: Rule[] = [];
  const matchers: Matcher[] = [];
  const providers: Provider[] = [];
  const seenRule = new Map<string, string>();
  const seenProvider = new Map<string, string>();
  const warnings: string[] = [...(context.warnings ?? [])];
  for (const entry of loaded) {
    const { file: shown, fromRepoConfig } = entry;
    const imported = entry.gitleaks ? (context.imports?.get(entry.gitleaks) ?? gitleaks().importGitleaksConfig(entry.gitleaks, shown)) : undefined;
    const spec = imported ? imported.spec : entry.spec;
    const prior = seenProvider.get(spec.provider);
    if (prior) {
      throw new KeyscanError("E_RULE_DUPLICATE", `${shown}: provider \`${spec.provider}\` is already defined in ${prior}; one provider per file.`);
    }
    seenProvider.set(spec.provider, shown);
    if (disabled.has(spec.provider)) {
      context.plans?.push(null);
      continue;
    }
    const compiled = compileProvider(spec, shown, fromRepoConfig, imported?.options);
    context.plans?.push(compiled.plans);
    providers.push(compiled.provider);
    warnings.push(...compiled.warnings);
    for (const r of compiled.rules) {
      const dup = seenRule.get(r.id);
      if (dup) throw new KeyscanError("E_RULE_DUPLICATE", `${shown}: rule id \`${r.id}\` is already defined in ${dup}.`);
      seenRule.set(r.id, shown);
      if (!disabled.has(r.id)) rules.push(r);
    }
    matchers.push(...compiled.matchers.filter((m) => !disabled.has(m.rule.id)));
  }
  return {
    warnings,
    rules,
    matchers,
    providers,
    prefilter: buildPrefilter(matchers),
    version,
    source: { specs: loaded, disable: [...disable] },
  };
}

/**
 * displayPath of a file in keyscan's rules folder, with the folder's part worked out once per folder and cwd. Outside
 * the folder's parent (every run but in keyscan's own checkout: a hook runs in the user's repository) the relative
 * path of each of the folder's files starts with `..` as the folder's does, so each is shown as it is: issue 20, one
 * path.relative per rule file was ~3 ms of every start.
 */
let shownFolder: { folder: string; cwd: string; shown: string | undefined; asIs: boolean } | undefined;
function shownIn(folder: string, file: string): string {
  const cwd = process.cwd();
  if (shownFolder?.folder !== folder || shownFolder.cwd !== cwd) {
    const rel = relative(cwd, folder);
    const asIs = rel === ".." || rel.startsWith(`..${sep}`);
    shownFolder = { folder, cwd, asIs, shown: rel === "" ? "" : !rel.startsWith("..") ? `${rel.split("\\").join("/")}/` : undefined };
  }
  if (shownFolder.asIs) return file;
  return shownFolder.shown === undefined ? displayPath(file, cwd) : `${shownFolder.shown}${file.slice(file.lastIndexOf(sep) + 1)}`;
}

/** A rule file as messages show it: relative to `cwd` when inside it, else absolute. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith("..") ? rel.split("\\").join("/") : file;
}
