/**
 * Merging scan results into one (`keyscan report --from a.json --from b.json …`): the shards of a sharded audit, or
 * audits of several repositories. One finding per secret survives: findings with the same fingerprint (and the same
 * repository) are joined by the union of their locations, re-ordered as `attributeHistory` orders them (oldest
 * commit of the walk first, then path), so the introducing commit is recomputed; HEAD status is the OR of the parts;
 * removals are unioned, and a removal a shard could not decide (the replacing blob was another shard's) is kept only
 * when that blob is not one of the secret's locations; refs are unioned. Results of different keyscan or rule-set
 * versions, or shards of different targets, are refused (exit 2): joining them would be silently wrong. Pure: no I/O.
 */
import { KeyscanError } from "../errors.js";
import { compareFindings } from "./order.js";
import type { Finding, FindingLocation, ScanProblem, ScanResult, Verification } from "./types.js";

export interface NamedResult {
  /** How the input is called in messages (its file name). */
  name: string;
  result: ScanResult;
}

type Removal = NonNullable<Finding["removedIn"]>[number];

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Oldest first: larger walk index first (the walk lists newest first), then path. */
function compareByWalk(a: { order?: number; path: string }, b: { order?: number; path: string }): number {
  return (b.order ?? 0) - (a.order ?? 0) || byText(a.path, b.path);
}

const VERIFY_RANK: Record<string, number> = { verified: 3, invalid: 2, unknown: 1 };

function betterVerification(a: Verification | undefined, b: Verification | undefined): Verification | undefined {
  if (!a) return b;
  if (!b) return a;
  return (VERIFY_RANK[b.status] ?? 0) > (VERIFY_RANK[a.status] ?? 0) ? b : a;
}

/** Refuse inputs that cannot be joined; name the files so a person knows which job to re-run. */
function checkCompatible(inputs: readonly NamedResult[]): void {
  const differ = (what: string, pick: (r: ScanResult) => string | undefined, fix: string) => {
    const groups = new Map<string, string[]>();
    for (const { name, result } of inputs) {
      const key = pick(result) ?? "(none)";
      groups.set(key, [...(groups.get(key) ?? []), name]);
    }
    if (groups.size > 1) {
      const detail = [...groups].map(([v, names]) => `${what} ${v}: ${names.join(", ")}`).join("; ");
      throw new KeyscanError("E_USAGE", `cannot merge results of different ${what}s (${detail}); ${fix}`);
    }
  };
  const rescan = "re-run every shard with the same keyscan and rules, then merge.";
  differ("keyscan version", (r) => r.tool?.version, rescan);
  differ("rule-set version", (r) => r.rules?.version, rescan);
  const sharded = inputs.filter((i) => i.result.shard);
  if (sharded.length > 0) {
    differ("shard count", (r) => (r.shard ? String(r.shard.n) : undefined), "merge the shards of one run (one --shard k/n with the same n).");
    differ("shard kind", (r) => r.shard?.by, "merge shards of one kind of scan (history of one repository, --repos, or a tree).");
    differ("shard target", (r) => r.shard?.target, "these shards scanned different things (another commit graph, repository list or tree); merge the shards of one run.");
  }
}

/** Missing or repeated shards, in words (empty when the set is complete or the inputs are not shards). */
export function shardCoverage(inputs: readonly NamedResult[]): string[] {
  const sharded = inputs.filter((i) => i.result.shard);
  if (sharded.length === 0) return [];
  const n = sharded[0]!.result.shard!.n;
  const seen = new Map<number, string[]>();
  for (const { name, result } of sharded) seen.set(result.shard!.k, [...(seen.get(result.shard!.k) ?? []), name]);
  const notes: string[] = [];
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((k) => !seen.has(k));
  if (missing.length > 0) notes.push(`incomplete merge: shard${missing.length === 1 ? "" : "s"} ${missing.join(", ")} of ${n} missing; secrets in ${missing.length === 1 ? "it" : "them"} are not reported`);
  for (const [k, names] of seen) if (names.length > 1) notes.push(`shard ${k}/${n} given more than once (${names.join(", ")}); its findings are counted once`);
  if (sharded.length < inputs.length) notes.push(`${inputs.length - sharded.length} unsharded result(s) merged with shards`);
  return notes;
}

