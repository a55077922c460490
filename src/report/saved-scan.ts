/**
 * Reading a saved JSON scan back (`keyscan report --from scan.json`): the schema of the `json` format as a zod
 * schema (also printed as docs/scan-result.schema.json), and a loader that says plainly what is wrong with a file
 * that is not a keyscan scan, is a scan of another format version, or is damaged. It never rescans: reporters
 * render the loaded result as it is, and a scan saved redacted stays redacted.
 */
import { z } from "zod";
import { KeyscanError } from "../errors.js";
import { SEVERITIES } from "../engine/rule-schema.js";
import type { ScanResult } from "./types.js";

export const SCAN_FORMAT = "keyscan-scan";
export const SCAN_VERSION = 1;

const commitInfo = z.object({
  commit: z.string(),
  author: z.string(),
  email: z.string().optional(),
  date: z.string(),
  message: z.string().optional(),
});

const finding = z
  .object({
    ruleId: z.string(),
    ruleName: z.string(),
    provider: z.string(),
    providerName: z.string(),
    severity: z.enum(SEVERITIES),
    confidence: z.enum(["high", "medium", "low"]),
    usage: z.string().describe("How the secret was recognised: format, header:NAME, env:NAME, sdk:NAME, …"),
    path: z.string().describe("Path relative to the scan's working directory, forward slashes"),
    line: z.number().int().min(1),
    column: z.number().int().min(1),
    endLine: z.number().int().min(1),
    endColumn: z.number().int().min(1).describe("Exclusive: the column just after the secret"),
    source: z.enum(["file", "stdin", "staged", "commit"]),
    commit: commitInfo.optional(),
    secret: z.string().describe("The secret; its redacted form when the scan's `redacted` is true"),
    fingerprint: z.string().describe("Hash of rule id + secret (use in .keyscanignore as fingerprint:<hash>)"),
    entropy: z.number(),
    revoke: z.string().optional(),
    verification: z
      .object({
        status: z.enum(["verified", "invalid", "unknown"]),
        checkedAt: z.string(),
        reason: z.string().optional(),
        fields: z.record(z.string(), z.unknown()).optional(),
        httpStatus: z.number().int().optional(),
        endpoint: z.string().optional(),
      })
      .loose()
      .optional(),
    access: z
      .object({
        status: z.enum(["mapped", "partial"]),
        checkedAt: z.string(),
        identity: z.record(z.string(), z.unknown()).optional(),
        scopes: z.array(z.string()).optional(),
        resources: z.record(z.string(), z.unknown()).optional(),
        spend: z.record(z.string(), z.unknown()).optional(),
        severity: z.enum(SEVERITIES),
        blastRadius: z.number(),
        raisedFrom: z.enum(SEVERITIES).optional(),
        raisedBy: z.string().optional(),
        summary: z.string(),
        reason: z.string().optional(),
        endpoints: z.array(z.string()),
      })
      .loose()
      .optional()
      .describe("--verify: what a key verified live can reach (identity, scopes, resources, spend) and its blast radius 0-100"),
    revocation: z
      .object({
        status: z.enum(["revoked", "already-invalid", "refused", "failed", "dry-run", "unsupported", "skipped"]),
        at: z.string(),
        endpoint: z.string().optional(),
        reason: z.string().optional(),
        httpStatus: z.number().int().optional(),
      })
      .loose()
      .optional()
      .describe("keyscan revoke --write-scan: what revoking this secret did"),
    blob: z.string().optional().describe("Git sources: the blob the secret was found in"),
    locations: z
      .array(z.object({ path: z.string(), commit: commitInfo, line: z.number().int(), column: z.number().int(), blob: z.string() }).loose())
      .optional()
      .describe("history: every path and commit where the secret occurs, oldest first"),
    atHead: z.boolean().optional().describe("history: whether HEAD still contains the secret"),
    removedIn: z
      .array(z.object({ path: z.string(), commit: commitInfo }).loose())
      .optional()
      .describe("history: commits that replaced or deleted a version holding the secret, oldest first"),
    repo: z.string().optional().describe("history --repos: the repository's canonical id (as the repository list names it)"),
  })
  .loose();

