/**
 * The baseline: the secrets a team has already seen and accepted, so that CI fails only on new ones. It is made to
 * live in git and survive merge queues (detect-secrets' line numbers and `generated_at` churn on every run; gitleaks'
 * `file:rule:line` entries hide a new secret placed on an old line). Each entry is one rule+secret fingerprint (a
 * hash: the secret itself is never stored), with the rule id and the first path it was seen at for the humans
 * reading it; entries are sorted by fingerprint, one per line, with no line numbers and no timestamps, so two
 * branches that each add a secret touch different lines and regenerating an unchanged tree changes nothing.
 * `--baseline` also accepts a saved `--format json` scan report, whose findings carry the same fingerprints, and
 * (issue 20, for teams coming from gitleaks, whose baselines are its own JSON reports) a gitleaks JSON report: its
 * secrets are matched whatever rule finds them (gitleaks' rule ids are not keyscan's), and a redacted entry falls
 * back to its `file:rule:line` place.
 */
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import type * as Zod from "zod";
import { KeyscanError, describeCause } from "./errors.js";
import { parseGitleaksFingerprint, type GitleaksIgnoreEntry } from "./finding-filters/gitleaks-ignore.js";
import type { Finding } from "./report/types.js";
import { readSmallRegularFile } from "./util/safe-read.js";

export const DEFAULT_BASELINE_FILE = ".keyscan-baseline.json";
const BASELINE_FORMAT = "keyscan-baseline";
const MAX_BASELINE_BYTES = 64 << 20;

export interface BaselineEntry {
  fingerprint: string;
  /** For people: the rule that found it. */
  rule: string;
  /** For people: the first path (in sort order) where it was found when the entry was written. */
  path: string;
}

// zod is loaded when a baseline is read, not by every command that can take --baseline (issue 7: ~50 ms of start-up).
const lazyRequire = createRequire(import.meta.url);
let schemas: ReturnType<typeof makeSchemas> | undefined;
function makeSchemas(z: typeof Zod.z) {
  const fingerprintSchema = z.string().regex(/^[0-9a-f]{16,64}$/, "a fingerprint is 16 to 64 lowercase hex digits");
  return {
    baselineSchema: z.object({
      format: z.literal(BASELINE_FORMAT),
      version: z.literal(1),
      entries: z.array(z.object({ fingerprint: fingerprintSchema, rule: z.string(), path: z.string() }).passthrough()),
    }),
    scanReportSchema: z.object({
      format: z.literal("keyscan-scan"),
      findings: z.array(z.object({ fingerprint: fingerprintSchema, ruleId: z.string(), path: z.string() }).passthrough()),
    }),
  };
}
const baselineSchemas = () => (schemas ??= makeSchemas((lazyRequire("zod") as typeof Zod).z));

/** One entry per fingerprint, the first path in (path, line) order, sorted by fingerprint. */
export function baselineFromFindings(findings: readonly Finding[], keep: readonly BaselineEntry[] = []): BaselineEntry[] {
  const previous = new Map(keep.map((e) => [e.fingerprint, e]));
  const byFingerprint = new Map<string, BaselineEntry>();
  const ordered = [...findings].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line));
  for (const f of ordered) {
    if (byFingerprint.has(f.fingerprint)) continue;
    // An entry that already exists keeps its wording, so regenerating after a file moved does not churn the file.
    byFingerprint.set(f.fingerprint, previous.get(f.fingerprint) ?? { fingerprint: f.fingerprint, rule: f.ruleId, path: f.path });
  }
  return sortEntries([...byFingerprint.values()]);
}

export function sortEntries(entries: BaselineEntry[]): BaselineEntry[] {
  return entries.sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
}

/** The file text: fixed key order, one entry per line, trailing newline. */
export function renderBaseline(entries: readonly BaselineEntry[]): string {
  const lines = entries.map((e) => `    ${JSON.stringify({ fingerprint: e.fingerprint, rule: e.rule, path: e.path })}`);
  return (
    `{\n  "format": "${BASELINE_FORMAT}",\n  "version": 1,\n` +
    `  "about": "Known secrets, by rule+secret fingerprint (a hash; the secret is not stored). Written by \`keyscan baseline\`; findings listed here are not reported with --baseline.",\n` +
    `  "entries": [\n${lines.join(",\n")}${lines.length ? "\n" : ""}  ]\n}\n`
  );
}

