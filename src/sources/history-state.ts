/**
 * The `--state` file of incremental history audits: what earlier runs scanned, so a nightly re-audit reads only the
 * blobs that are new since. Per repository it keeps the sorted ids of the blobs scanned and, for the few blobs that
 * held findings, each finding without its secret (fingerprint, rule, position, and the redacted secret), so old
 * findings are re-attributed over the full commit walk with new ones and reported as one audit. The keyscan version
 * and rule-set version it was written with are recorded; any change invalidates it (everything is rescanned, with a
 * note), because new rules must see old blobs. A file path ending in `.gz` is gzip'd. It never holds a secret.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import type { Confidence } from "../engine/scan-text.js";
import type { RuleSet } from "../engine/rule.js";
import { KeyscanError, describeCause } from "../errors.js";
import { redactSecret } from "../report/redact.js";
import type { Finding } from "../report/types.js";

export const STATE_FORMAT = "keyscan-history-state";
export const STATE_VERSION = 1;

/** A finding as the state keeps it: everything but the secret. */
export interface StateFinding {
  fingerprint: string;
  ruleId: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Redacted (`key-…(100 chars)`): enough for a person to recognise, useless to anyone else. */
  redacted: string;
  confidence: Confidence;
  usage: string;
  entropy: number;
}

export interface RepoState {
  /** Ids of every blob scanned (sorted hex). */
  blobs: string[];
  /** Findings of the blobs that had any, by blob id. */
  findings: Record<string, StateFinding[]>;
}

export interface HistoryState {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  tool: string;
  rules: string;
  updatedAt: string;
  repositories: Record<string, RepoState>;
}

export interface LoadedState {
  state: HistoryState;
  /** Why an existing state was set aside (everything is rescanned). */
  note?: string;
}

function empty(tool: string, rules: string): HistoryState {
  return { format: STATE_FORMAT, version: STATE_VERSION, tool, rules, updatedAt: new Date().toISOString(), repositories: {} };
}

/** Read the state file (absent: a fresh state). A damaged file is a usage error: delete it to start over. */
export function loadState(path: string, versions: { tool: string; rules: string }): LoadedState {
  if (!existsSync(path)) return { state: empty(versions.tool, versions.rules) };
  let data: Partial<HistoryState>;
  try {
    const raw = readFileSync(path);
    const text = path.endsWith(".gz") ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
    data = JSON.parse(text) as Partial<HistoryState>;
  } catch (err) {
    throw new KeyscanError("E_USAGE", `--state ${path} cannot be read (${describeCause(err)}); delete it to rescan everything.`, { cause: err });
  }
  if (data.format !== STATE_FORMAT || data.version !== STATE_VERSION || typeof data.repositories !== "object" || data.repositories === null) {
    throw new KeyscanError("E_USAGE", `--state ${path} is not a keyscan history state (format ${STATE_FORMAT} version ${STATE_VERSION}); delete it or name another file.`);
  }
  if (data.tool !== versions.tool || data.rules !== versions.rules) {
    const what = data.tool !== versions.tool ? `keyscan ${data.tool} (this is ${versions.tool})` : `rule set ${data.rules} (now ${versions.rules})`;
    return { state: empty(versions.tool, versions.rules), note: `state ${path} was written by ${what}; it is set aside and every blob is rescanned` };
  }
  return { state: data as HistoryState };
}

export function saveState(path: string, state: HistoryState): void {
  const text = JSON.stringify({ ...state, updatedAt: new Date().toISOString() });
  try {
    writeFileSync(path, path.endsWith(".gz") ? gzipSync(text) : text);
  } catch (err) {
    throw new KeyscanError("E_USAGE", `cannot write --state ${path} (${describeCause(err)}).`, { cause: err });
  }
}

/** Findings of earlier runs, rebuilt for attribution (with the redacted secret), for blobs `known` still holds. */
export function findingsFromState(repo: RepoState | undefined, ruleset: RuleSet, known: (blob: string) => boolean, ignore?: ReadonlySet<string>): Finding[] {
  if (!repo) return [];
  const rules = new Map(ruleset.rules.map((r) => [r.id, r]));
  const out: Finding[] = [];
  for (const [blob, list] of Object.entries(repo.findings)) {
    if (!known(blob)) continue;
    for (const s of list) {
      const rule = rules.get(s.ruleId);
      if (!rule || ignore?.has(s.fingerprint)) continue;
      out.push({
        ruleId: rule.id,
        ruleName: rule.name,
        provider: rule.provider.id,
        providerName: rule.provider.name,
        severity: rule.severity,
        confidence: s.confidence,
        usage: s.usage,
        path: "",
        line: s.line,
        column: s.column,
        endLine: s.endLine,
        endColumn: s.endColumn,
        source: "commit",
        commit: { commit: "", author: "", date: "" },
        secret: s.redacted,
        fingerprint: s.fingerprint,
        entropy: s.entropy,
        ...(rule.provider.revoke ? { revoke: rule.provider.revoke } : {}),
        blob,
      });
    }
  }
  return out;
}

/**
 * The repository's new state: blobs scanned before that the walk still reaches, plus those scanned now, and the
 * secret-free form of every finding in them.
 */
export function updatedRepoState(previous: RepoState | undefined, known: (blob: string) => boolean, scannedNow: readonly string[], newFindings: readonly Finding[]): RepoState {
  const blobs = new Set((previous?.blobs ?? []).filter(known));
  for (const b of scannedNow) blobs.add(b);
  const findings: Record<string, StateFinding[]> = {};
  for (const [blob, list] of Object.entries(previous?.findings ?? {})) if (blobs.has(blob)) findings[blob] = list;
  for (const f of newFindings) {
    if (!f.blob) continue;
    (findings[f.blob] ??= []).push({
      fingerprint: f.fingerprint,
      ruleId: f.ruleId,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      redacted: redactSecret(f.secret),
      confidence: f.confidence,
      usage: f.usage,
      entropy: f.entropy,
    });
  }
  return { blobs: [...blobs].sort(), findings };
}