const problem = z.object({ path: z.string(), code: z.string(), message: z.string() });

export const scanResultSchema = z
  .object({
    format: z.literal(SCAN_FORMAT),
    version: z.literal(SCAN_VERSION),
    tool: z.object({ name: z.string(), version: z.string() }),
    rules: z.object({ version: z.string(), count: z.number().int() }),
    target: z.string(),
    startedAt: z.string(),
    stats: z.object({
      scanned: z.number().int(),
      bytes: z.number(),
      skipped: z.record(z.string(), z.number().int()),
      durationMs: z.number(),
    }).loose(),
    findings: z.array(finding),
    errors: z.array(problem),
    skipped: z.array(problem),
    ruleDetails: z
      .record(
        z.string(),
        z.object({
          name: z.string(),
          description: z.string(),
          severity: z.enum(SEVERITIES),
          provider: z.string(),
          providerName: z.string(),
          generic: z.boolean(),
          docs: z.string().optional(),
          revoke: z.string().optional(),
        }),
      )
      .optional(),
    redacted: z.boolean().optional(),
    warnings: z.array(z.string()).optional().describe("What limits the result's completeness (e.g. a shallow clone)"),
    shard: z
      .object({ k: z.number().int().min(1), n: z.number().int().min(1), by: z.enum(["blob", "repository", "path"]), target: z.string() })
      .optional()
      .describe("--shard k/n: which slice this result is; `keyscan report --from` merges a complete set"),
    incremental: z
      .object({ scanned: z.number().int(), skipped: z.number().int(), note: z.string().optional() })
      .optional()
      .describe("history --state: unique blobs scanned now, and skipped because the state already held them"),
    merged: z.object({ from: z.array(z.string()), shards: z.number().int().optional() }).optional().describe("keyscan report with several --from files: what was merged"),
  })
  .loose();

/** Parse and check a saved scan; `name` is how the file is called in messages. Throws KeyscanError (exit 2). */
export function parseSavedScan(text: string, name: string): ScanResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new KeyscanError("E_USAGE", `${name} is not JSON (${(err as Error).message}); save a scan with \`keyscan --format json -o scan.json\`.`, { cause: err });
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new KeyscanError("E_USAGE", `${name} is not a keyscan scan (expected a JSON object with "format": "${SCAN_FORMAT}"); jsonl output cannot be re-rendered, use --format json.`);
  }
  const head = data as { format?: unknown; version?: unknown };
  if (head.format !== SCAN_FORMAT) {
    throw new KeyscanError("E_USAGE", `${name} is not a keyscan scan (its "format" is ${JSON.stringify(head.format ?? null)}, expected "${SCAN_FORMAT}"); save one with \`keyscan --format json -o scan.json\`.`);
  }
  if (head.version !== SCAN_VERSION) {
    throw new KeyscanError("E_USAGE", `${name} is a keyscan scan of format version ${JSON.stringify(head.version ?? null)}; this keyscan reads version ${SCAN_VERSION}. Re-run the scan with this keyscan, or render it with the keyscan that wrote it.`);
  }
  const parsed = scanResultSchema.safeParse(data);
  if (!parsed.success) {
    throw new KeyscanError("E_USAGE", `${name} is a damaged keyscan scan:\n${z.prettifyError(parsed.error)}`);
  }
  // The file as written (not zod's copy): fields this version does not know and their order survive a re-render.
  return data as ScanResult;
}

/** The JSON Schema of the `json` format (committed as docs/scan-result.schema.json; a test keeps them equal). */
export function scanResultJsonSchema(): unknown {
  return {
    ...z.toJSONSchema(scanResultSchema, { io: "input" }),
    title: "keyscan scan result (format keyscan-scan, version 1)",
  };
}
