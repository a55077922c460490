/**
 * The rule checker: the one place that decides whether rule files are right. It loads them as a scan would (the
 * engine's own parser and compiler), runs every rule's examples and negatives against the rule set, checks that
 * each matcher is exercised by some example, and returns diagnostics that point at the file, line and column of
 * the example or field concerned. `keyscan rules test`, `keyscan rules check` and the all-rules test
 * (test/rules.test.ts) all call it, so the CLI and the tests cannot disagree about a rule file. It sits outside
 * src/engine because it is tooling over the engine, not part of a scan.
 */
import { resolve } from "node:path";
import { KeyscanError } from "../errors.js";
import { compileProvider } from "../engine/compile.js";
import {
  builtinRulesDir,
  compileRuleSet,
  displayPath,
  listRuleFiles,
  loadRules,
  parseProviderDocument,
  readRuleFile,
  type RuleFilePosition,
} from "../engine/load-rules.js";
import { buildPrefilter } from "../engine/prefilter.js";
import type { LoadedSpec, Matcher, Rule, RuleSet } from "../engine/rule.js";
import { checkCase, exampleCases } from "../engine/rule-examples.js";
import type { ExampleSpec, ProviderFile, RuleSpec } from "../engine/rule-schema.js";
import { MAX_OVERLAP } from "../engine/limits.js";

/**
 * What a diagnostic is about (stable names, for filtering and for tests): `load` a file that does not parse,
 * validate or compile; `duplicate` a provider or rule id defined twice; `example` an example that finds nothing or
 * another secret; `negative` a negative that is found; `keywords` a matcher none of whose keywords occurs in an
 * example (so no example exercises it); `count` fewer than two examples or negatives; `length` a match length with
 * no bound; `windows` a matcher that runs over whole texts instead of windows around its keywords.
 */
export type RuleCheckKind = "load" | "duplicate" | "example" | "negative" | "keywords" | "count" | "length" | "windows";

export interface RuleDiagnostic {
  severity: "error" | "warning";
  check: RuleCheckKind;
  /** The rule file as shown (relative to the working folder when inside it). */
  file: string;
  line: number;
  col: number;
  ruleId?: string;
  message: string;
  /** The example or negative as written in the file (`{{secret}}` stands for the generated secret). */
  example?: string;
  /** The template the example's secret is generated from, e.g. `acme_{alnum:32}`. */
  secret?: string;
  /** The path the example is scanned as (rules scoped by `paths`). */
  path?: string;
}

export interface RuleCheckResult {
  diagnostics: RuleDiagnostic[];
  /** Rule files read. */
  files: number;
  /** Ids of the rules whose examples were run, in file order. */
  rules: string[];
  /** Examples and negatives run, and how many of them failed. */
  cases: number;
  failedCases: number;
}

export interface RuleCheckOptions {
  /**
   * Also load keyscan's shipped rules, as a scan with `--rules` would run them beside these: a provider or rule id
   * they already define is a duplicate, and their findings compete with the checked rules' (their own examples
   * are not run).
   */
  withBuiltin?: boolean;
  /**
   * `report` (default): a file that does not load becomes an error diagnostic and the others are still checked.
   * `throw`: it stops the check with the KeyscanError a scan would stop with (exit 2).
   */
  onLoadError?: "report" | "throw";
  /** Folder the files are shown relative to (default: the process's working folder). */
  cwd?: string;
}

interface CheckedFile {
  path: string;
  /** The file as diagnostics show it (relative to `cwd`). */
  shown: string;
  /**
   * The file as the compiler names it in messages (relative to the process's folder, as a scan names it): compile.ts
   * reads the file by this name to give a ReDoS error its line.
   */
  compiledAs: string;
  spec: ProviderFile;
  locate(path: readonly (string | number)[]): RuleFilePosition;
}

/** Check one rule file. */
export function checkRuleFile(file: string, options: RuleCheckOptions = {}): RuleCheckResult {
  return checkRulePaths([file], options);
}

/** Check every rule file in a folder, as one rule set (ids must be unique across them). */
export function checkRuleDir(dir: string, options: RuleCheckOptions = {}): RuleCheckResult {
  return checkRulePaths([dir], options);
}

