/**
 * The vocabulary of live verification, shared by its modules: the options a run takes (rates, timeouts, test
 * overrides, whether repo rules may verify), the request a rule's verify block expands into, and the raw answer
 * classified into an outcome. Kept separate so safety, HTTP, limiter and classifier depend on types, not on each
 * other.
 */
import type { AccessMap, Verification } from "../report/types.js";

export type { Verification, VerificationStatus } from "../report/types.js";

/** A per-provider setting: a default for every provider and values for named ones. */
export interface PerProvider<T> {
  default: T;
  byProvider: Record<string, T>;
}

export interface VerifyOptions {
  /** Let rules loaded from the scanned repository's own config verify (off by default: a repo must not exfiltrate). */
  allowRepoRules?: boolean;
  /**
   * Test override: provider id → base URL (e.g. `http://127.0.0.1:8080`). Requests for that provider go there
   * instead, and the HTTPS, declared-host and private-address checks are lifted for that provider only.
   */
  endpointOverrides?: Record<string, string>;
  /** Requests per second per provider (default 4). */
  rate?: PerProvider<number>;
  /** Requests in flight per provider (default 2). */
  concurrency?: PerProvider<number>;
  /** Time limit of one request attempt, in ms (default 10 000). */
  timeoutMs?: number;
  /** Retries after a 429, a 5xx, a timeout or a dropped connection (default 2). */
  retries?: number;
  /** Base delay of the exponential backoff, in ms (default 500). */
  backoffMs?: number;
  /** The longest `Retry-After` keyscan waits for; longer → `unknown` (default 30 000 ms). */
  maxRetryAfterMs?: number;
  /** Redirect hops followed (each checked like the first request; default 3). */
  maxRedirects?: number;
  /** Map what live keys can reach through the rules' `access` blocks (issue 22; default true). */
  access?: boolean;
  /** Where warnings go (refused rules, overrides); never receives a secret. */
  warn?: (message: string) => void;
}

export const VERIFY_DEFAULTS = {
  rate: 4,
  concurrency: 2,
  timeoutMs: 10_000,
  retries: 2,
  backoffMs: 500,
  maxRetryAfterMs: 30_000,
  maxRedirects: 3,
  maxBodyBytes: 256 * 1024,
} as const;

export type HttpMethod = "GET" | "HEAD" | "POST" | "DELETE";

/** A verify request after templating: what would go on the wire. Holds the secret; never log it. */
export interface PreparedRequest {
  method: HttpMethod;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/** A provider's answer, as much of it as classification needs. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** URL that produced the answer (after redirects). */
  url: string;
}

/** A verification before its time stamp; `access` is the access map of a live key (issue 22), when the rule has one. */
export type Outcome = Omit<Verification, "checkedAt"> & { access?: AccessMap };
