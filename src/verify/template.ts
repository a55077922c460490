/**
 * Expands a rule's verify request with the secret and its companion values. Each place gets the encoding that keeps
 * a value from changing the request's shape: URL-encoded in the URL (so a scanned value cannot add a host, a path
 * segment or a query), refused in a header when it holds CR, LF or NUL (no header injection), and in a body
 * JSON-escaped for a JSON Content-Type, form-encoded for a form, else as is. Only `{{secret}}` and
 * `{{companion.NAME}}` exist; the schema rejects anything else when the rule loads. `basic_auth` becomes an
 * `Authorization: Basic` header built from its two templated halves.
 */
import type { VerifySpec } from "../engine/rule-schema.js";
import { TEMPLATE_PLACEHOLDER } from "../engine/template-placeholder.js"; // not via rule-schema: that loads zod
import { KeyscanError } from "../errors.js";
import type { HttpMethod, PreparedRequest } from "./types.js";

export interface TemplateValues {
  secret: string;
  companions: Readonly<Record<string, string>>;
}

function fill(template: string, values: TemplateValues, encode: (v: string) => string): string {
  return template.replace(TEMPLATE_PLACEHOLDER, (_m, name: string) => {
    if (name === "secret") return encode(values.secret);
    const companion = /^companion\.(.+)$/.exec(name)?.[1];
    const value = companion !== undefined ? values.companions[companion] : undefined;
    if (value === undefined) throw new KeyscanError("E_VERIFY", `the request needs \`{{${name}}}\`, which has no value`, { fatal: false });
    return encode(value);
  });
}

/** Names of the companions a request template uses. */
export function companionsUsed(spec: VerifySpec): string[] {
  const basic = spec.request.basic_auth;
  const texts = [spec.request.url, ...Object.values(spec.request.headers ?? {}), spec.request.body ?? "", basic?.username ?? "", basic?.password ?? ""];
  const names = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(TEMPLATE_PLACEHOLDER)) {
    const c = /^companion\.(.+)$/.exec(m[1]!)?.[1];
    if (c !== undefined) names.add(c);
  }
  return [...names];
}

function headerValue(v: string): string {
  if (/[\r\n\0]/.test(v)) throw new KeyscanError("E_VERIFY", "a templated header value contains CR, LF or NUL; refused", { fatal: false });
  return v;
}

function bodyEncoder(headers: Record<string, string>): (v: string) => string {
  const type = Object.entries(headers).find(([k]) => k.toLowerCase() === "content-type")?.[1]?.toLowerCase() ?? "";
  if (type.includes("json")) return (v) => JSON.stringify(v).slice(1, -1);
  if (type.includes("x-www-form-urlencoded")) return encodeURIComponent;
  return (v) => v;
}

/** Build the request a verify block describes. Throws E_VERIFY (non-fatal) for a bad URL or header value. */
export function expandRequest(spec: VerifySpec, values: TemplateValues): PreparedRequest {
  const r = spec.request;
  const rawUrl = fill(r.url, values, encodeURIComponent);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new KeyscanError("E_VERIFY", `the verify URL template \`${r.url}\` does not give a valid URL`, { fatal: false });
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k] = headerValue(fill(v, values, (x) => x));
  if (r.basic_auth !== undefined) {
    // Base64 leaves no CR/LF to inject; a ':' in a templated user name would shift the split, so it is refused.
    const username = fill(r.basic_auth.username, values, (x) => x);
    if (username.includes(":")) throw new KeyscanError("E_VERIFY", "a templated Basic-auth user name contains ':'; refused", { fatal: false });
    const password = fill(r.basic_auth.password, values, (x) => x);
    headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
  }
  const body = r.body !== undefined ? fill(r.body, values, bodyEncoder(headers)) : undefined;
  return { method: r.method as HttpMethod, url, headers, ...(body !== undefined ? { body } : {}) };
}
