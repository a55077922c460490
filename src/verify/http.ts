/**
 * One verify request on the wire, with the safety contract applied at the socket: node:http(s) with a `lookup` that
 * checks every resolved address and connects only to a checked one (safety.ts `pinnedLookup`), IP-literal hosts
 * checked before connecting, redirects never followed automatically — each `Location` is checked against the
 * provider's declared hosts before the next hop, for a bounded number of hops — one deadline per attempt covering
 * connect, headers and body, and a cap on how much body is read. Built on node:http rather than fetch because
 * Node 20's built-in fetch cannot take a custom DNS lookup without adding the undici package; this needs no
 * dependency. Failures are `HttpFailure`s whose messages never contain the request's headers, body or URL query.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { VERSION } from "../version.js";
import { checkLiteralHost, checkUrl, pinnedLookup, type UrlPolicy } from "./safety.js";
import { VERIFY_DEFAULTS, type HttpAnswer, type PreparedRequest } from "./types.js";

export const USER_AGENT = `keyscan/${VERSION} (+https://github.com/keyscan-dev/keyscan)`;

export type FailureKind = "timeout" | "network" | "refused";

/** A request that produced no answer. `message` is secret-free (hosts and error codes only). */
export class HttpFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    /** Worth another attempt (a timeout or a dropped connection; not a refusal or a name that does not exist). */
    readonly retryable = kind === "timeout",
  ) {
    super(message);
    this.name = "HttpFailure";
  }
}

/** Network errors that say nothing final about the endpoint: try again. */
const TRANSIENT = new Set(["ECONNRESET", "ECONNABORTED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNREFUSED"]);

export interface HttpOptions {
  policy: UrlPolicy;
  /** Skip the address checks (only under a test override). */
  allowPrivate: boolean;
  timeoutMs: number;
  maxRedirects: number;
  maxBodyBytes?: number;
  agents: Agents;
}

export interface Agents {
  http: HttpAgent;
  https: HttpsAgent;
}

/** Keep-alive agents for one verify run; `destroy()` them when the run ends so no socket keeps the process alive. */
export function createAgents(maxSockets: number): Agents {
  return {
    http: new HttpAgent({ keepAlive: true, maxSockets }),
    https: new HttpsAgent({ keepAlive: true, maxSockets }),
  };
}

export function destroyAgents(a: Agents): void {
  a.http.destroy();
  a.https.destroy();
}

function where(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function once(req: PreparedRequest, opts: HttpOptions, deadline: number): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    const url = req.url;
    const isHttps = url.protocol === "https:";
    const headers: Record<string, string> = { "user-agent": USER_AGENT, accept: "application/json, */*;q=0.5", ...req.headers };
    if (req.body !== undefined) headers["content-length"] = String(Buffer.byteLength(req.body));
    const make = isHttps ? httpsRequest : httpRequest;
    let settled = false;
    const fail = (e: HttpFailure) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      r.destroy();
      reject(e);
    };
    const remaining = Math.max(1, deadline - Date.now());
    const r = make(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ""),
        port: url.port || (isHttps ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        method: req.method,
        headers,
        agent: isHttps ? opts.agents.https : opts.agents.http,
        ...(opts.allowPrivate ? {} : { lookup: pinnedLookup as never }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const cap = opts.maxBodyBytes ?? VERIFY_DEFAULTS.maxBodyBytes;
        res.on("data", (c: Buffer) => {
          if (size >= cap) return;
          chunks.push(c);
          size += c.length;
        });
        res.on("error", () => fail(new HttpFailure("network", `connection to ${url.host} broke while reading the answer`, true)));
        res.on("end", () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ res, body: Buffer.concat(chunks).subarray(0, cap).toString("utf8") });
        });
      },
    );
    const timer = setTimeout(() => fail(new HttpFailure("timeout", `${url.host} did not answer within ${opts.timeoutMs} ms`)), remaining);
    r.on("error", (err: Error & { code?: string; blockedAddress?: boolean }) => {
      if (err.blockedAddress) return fail(new HttpFailure("refused", err.message));
      fail(new HttpFailure("network", `cannot reach ${url.host} (${err.code ?? "network error"})`, err.code === undefined || TRANSIENT.has(err.code)));
    });
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

/**
 * Send the request, following redirects manually: each hop is checked (`checkUrl`, then the address) before any
 * byte is sent to it. Throws HttpFailure for refusals, timeouts and network errors.
 */
export async function send(first: PreparedRequest, opts: HttpOptions): Promise<HttpAnswer> {
  let req = first;
  const deadline = Date.now() + opts.timeoutMs; // one deadline for the attempt, redirects included
  for (let hop = 0; ; hop++) {
    const why = checkUrl(req.url, opts.policy) ?? (opts.allowPrivate ? undefined : checkLiteralHost(req.url.hostname));
    if (why) throw new HttpFailure("refused", hop === 0 ? why : `redirect to ${where(req.url)} refused: ${why}`);
    const { res, body } = await once(req, opts, deadline);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && location) {
      if (hop >= opts.maxRedirects) throw new HttpFailure("refused", `more than ${opts.maxRedirects} redirects`);
      let next: URL;
      try {
        next = new URL(location, req.url);
      } catch {
        throw new HttpFailure("refused", `redirect with an unparseable Location from ${req.url.host}`);
      }
      // 303 (and 301/302 after a POST, as browsers do) continue as GET without a body; 307/308 keep the method.
      const toGet = status === 303 || ((status === 301 || status === 302) && req.method === "POST");
      const { body: _drop, ...rest } = req;
      req = toGet ? { ...rest, method: "GET", url: next } : { ...req, url: next };
      continue;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
    return { status, headers, body, url: where(req.url) };
  }
}