/** Sorted by walk position when every entry has one (shards); otherwise in the order given (already oldest first). */
function inWalkOrder<T extends { order?: number; path: string }>(list: T[]): T[] {
  return list.every((x) => x.order !== undefined) ? list.sort(compareByWalk) : list;
}

function mergeLocations(parts: readonly Finding[]): FindingLocation[] {
  const seen = new Map<string, FindingLocation>();
  for (const f of parts) for (const l of f.locations ?? []) {
    const key = `${l.path}\0${l.commit.commit}`;
    if (!seen.has(key)) seen.set(key, l);
  }
  return inWalkOrder([...seen.values()]);
}

function mergeRemovals(parts: readonly Finding[], locationBlobs: ReadonlySet<string>): Removal[] {
  const seen = new Map<string, Removal>();
  for (const f of parts) for (const r of f.removedIn ?? []) {
    // Undecided by its shard: the replacing version still holds the secret exactly when it is one of its locations.
    if (r.pending !== undefined && locationBlobs.has(r.pending)) continue;
    const key = `${r.path}\0${r.commit.commit}`;
    if (!seen.has(key)) seen.set(key, r);
  }
  return inWalkOrder([...seen.values()]);
}

/** One finding from the parts that share a fingerprint (and repository). */
function joinFindings(parts: readonly Finding[]): Finding {
  if (parts.length === 1 && !parts[0]!.locations) return parts[0]!;
  // The part whose oldest location is the oldest overall wrote the finding's own fields (line, usage, …).
  const ordered = parts.every((p) => p.locations?.[0]?.order !== undefined);
  const base = ordered ? [...parts].sort((a, b) => compareByWalk(a.locations![0]!, b.locations![0]!))[0]! : parts[0]!;
  const locations = mergeLocations(parts);
  const first = locations[0];
  const removedIn = parts.some((p) => p.removedIn) ? mergeRemovals(parts, new Set(locations.map((l) => l.blob))) : undefined;
  const refs = parts.some((p) => p.refs) ? [...new Set(parts.flatMap((p) => p.refs ?? []))].sort() : undefined;
  const verification = parts.reduce<Verification | undefined>((v, p) => betterVerification(v, p.verification), undefined);
  const raw = parts.find((p) => !/^[^…]{0,4}…\(\d+ chars\)$/.test(p.secret));
  return {
    ...base,
    ...(raw ? { secret: raw.secret } : {}),
    ...(first ? { path: first.path, commit: first.commit, locations } : {}),
    ...(parts.some((p) => p.atHead !== undefined) ? { atHead: parts.some((p) => p.atHead === true) } : {}),
    ...(removedIn ? { removedIn } : {}),
    ...(refs ? { refs } : {}),
    ...(verification ? { verification } : {}),
  };
}

