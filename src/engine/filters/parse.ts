/**
 * Offline structure checks for credentials that carry their own structure (`secret.parse`): a JWT's header and
 * payload are base64url JSON, an HTTP Basic value is base64 of `user:password`. Parsing both rejects look-alikes (a
 * string that merely starts with `eyJ`, a Basic value that is not `user:password`, a documentation example) and
 * yields facts worth reporting next to the finding — issuer, audience, expiry, role, username — without contacting
 * anyone. Never returns the secret or any part of a password.
 */
import { isPlaceholder } from "./placeholder.js";

export const PARSERS = ["jwt", "basic-auth"] as const;
export type ParserName = (typeof PARSERS)[number];

export type ParseResult = { ok: true; details?: Record<string, unknown> } | { ok: false; reason: string };

function base64UrlDecode(s: string): string | undefined {
  if (!/^[A-Za-z0-9_\-+/]*={0,2}$/.test(s)) return undefined;
  try {
    return Buffer.from(s.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
  } catch {
    return undefined;
  }
}

function jsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const JWT_CLAIMS = ["iss", "aud", "azp", "role", "scope"] as const;

export function parseJwt(token: string, now: number = Date.now()): ParseResult {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "not three segments" };
  const header = jsonObject(base64UrlDecode(parts[0]!));
  const payload = jsonObject(base64UrlDecode(parts[1]!));
  if (!header || typeof header.alg !== "string") return { ok: false, reason: "header is not JSON with `alg`" };
  if (!payload) return { ok: false, reason: "payload is not a JSON object" };
  if (header.alg.toLowerCase() === "none" || parts[2]!.length === 0) return { ok: false, reason: "unsigned (alg none)" };
  // The jwt.io sample token ("John Doe", sub 1234567890) is in countless docs and tests; API references fill
  // claims with example domains and repeated digits.
  if (payload.sub === "1234567890" && payload.name === "John Doe") return { ok: false, reason: "jwt.io documentation example" };
  const exampleValue = /(\d)\1{7,}|example\.(?:com|org|net)\b|1234567890/;
  if (Object.values(payload).some((v) => typeof v === "string" && exampleValue.test(v))) return { ok: false, reason: "documentation example claims" };
  const details: Record<string, unknown> = { alg: header.alg };
  for (const claim of JWT_CLAIMS) {
    const v = payload[claim];
    if (typeof v === "string" || typeof v === "number" || (Array.isArray(v) && v.every((x) => typeof x === "string"))) details[claim] = v;
  }
  for (const claim of ["exp", "iat", "nbf"] as const) {
    const v = payload[claim];
    if (typeof v === "number" && Number.isFinite(v) && Math.abs(v) < 1e11) details[claim] = new Date(v * 1000).toISOString();
  }
  if (typeof payload.exp === "number") details.expired = payload.exp * 1000 < now;
  return { ok: true, details };
}

export function parseBasicAuth(value: string): ParseResult {
  const decoded = base64UrlDecode(value);
  if (decoded === undefined) return { ok: false, reason: "not base64" };
  // Must be printable text of the form user:password.
  if (!/^[\x20-\x7e]+$/.test(decoded)) return { ok: false, reason: "not printable" };
  const colon = decoded.indexOf(":");
  if (colon < 0) return { ok: false, reason: "no user:password" };
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (password.length < 3) return { ok: false, reason: "empty or trivial password" };
  if (isPlaceholder(password) || /^(?:pass(?:word)?|secret|\*+|x+|test|admin|changeme)$/i.test(password) || password === user) {
    return { ok: false, reason: "placeholder password" };
  }
  return { ok: true, details: { username: user } };
}

export function runParser(name: ParserName, secret: string): ParseResult {
  switch (name) {
    case "jwt":
      return parseJwt(secret);
    case "basic-auth":
      return parseBasicAuth(secret);
  }
}
