// Test doubles for verification: a real HTTP server on 127.0.0.1 (port 0) that stands in for a provider, counts
// connections and requests and records when each arrived; the recorded provider answers in fixtures/<provider>/;
// and findings built from generated (never real) secrets.
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { fingerprint } from "../../src/engine/fingerprint.js";
import type { RuleSet } from "../../src/engine/rule.js";
import { generateSecret, seededRandom } from "../../src/engine/template.js";
import type { Finding } from "../../src/report/types.js";

const here = dirname(fileURLToPath(import.meta.url));

export interface Recorded {
  n: number;
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
  /** performance.now() when the request's headers arrived. */
  at: number;
}

export type Handler = (req: Recorded, res: ServerResponse) => void | Promise<void>;

export interface TestServer {
  base: string;
  port: number;
  requests: Recorded[];
  connections: () => number;
  close: () => Promise<void>;
}

export async function startServer(handler: Handler, host = "127.0.0.1"): Promise<TestServer> {
  const requests: Recorded[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rec: Recorded = { n: requests.length + 1, method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at };
      requests.push(rec);
      void handler(rec, res);
    });
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://${host}:${port}`,
    port,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Fixture {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export function fixture(provider: string, name: string): Fixture {
  return JSON.parse(readFileSync(join(here, "fixtures", provider, `${name}.json`), "utf8")) as Fixture;
}

export function reply(res: ServerResponse, f: Fixture, extraHeaders: Record<string, string> = {}): void {
  const body = typeof f.body === "string" ? f.body : JSON.stringify(f.body);
  res.writeHead(f.status, { ...f.headers, ...extraHeaders });
  res.end(body);
}

/** A reply-with-fixture handler. */
export const serve = (provider: string, name: string): Handler => (_req, res) => reply(res, fixture(provider, name));

/** A synthetic secret from a template (`key-{alnum:96}`), reproducible from the seed. */
export function secretFrom(template: string, seed: string): string {
  return generateSecret(template, seededRandom(seed));
}

/** A finding of `ruleId` for `secret`, as the scanner would produce it. */
export function findingFor(ruleset: RuleSet, ruleId: string, secret: string, line = 1): Finding {
  const rule = ruleset.rules.find((r) => r.id === ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  return {
    ruleId,
    ruleName: rule.name,
    provider: rule.provider.id,
    providerName: rule.provider.name,
    severity: rule.severity,
    confidence: "high",
    usage: "format",
    path: "app.env",
    line,
    column: 1,
    endLine: line,
    endColumn: secret.length + 1,
    source: "file",
    secret,
    fingerprint: fingerprint(ruleId, secret),
    entropy: 4,
  };
}

/** A ScanResult around findings (what the CLI hands to verification). */
export function resultOf(findings: Finding[]) {
  return {
    format: "keyscan-scan" as const,
    version: 1 as const,
    tool: { name: "keyscan", version: "test" },
    rules: { version: "test", count: 0 },
    target: "test",
    startedAt: new Date().toISOString(),
    stats: { scanned: 1, bytes: 0, skipped: {}, durationMs: 0 },
    findings,
    errors: [],
    skipped: [],
  };
}