/** Check rule files and folders together. A path that cannot be read is a usage error (thrown, E_CONFIG). */
export function checkRulePaths(paths: readonly string[], options: RuleCheckOptions = {}): RuleCheckResult {
  const cwd = options.cwd ?? process.cwd();
  const diagnostics: RuleDiagnostic[] = [];
  const fail = (d: RuleDiagnostic, error: () => KeyscanError): void => {
    if (options.onLoadError === "throw") throw error();
    diagnostics.push(d);
  };
  const files = paths.flatMap((p) => listRuleFiles(resolve(cwd, p)));
  const context = options.withBuiltin ? loadRules() : undefined;

  // 1. Parse and validate each file, keeping node positions.
  const parsed: CheckedFile[] = [];
  for (const path of files) {
    const shown = displayPath(path, cwd);
    const result = parseProviderDocument(readRuleFile(path));
    if (result.ok) parsed.push({ path, shown, compiledAs: displayPath(path), spec: result.spec, locate: result.locate });
    else {
      const d: RuleDiagnostic = { severity: "error", check: "load", file: shown, line: result.line, col: result.col, message: result.message };
      fail(d, () => new KeyscanError("E_RULE_SCHEMA", `${shown}:${result.line}:${result.col}: ${result.message}`));
    }
  }

  // 2. Ids are unique across the files (and the shipped rules, when they run beside them): a later file that
  //    repeats one is reported and left out, as a scan would refuse to load it.
  const providers = new Map<string, string>((context?.providers ?? []).map((p) => [p.id, p.file]));
  const ruleIds = new Map<string, string>((context?.rules ?? []).map((r) => [r.id, r.provider.file]));
  const unique = parsed.filter((f) => {
    const prior = providers.get(f.spec.provider);
    if (prior !== undefined) {
      const message = `provider \`${f.spec.provider}\` is already defined in ${prior}; one provider per file.`;
      fail({ severity: "error", check: "duplicate", file: f.shown, ...f.locate(["provider"]), message }, () => new KeyscanError("E_RULE_DUPLICATE", `${f.shown}: ${message}`));
      return false;
    }
    for (const [i, r] of f.spec.rules.entries()) {
      const dup = ruleIds.get(r.id);
      if (dup === undefined) continue;
      const message = `rule id \`${r.id}\` is already defined in ${dup}.`;
      fail({ severity: "error", check: "duplicate", file: f.shown, ...f.locate(["rules", i, "id"]), ruleId: r.id, message }, () => new KeyscanError("E_RULE_DUPLICATE", `${f.shown}: ${message}`));
      return false;
    }
    providers.set(f.spec.provider, f.shown);
    for (const r of f.spec.rules) ruleIds.set(r.id, f.shown);
    return true;
  });

  // 3. Compile, as a scan does. When that fails, each file is compiled on its own to find the ones that do not:
  //    they are reported and left out.
  const loadedOf = (fs: readonly CheckedFile[]) => fs.map((f): LoadedSpec => ({ spec: f.spec, file: f.compiledAs, fromRepoConfig: false }));
  let compiled = unique;
  let own: RuleSet;
  try {
    own = compileRuleSet(loadedOf(compiled), [], "check");
  } catch (first) {
    if (!(first instanceof KeyscanError)) throw first;
    compiled = unique.filter((f) => {
      try {
        compileProvider(f.spec, f.compiledAs, false);
        return true;
      } catch (err) {
        if (!(err instanceof KeyscanError)) throw err;
        fail(loadDiagnostic(err, f), () => err);
        return false;
      }
    });
    own = compileRuleSet(loadedOf(compiled), [], "check");
  }
  const ruleset = context ? mergeRuleSets(context, own) : own;
  for (const w of own.warnings ?? []) diagnostics.push(warningDiagnostic(w, compiled));

  // 4. Run each rule's examples and negatives, and check what they exercise.
  const byId = new Map(own.rules.map((r) => [r.id, r]));
  const matchersOf = new Map<Rule, Matcher[]>();
  for (const m of own.matchers) matchersOf.set(m.rule, [...(matchersOf.get(m.rule) ?? []), m]);
  const result: RuleCheckResult = { diagnostics, files: files.length, rules: [], cases: 0, failedCases: 0 };
  for (const f of compiled) {
    f.spec.rules.forEach((spec, ri) => {
      const rule = byId.get(spec.id);
      if (!rule) return;
      result.rules.push(rule.id);
      checkRule(rule, ri, f, ruleset, matchersOf.get(rule) ?? [], result);
    });
  }
  return result;
}