/** Parse a baseline file, or a saved JSON scan report used as one. */
export function parseBaseline(text: string, shown: string): BaselineEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    // The parser's message can quote the file's text; keep only its kind so nothing from the file is echoed.
    throw new KeyscanError("E_CONFIG", `baseline ${shown} is not valid JSON (${err instanceof SyntaxError ? "syntax error" : describeCause(err)}); regenerate it with \`keyscan baseline\`.`, { cause: err });
  }
  const { baselineSchema, scanReportSchema } = baselineSchemas();
  const asBaseline = baselineSchema.safeParse(data);
  if (asBaseline.success) return asBaseline.data.entries.map((e) => ({ fingerprint: e.fingerprint, rule: e.rule, path: e.path }));
  const asReport = scanReportSchema.safeParse(data);
  if (asReport.success) return sortEntries(asReport.data.findings.map((f) => ({ fingerprint: f.fingerprint, rule: f.ruleId, path: f.path })));
  const issue = asBaseline.error.issues[0]!;
  throw new KeyscanError(
    "E_CONFIG",
    `baseline ${shown}: field \`${issue.path.join(".") || "(top level)"}\`: ${issue.message}; expected a file written by \`keyscan baseline\` (or a \`--format json\` report).`,
  );
}

function readBaselineText(path: string, shown: string): string {
  const r = readSmallRegularFile(path, { maxBytes: MAX_BASELINE_BYTES, followSymlinks: true });
  if (!r.ok) {
    const hint = r.reason === "missing" ? "; create it with `keyscan baseline`" : "";
    throw new KeyscanError("E_USAGE", `baseline ${shown} ${r.message}${hint}.`);
  }
  return r.text;
}

/** Read a baseline; a missing or unreadable file is a usage error (exit 2), not an empty baseline. */
export function readBaseline(path: string, shown: string): BaselineEntry[] {
  return parseBaseline(readBaselineText(path, shown), shown);
}

/** What a scan drops for `--baseline`: fingerprints, secrets and places from a gitleaks report. */
export interface BaselineFilter {
  fingerprints: Set<string>;
  /** A gitleaks report's secrets (held in memory only, as the report itself holds them). */
  secrets: Set<string>;
  gitleaks: GitleaksIgnoreEntry[];
  /** Said on stderr: the file was read as a gitleaks report. */
  note?: string;
}

interface GitleaksReportEntry {
  RuleID: string;
  Fingerprint: string;
  Secret?: unknown;
}

function isGitleaksReport(data: unknown): data is GitleaksReportEntry[] {
  return Array.isArray(data) && data.every((e) => typeof e === "object" && e !== null && typeof (e as GitleaksReportEntry).RuleID === "string" && typeof (e as GitleaksReportEntry).Fingerprint === "string");
}

/** Read `--baseline` for a scan: a keyscan baseline, a keyscan JSON report, or a gitleaks JSON report. */
export function readBaselineFilter(path: string, shown: string): BaselineFilter {
  const text = readBaselineText(path, shown);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined; // parseBaseline says what is wrong
  }
  if (!isGitleaksReport(data) || data.length === 0) return { fingerprints: new Set(parseBaseline(text, shown).map((e) => e.fingerprint)), secrets: new Set(), gitleaks: [] };
  const secrets = new Set<string>();
  const gitleaks: GitleaksIgnoreEntry[] = [];
  for (const e of data) {
    const secret = typeof e.Secret === "string" ? e.Secret : "";
    if (secret !== "" && !secret.includes("REDACTED")) {
      secrets.add(secret);
    } else {
      const place = parseGitleaksFingerprint(e.Fingerprint);
      if (place) gitleaks.push(place);
    }
  }
  const note = `keyscan: baseline ${shown} is a gitleaks report: ${data.length - gitleaks.length} entr${data.length - gitleaks.length === 1 ? "y" : "ies"} matched by secret${gitleaks.length ? `, ${gitleaks.length} redacted matched by file:rule:line` : ""}; \`keyscan baseline\` writes keyscan's own.\n`;
  return { fingerprints: new Set(), secrets, gitleaks, note };
}

export function writeBaseline(path: string, shown: string, entries: readonly BaselineEntry[]): void {
  try {
    writeFileSync(path, renderBaseline(entries));
  } catch (err) {
    throw new KeyscanError("E_USAGE", `cannot write baseline ${shown} (${describeCause(err)}).`, { cause: err });
  }
}
