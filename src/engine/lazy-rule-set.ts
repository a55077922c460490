/**
 * A rule set restored from its image (rule-set-image.ts) that makes its parts on use (issue 21). A scan needs the
 * prefilter at once, but a provider's rules and matchers (RegExps, allow lists, window tables) only once one of its
 * keywords occurs: a pre-commit run over 10 files touches a handful of the ~600 providers, and the catalogue can grow
 * without its start-up growing with it. `rules`, `matchers` and `providers` are still there, made in full on first
 * read, for the commands that list or verify every rule; the scan path asks `ruleLookup` instead (a count and
 * look-ups by id that make only the provider asked about). Whatever is made is the same, field for field and in
 * the same order, as compileRuleSet makes from the same specs (test/regression/issue-21-lazy.test.ts).
 */
import { KeyscanError } from "../errors.js";
import { restoreProvider } from "./compile.js";
import { prefilterFrom } from "./prefilter.js";
import type { RuleSetImage } from "./rule-set-image.js";
import type { WasmMemory } from "./wasm-emit.js";
import type { LoadedSpec, Matcher, Provider, Rule, RuleSet } from "./rule.js";

/** What the scan path needs of a rule set's rules without making all of them. */
export interface RuleLookup {
  /** Rules in the set (disabled ones left out). */
  readonly count: number;
  get(id: string): Rule | undefined;
  /** The rule's position in `RuleSet.rules` (-1 when absent), for output in rule order. */
  order(id: string): number;
}

const lookups = new WeakMap<RuleSet, RuleLookup>();

/** The lookup for any rule set: the lazy one's own, or one over `rules` for a rule set compiled in full. */
export function ruleLookup(ruleset: RuleSet): RuleLookup {
  let lookup = lookups.get(ruleset);
  if (!lookup) {
    const rules = ruleset.rules;
    const index = new Map(rules.map((r, i) => [r.id, i]));
    lookup = {
      count: rules.length,
      get: (id) => {
        const i = index.get(id);
        return i === undefined ? undefined : rules[i];
      },
      order: (id) => index.get(id) ?? -1,
    };
    lookups.set(ruleset, lookup);
  }
  return lookup;
}

/** A dense table handed to this thread by the one that made it (see ruleSetFromImage; pool.ts WorkerInit). */
export interface HandedDenseTable {
  transitions: Int32Array;
  memory?: WasmMemory;
  /** This thread's walker region in `memory`, claimed for it by the thread that started it. */
  slot?: number;
}

const damaged = (what: string): KeyscanError => new KeyscanError("E_INTERNAL", `the compiled-rules cache is damaged (${what}); delete it or set KEYSCAN_CACHE_DIR=off.`);

/**
 * `dense`: the automaton's dense table, made by another thread for this image (keyword-automaton.ts), with the shared
 * memory that holds it and this thread's walker slot there when it is in one (dense-table-memory.ts).
 */