function checkRule(rule: Rule, ri: number, f: CheckedFile, ruleset: RuleSet, matchers: readonly Matcher[], out: RuleCheckResult): void {
  const at = (path: readonly (string | number)[]) => ({ file: f.shown, ...f.locate(["rules", ri, ...path]), ruleId: rule.id });
  const cases = exampleCases(rule);
  for (const c of cases) {
    out.cases++;
    const problem = checkCase(c, ruleset);
    if (problem === undefined) continue;
    out.failedCases++;
    const list = c.kind === "example" ? "examples" : "negatives";
    const spec = (c.kind === "example" ? rule.examples : rule.negatives)[c.index]!;
    out.diagnostics.push({ severity: "error", check: c.kind, ...at([list, c.index]), message: problem, ...exampleFields(spec) });
  }
  const texts = cases.filter((c) => c.kind === "example").map((c) => c.text.toLowerCase());
  // One report per declared usage: an SDK usage has two matchers (positional and option object), and a header or
  // env usage its by-name twin (`env:X→var`, issue 17).
  const seen = new Set<string>();
  for (const m of matchers) {
    const declared = m.usage.replace(/→var$/, "");
    if (seen.has(declared)) continue;
    seen.add(declared);
    const where = usagePath(f.spec.rules[ri]!, m.usage);
    // A matcher is exercised when at least one of its keywords occurs in an example.
    if (m.keywords.length > 0 && !m.keywords.some((k) => texts.some((t) => t.includes(k)))) {
      out.diagnostics.push({
        severity: "error",
        check: "keywords",
        ...at(where),
        message: `no example exercises the ${m.usage} matcher: none of its keywords (${m.keywords.slice(0, 6).join(", ")}${m.keywords.length > 6 ? ", …" : ""}) occurs in an example; add an example that uses it.`,
      });
    }
    if ((m.maxMatchLength ?? 0) > MAX_OVERLAP) {
      out.diagnostics.push({
        severity: "warning",
        check: "length",
        ...at(where),
        message: `(${m.usage}) a match can be longer than ${MAX_OVERLAP} characters (unbounded quantifier?); bound it, e.g. {1,256} instead of +, or matches longer than that may be missed in very long lines.`,
      });
    }
    if (!m.windows && m.keywords.length > 0) {
      out.diagnostics.push({
        severity: "warning",
        check: "windows",
        ...at(where),
        message: `(${m.usage}) runs over whole texts, not windows around its keywords: bound every quantifier ({0,64} instead of * or +) and, for a format, list keywords that every match contains (docs/rules.md, "How rules are matched").`,
      });
    }
  }
  for (const list of ["examples", "negatives"] as const) {
    if (rule[list].length >= 2) continue;
    out.diagnostics.push({ severity: "warning", check: "count", ...at([list]), message: `has ${rule[list].length} ${list.slice(0, -1)}(s); give at least two ${list}.` });
  }
}

function exampleFields(spec: ExampleSpec): Pick<RuleDiagnostic, "example" | "secret" | "path"> {
  if (typeof spec === "string") return { example: spec };
  return { example: spec.text, ...(spec.secret !== undefined ? { secret: spec.secret } : {}), ...(spec.path !== undefined ? { path: spec.path } : {}) };
}

/** Where in the rule a matcher comes from: its usage entry, or the secret format's keywords. */
function usagePath(spec: RuleSpec, usage: string): (string | number)[] {
  if (usage === "format") return spec.secret.keywords ? ["secret", "keywords"] : ["secret"];
  const [kind, ...rest] = usage.replace(/→var$/, "").split(":"); // a reference matcher (issue 17) belongs to its usage
  const name = rest.join(":");
  const index = (spec.usages ?? []).findIndex((u) => {
    if (kind === "header" && "header" in u) return u.header === name;
    if (kind === "env" && "env" in u) return u.env[0] === name;
    if (kind === "sdk" && "sdk" in u) return u.sdk[0] === name;
    if (kind === "attr" && "attr" in u) return u.attr === name;
    return false;
  });
  return index >= 0 ? ["usages", index] : ["usages"];
}

/** A compile error as a diagnostic: at the line it names, else at the rule it names, else the file's start. */
function loadDiagnostic(err: KeyscanError, f: CheckedFile): RuleDiagnostic {
  let message = err.message;
  let pos: RuleFilePosition | undefined;
  if (message.startsWith(`${f.compiledAs}:`)) {
    message = message.slice(f.compiledAs.length + 1);
    const line = /^(\d+):\s*/.exec(message);
    if (line) {
      pos = { line: Number(line[1]), col: 1 };
      message = message.slice(line[0].length);
    }
    message = message.trimStart();
  }
  const id = /^rule ([a-z0-9][a-z0-9.-]*[a-z0-9])/.exec(message)?.[1];
  const ri = id === undefined ? -1 : f.spec.rules.findIndex((r) => r.id === id);
  pos ??= ri >= 0 ? f.locate(["rules", ri]) : { line: 1, col: 1 };
  return { severity: "error", check: "load", file: f.shown, ...pos, ...(id !== undefined && ri >= 0 ? { ruleId: id } : {}), message };
}

/** A load warning (`file: …`) as a diagnostic at the start of the file it names. */
function warningDiagnostic(warning: string, files: readonly CheckedFile[]): RuleDiagnostic {
  const f = files.find((c) => warning.startsWith(`${c.compiledAs}:`));
  return { severity: "warning", check: "load", file: f?.shown ?? "", line: 1, col: 1, message: f ? warning.slice(f.compiledAs.length + 1).trimStart() : warning };
}

/** The shipped rules with the checked ones beside them: one prefilter over both, as a scan with `--rules` has. */
function mergeRuleSets(context: RuleSet, own: RuleSet): RuleSet {
  const matchers = [...context.matchers, ...own.matchers];
  return {
    rules: [...context.rules, ...own.rules],
    matchers,
    providers: [...context.providers, ...own.providers],
    prefilter: buildPrefilter(matchers),
    version: own.version,
  };
}

/** keyscan's own rules folder (what `keyscan rules check` with no path and the all-rules test check). */
export { builtinRulesDir };
