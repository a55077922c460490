/**
 * `keyscan history` — every secret in the repository's past: all branches and tags (`--all-refs` adds remotes and
 * stashes), each unique blob scanned once, one finding per secret with the commit that first introduced it, every
 * other path and commit where it occurs, and whether HEAD still has it. For organisation audits on CI's parallel
 * jobs: `--shard k/n` scans a stable slice (of the blobs, or of the repositories of `--repos <file>`), whose results
 * `keyscan report --from …` merges; `--state <file>` rescans only blobs that earlier runs have not seen.
 */
import { tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import type { Argv } from "yargs";
import { ruleLookup } from "../../engine/lazy-rule-set.js";
import { KeyscanError } from "../../errors.js";
import { mergeResults } from "../../report/merge.js";
import type { ScanResult } from "../../report/types.js";
import { compareFindings } from "../../report/order.js";
import { collect } from "../../scan.js";
import { dropAttributed } from "../../finding-filters/gitleaks-ignore.js";
import { defaultDeltaCacheBytes } from "../../sources/git-cat-file.js";
import { historySource } from "../../sources/history.js";
import { parseSize } from "../../config.js";
import { findingsFromState, loadState, saveState, updatedRepoState, type HistoryState } from "../../sources/history-state.js";
import { materializeRepo, readRepoList } from "../../sources/repo-list.js";
import { digestOf, keyInShard, parseShard, type ShardSpec } from "../../sources/shard.js";
import { TOOL_NAME, VERSION } from "../../version.js";
import { defaultThreads } from "../../executor/pool.js";
import { addCommonOptions, finish, prepare, streamFindings, type CommonArgs, type Prepared, type Scanned } from "../common.js";
import type { Io } from "../io.js";
import { parseLogOpts } from "../log-opts.js";
import { commandEntry } from "./entries.js";
import type { Command } from "./types.js";

interface HistoryArgs extends CommonArgs {
  "all-refs": boolean;
  shard?: string;
  repos?: string;
  state?: string;
  "clone-dir"?: string;
  "log-opts"?: string;
  "git-delta-cache"?: string;
}

/** The id a single-repository run files its state under. */
const THIS_REPOSITORY = ".";

interface RepoRun {
  cwd: string;
  /** git's delta-base cache (`--git-delta-cache`). */
  deltaCacheBytes: number;
  shard?: ShardSpec;
  state?: HistoryState;
  stateId: string;
}

/**
 * How a history scan matches (issue 21). Its input comes through `git cat-file`'s pipe, which git fills only while
 * this thread's event loop drains it, and git needs a core of its own (the floor, `cat-file --batch-all-objects`, is
 * CPU-bound: 11 s for the 1.5 GB bench history with git's own delta-base cache, 5.5 s with ours: git-cat-file.ts
 * defaultDeltaCacheBytes). So once the scan has proved large, the workers match everything and
 * this thread only feeds them (ScanOptions.feeder): on 2 cores one worker, git and this thread's reading side by side.
 * Measured on that bench, 2 cores, interleaved: 15.3-15.6 s against 20.2 s with this thread matching alone (the
 * default until then: it and git took turns), and 15.8-16.1 s with one worker helped by this thread; node's peak RSS
 * stays ~the same (the worker holds the matchers this thread would have made). `--threads 1`: this thread alone.
 */
function historyScanOptions(options: Prepared["scanOptions"]): Prepared["scanOptions"] {
  const threads = options.threads ?? defaultThreads();
  return { ...options, threads, ...(threads >= 2 ? { feeder: true } : {}) };
}

/** Scan, attribute and add exposure for one repository (its blob shard only, and only blobs new to the state). */
async function auditRepository(args: HistoryArgs, io: Io, prepared: Prepared, run: RepoRun): Promise<ScanResult> {
  const previous = run.state?.repositories[run.stateId];
  const source = historySource({
    cwd: run.cwd,
    env: io.env,
    allRefs: args["all-refs"],
    maxFileSize: prepared.maxFileSize,
    exclude: prepared.exclude,
    ...(run.shard ? { shard: run.shard } : {}),
    ...(previous ? { skipBlobs: new Set(previous.blobs) } : {}),
    ...(args["log-opts"] !== undefined ? { logOpts: parseLogOpts(String(args["log-opts"])) } : {}),
    deltaCacheBytes: run.deltaCacheBytes,
  });
  // Collected, then (with --state) joined by the findings of blobs earlier runs scanned, then the source's finalizer
  // (attribution and exposure) over both.
  const scanned = await collect(source, prepared.ruleset, historyScanOptions(prepared.scanOptions));
  const idx = source.index;
  const known = (blob: string) => idx.blobs.id(blob) !== undefined;
  const old = findingsFromState(previous, prepared.ruleset, known, prepared.scanOptions.ignoreFingerprints);
  const findings = [...scanned.findings, ...old].sort(compareFindings);
  let result = dropAttributed(await source.finalize({ ...scanned, findings }), prepared.scanOptions.gitleaksIgnore);
  if (run.state) {
    run.state.repositories[run.stateId] = updatedRepoState(previous, known, idx.scannedBlobIds(), scanned.findings);
    result = { ...result, incremental: { scanned: idx.scanned.length, skipped: idx.skippedFromState } };
  }
  if (run.shard) result = { ...result, shard: { ...run.shard, by: "blob", target: digestOf(idx.commits) } };
  return result;
}

/** `--repos`: every repository of the list in this shard, each scanned whole, tagged with its id, merged. */
async function auditRepositories(args: HistoryArgs, io: Io, prepared: Prepared, shard: ShardSpec | undefined, state: HistoryState | undefined, deltaCacheBytes: number): Promise<ScanResult> {
  const entries = readRepoList(args.repos!, io.cwd);
  const mine = shard ? entries.filter((e) => keyInShard(e.id, shard)) : entries;
  const cacheDir = resolve(io.cwd, args["clone-dir"] ?? join(tmpdir(), "keyscan-clones"));
  const parts: Array<{ name: string; result: ScanResult }> = [];
  const errors: ScanResult["errors"] = [];
  for (const entry of mine) {
    try {
      const cwd = await materializeRepo(entry, cacheDir, io.env);
      const result = await auditRepository(args, io, prepared, { cwd, deltaCacheBytes, stateId: entry.id, ...(state ? { state } : {}) });
      const tag = <T extends object>(x: T) => ({ ...x, repo: entry.id });
      parts.push({ name: entry.id, result: { ...result, findings: result.findings.map((f) => ({ ...tag(f), ...(f.locations ? { locations: f.locations.map(tag) } : {}) })) } });
    } catch (err) {
      if (err instanceof KeyscanError && err.code === "E_USAGE") throw err;
      // One repository that cannot be read is one input's problem; the audit goes on with the others.
      errors.push({ path: entry.id, code: err instanceof KeyscanError ? err.code : "E_GIT", message: err instanceof Error ? err.message : String(err) });
    }
  }
  const merged: ScanResult =
    parts.length > 0
      ? mergeResults(parts)
      : {
          format: "keyscan-scan",
          version: 1,
          tool: { name: TOOL_NAME, version: VERSION },
          rules: { version: prepared.ruleset.version, count: ruleLookup(prepared.ruleset).count },
          target: "",
          startedAt: new Date().toISOString(),
          stats: { scanned: 0, bytes: 0, skipped: {}, durationMs: 0 },
          findings: [],
          errors: [],
          skipped: [],
        };
  const { merged: _m, ...result } = merged;
  const incremental = parts.some((p) => p.result.incremental)
    ? { scanned: parts.reduce((s, p) => s + (p.result.incremental?.scanned ?? 0), 0), skipped: parts.reduce((s, p) => s + (p.result.incremental?.skipped ?? 0), 0) }
    : undefined;
  return {
    ...result,
    target: `history of ${mine.length} of ${entries.length} repositories${shard ? ` (shard ${shard.k}/${shard.n})` : ""}: ${mine.map((e) => e.id).join(", ")}`,
    errors: [...result.errors, ...errors],
    ...(incremental ? { incremental } : {}),
    ...(shard ? { shard: { ...shard, by: "repository" as const, target: digestOf(entries.map((e) => e.id)) } } : {}),
  };
}

/** The machine's memory, or the container's where a cgroup limits it (os.totalmem() reports the host's there). */
function usableMemory(): number {
  const limit = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.() ?? 0;
  return limit > 0 ? Math.min(limit, totalmem()) : totalmem();
}

/** One repository's history, or each of a `--repos` list, as sources with history's finalizer; `--state` kept up to date. */
async function produceHistory(raw: Record<string, unknown>, io: Io): Promise<Scanned> {
  const args = raw as unknown as HistoryArgs;
  const shard = args.shard === undefined ? undefined : parseShard(String(args.shard));
  const deltaCacheBytes = args["git-delta-cache"] === undefined ? defaultDeltaCacheBytes(usableMemory()) : parseSize(String(args["git-delta-cache"]), "--git-delta-cache");
  const prepared = prepare(args, io);
  if (prepared.progress) prepared.progress.noun = "blob"; // history scans each unique blob once
  streamFindings(prepared, args, io, false); // final only after attribution: named above the progress line
  const statePath = args.state === undefined ? undefined : resolve(io.cwd, args.state);
  const loaded = statePath ? loadState(statePath, { tool: VERSION, rules: prepared.ruleset.version }) : undefined;
  const state = loaded?.state;

  let result = args.repos
    ? await auditRepositories(args, io, prepared, shard, state, deltaCacheBytes)
    : await auditRepository(args, io, prepared, { cwd: io.cwd, deltaCacheBytes, stateId: THIS_REPOSITORY, ...(shard ? { shard } : {}), ...(state ? { state } : {}) });
  if (loaded?.note && result.incremental) result = { ...result, incremental: { ...result.incremental, note: loaded.note } };
  if (statePath && state) saveState(statePath, state);

  const warnings = (result.warnings ?? []).map((w) => `keyscan: warning: ${w}\n`).join("");
  const inc = result.incremental;
  const incremental = inc
    ? `${inc.note ? `keyscan: ${inc.note}\n` : ""}keyscan: incremental: ${inc.scanned} new blob${inc.scanned === 1 ? "" : "s"} scanned, ${inc.skipped} already in the state skipped\n`
    : "";
  return { result, prepared, before: warnings + incremental };
}

export const historyCommand: Command = {
  ...commandEntry("history"),
  builder: (y: Argv) =>
    addCommonOptions(y)
      .option("all-refs", { type: "boolean", default: false, describe: "Also scan remote-tracking refs and stashes" })
      .option("shard", { type: "string", describe: "Scan only shard k of n (e.g. 2/4): a stable slice of the blobs, or of the --repos list; merge with `keyscan report --from`" })
      .option("repos", { type: "string", describe: "File listing repositories to audit, one local path or clone URL per line" })
      .option("clone-dir", { type: "string", describe: "Where --repos keeps mirror clones of URLs (default: the system temp folder)" })
      .option("state", { type: "string", describe: "Incremental audit: scan only blobs this state file has not seen, then update it (.gz to compress)" })
      .option("git-delta-cache", {
        type: "string",
        describe: "Memory git may keep for delta bases while it reads the blobs (default: 1/16 of memory, 96MB to 512MB; git's own is 96MB). More is faster on histories of large files",
      })
      .option("log-opts", { type: "string", describe: "gitleaks' --log-opts: git log options that select commits, e.g. \"--since=2024-01-01 main\" (only such options; see docs/gitleaks.md)" }) as unknown as Argv,
  produce: produceHistory,
  run: async (raw, io) => finish(await produceHistory(raw, io), raw as unknown as CommonArgs, io),
};