export function ruleSetFromImage(image: RuleSetImage, dense?: HandedDenseTable): RuleSet {
  const { header, layout, tables } = image;
  const disabled = new Set(header.disable);
  const entries = image.providers;
  const providerCount = entries.count;
  const matcherStart = new Int32Array(providerCount + 1);
  for (let p = 0; p < providerCount; p++) matcherStart[p + 1] = matcherStart[p]! + entries.matchers(p);
  if (matcherStart[providerCount] !== layout.total) throw damaged("matcher count");
  const slots: (Matcher | undefined)[] = new Array<Matcher | undefined>(layout.total);
  const made: ({ provider: Provider; rules: Rule[] } | undefined)[] = new Array(providerCount);

  const materialise = (p: number): { provider: Provider; rules: Rule[] } => {
    const done = made[p];
    if (done) return done;
    const { spec, plans } = image.provider(p);
    const id = entries.id(p);
    if (entries.disabled(p) || !plans || spec.provider !== id) throw damaged(`provider ${id}`);
    const restored = restoreProvider(spec, entries.file(p), entries.fromRepoConfig(p), plans);
    if (restored.matchers.length !== entries.matchers(p)) throw damaged(`matchers of ${id}`);
    restored.matchers.forEach((m, j) => (slots[matcherStart[p]! + j] = m));
    return (made[p] = { provider: restored.provider, rules: restored.rules.filter((r) => !disabled.has(r.id)) });
  };
  /** The provider whose matchers include index `i`: the last p with matcherStart[p] <= i (binary search). */
  const providerOfMatcher = (i: number): number => {
    let lo = 0;
    let hi = providerCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (matcherStart[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    // Providers without matchers share a start with the next one: skip forward to the one that has index i.
    while (matcherStart[lo + 1]! <= i) lo++;
    return lo;
  };
  const matcherAt = (i: number): Matcher => {
    let m = slots[i];
    if (m === undefined) {
      materialise(providerOfMatcher(i));
      m = slots[i];
      if (m === undefined) throw damaged(`matcher ${i}`);
    }
    return m;
  };

  let all: { providers: Provider[]; rules: Rule[]; matchers: Matcher[] } | undefined;
  const everything = (): { providers: Provider[]; rules: Rule[]; matchers: Matcher[] } => {
    if (all) return all;
    const providers: Provider[] = [];
    const rules: Rule[] = [];
    for (let p = 0; p < providerCount; p++) {
      if (entries.disabled(p)) continue;
      const m = materialise(p);
      providers.push(m.provider);
      rules.push(...m.rules);
    }
    return (all = { providers, rules, matchers: Array.from({ length: layout.total }, (_, i) => matcherAt(i)) });
  };
  let specs: LoadedSpec[] | undefined;
  const allSpecs = (): LoadedSpec[] => (specs ??= Array.from({ length: providerCount }, (_, p) => ({ spec: image.provider(p).spec, file: entries.file(p), fromRepoConfig: entries.fromRepoConfig(p) })));

  // Rule ids in set order, and where each lives, for look-ups that make one provider.
  let ruleIndex: Map<string, { order: number; provider: number }> | undefined;
  const indexOfRules = (): Map<string, { order: number; provider: number }> => {
    if (ruleIndex) return ruleIndex;
    ruleIndex = new Map();
    let order = 0;
    for (let p = 0; p < providerCount; p++) {
      if (entries.disabled(p)) continue;
      for (const id of entries.ruleIds(p)) if (!disabled.has(id)) ruleIndex.set(id, { order: order++, provider: p });
    }
    return ruleIndex;
  };
  let count = 0;
  // Rules in the set: the files' rule counts, unless some rules are disabled (then their ids are read).
  for (let p = 0; p < providerCount; p++) {
    if (entries.disabled(p)) continue;
    if (disabled.size === 0) count += entries.ruleCount(p);
    else for (const id of entries.ruleIds(p)) if (!disabled.has(id)) count++;
  }

  const ruleset: RuleSet = {
    warnings: [...header.warnings],
    get rules() {
      return everything().rules;
    },
    get matchers() {
      return everything().matchers;
    },
    get providers() {
      return everything().providers;
    },
    prefilter: prefilterFrom(
      layout,
      matcherAt,
      dense ? { ...tables, transitions: dense.transitions, ...(dense.memory ? { transitionsMemory: dense.memory } : {}) } : tables,
      dense?.memory ? { shared: { memory: dense.memory, ...(dense.slot !== undefined ? { slot: dense.slot } : {}) } } : undefined,
    ),
    version: header.version,
    source: {
      get specs() {
        return allSpecs();
      },
      disable: [...header.disable],
      compiled: image.bytes,
    },
  };
  lookups.set(ruleset, {
    count,
    get(id) {
      const at = indexOfRules().get(id);
      return at === undefined ? undefined : materialise(at.provider).rules.find((r) => r.id === id);
    },
    order: (id) => indexOfRules().get(id)?.order ?? -1,
  });
  return ruleset;
}