/** Drop the shard-only bookkeeping (walk order, undecided removals) once a merge has used it. */
export function withoutShardFields(f: Finding): Finding {
  if (!f.locations && !f.removedIn) return f;
  return {
    ...f,
    ...(f.locations ? { locations: f.locations.map(({ order: _o, ...l }) => l) } : {}),
    ...(f.removedIn ? { removedIn: f.removedIn.map(({ order: _o, pending: _p, ...r }) => r) } : {}),
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function findingKey(f: Finding): string {
  // History findings are one per secret (per repository); file findings are one per place.
  if (f.locations) return `${f.repo ?? ""}\0${f.fingerprint}`;
  return `${f.repo ?? ""}\0${f.fingerprint}\0${f.path}\0${f.line}\0${f.column}\0${f.commit?.commit ?? ""}`;
}

function uniqueProblems(lists: ScanProblem[][]): ScanProblem[] {
  const seen = new Set<string>();
  const out: ScanProblem[] = [];
  for (const p of lists.flat()) {
    const key = `${p.path}\0${p.code}\0${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  }
  return out;
}

export function compareMerged(a: Finding, b: Finding): number {
  return byText(a.repo ?? "", b.repo ?? "") || compareFindings(a, b) || byText(a.fingerprint, b.fingerprint);
}

/**
 * Merge results into one. Throws KeyscanError (E_USAGE) for inputs that must not be joined; missing or repeated
 * shards become warnings on the result.
 */
export function mergeResults(inputs: readonly NamedResult[]): ScanResult {
  if (inputs.length === 0) throw new KeyscanError("E_USAGE", "nothing to merge: give at least one --from file.");
  checkCompatible(inputs);
  const results = inputs.map((i) => i.result);
  const first = results[0]!;

  const groups = new Map<string, Finding[]>();
  for (const r of results) for (const f of r.findings) {
    const key = findingKey(f);
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const findings = [...groups.values()].map((parts) => withoutShardFields(joinFindings(parts))).sort(compareMerged);

  const skippedCounts: Record<string, number> = {};
  for (const r of results) for (const [code, n] of Object.entries(r.stats.skipped)) skippedCounts[code] = (skippedCounts[code] ?? 0) + n;
  const warnings = [...new Set([...results.flatMap((r) => r.warnings ?? []), ...shardCoverage(inputs)])];
  const shardOfOne = results.every((r) => r.shard?.by === "blob");
  const histories = results.filter((r) => r.history).map((r) => r.history!);
  const history =
    histories.length === 0
      ? undefined
      : shardOfOne
        ? histories[0]! // every blob shard walked the same commit graph
        : { refs: [...new Set(histories.flatMap((h) => h.refs))].sort(), commits: histories.reduce((s, h) => s + h.commits, 0), blobs: histories.reduce((s, h) => s + h.blobs, 0) };
  const targets = [...new Set(results.map((r) => r.target))];
  const sharded = results.filter((r) => r.shard);
  const merged: ScanResult = {
    format: first.format,
    version: first.version,
    tool: first.tool,
    rules: first.rules,
    target: targets.length === 1 ? targets[0]! : targets.join("; "),
    startedAt: results.map((r) => r.startedAt).sort()[0]!,
    stats: {
      scanned: results.reduce((s, r) => s + r.stats.scanned, 0),
      bytes: results.reduce((s, r) => s + r.stats.bytes, 0),
      skipped: skippedCounts,
      // Shards run side by side: the audit took as long as the slowest.
      durationMs: Math.max(...results.map((r) => r.stats.durationMs)),
    },
    findings,
    errors: uniqueProblems(results.map((r) => r.errors)),
    skipped: uniqueProblems(results.map((r) => r.skipped)).slice(0, 1000),
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(history ? { history } : {}),
    merged: { from: inputs.map((i) => i.name), ...(sharded.length > 0 ? { shards: sharded[0]!.shard!.n } : {}) },
  };
  // Fields a newer writer added (e.g. ruleDetails) are kept from the first input that has them.
  const extra = merged as unknown as Record<string, unknown>;
  for (const r of results) {
    for (const [k, v] of Object.entries(r)) {
      if (k === "shard" || k === "incremental") continue;
      const have = extra[k];
      if (!(k in extra)) extra[k] = v;
      else if (k === "redacted") extra[k] = have === true || v === true; // one redacted input: the secrets it had are gone
      else if (isPlainObject(have) && isPlainObject(v) && k !== "history" && k !== "stats") extra[k] = { ...v, ...have }; // e.g. ruleDetails
    }
  }
  return merged;
}
