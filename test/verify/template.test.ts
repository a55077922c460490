// Templating keeps a scanned value from changing the request's shape, and the rule schema rejects placeholders
// that cannot be filled.
import { describe, expect, it } from "vitest";
import { parseProviderFile } from "../../src/engine/load-rules.js";
import type { VerifySpec } from "../../src/engine/rule-schema.js";
import { expandRequest } from "../../src/verify/template.js";

const spec = (request: VerifySpec["request"]): VerifySpec => ({ request, verified: { status: [200] } });

describe("expandRequest", () => {
  it("URL-encodes values in the URL so they cannot add a path, query, fragment or host", () => {
    const r = expandRequest(spec({ method: "GET", url: "https://api.example.com/v1/keys/{{secret}}?shop={{companion.shop}}" }), {
      secret: "a/../b?x=1#frag",
      companions: { shop: "x@evil.com" },
    });
    expect(r.url.host).toBe("api.example.com");
    expect(r.url.pathname).toBe("/v1/keys/a%2F..%2Fb%3Fx%3D1%23frag");
    expect(r.url.searchParams.get("shop")).toBe("x@evil.com");
    expect(r.url.hash).toBe("");
  });

  it("refuses a header value with CR or LF (no header injection)", () => {
    expect(() => expandRequest(spec({ method: "GET", url: "https://api.example.com/", headers: { "x-key": "{{secret}}" } }), { secret: "abc\r\nx-evil: 1", companions: {} })).toThrow(/CR, LF or NUL/);
  });

  it("JSON-escapes body values for a JSON content type, form-encodes for a form", () => {
    const json = expandRequest(spec({ method: "POST", read_only: true, url: "https://api.example.com/", headers: { "content-type": "application/json" }, body: '{"key":"{{secret}}"}' }), { secret: 'a"b\\c', companions: {} });
    expect(JSON.parse(json.body!)).toEqual({ key: 'a"b\\c' });
    const form = expandRequest(spec({ method: "POST", read_only: true, url: "https://api.example.com/", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "key={{secret}}" }), { secret: "a&b=c", companions: {} });
    expect(form.body).toBe("key=a%26b%3Dc");
  });

  it("basic_auth becomes an Authorization: Basic header of the templated user name and password (issue 16)", () => {
    const r = expandRequest(spec({ method: "GET", url: "https://api.example.com/me", basic_auth: { username: "{{secret}}", password: "" } }), { secret: "sk_abc", companions: {} });
    expect(r.headers.Authorization).toBe(`Basic ${Buffer.from("sk_abc:").toString("base64")}`);
    const pair = expandRequest(spec({ method: "GET", url: "https://api.example.com/me", basic_auth: { username: "{{companion.sid}}", password: "{{secret}}" } }), { secret: "p:w", companions: { sid: "AC1" } });
    expect(Buffer.from(pair.headers.Authorization!.slice(6), "base64").toString()).toBe("AC1:p:w");
    expect(() => expandRequest(spec({ method: "GET", url: "https://api.example.com/me", basic_auth: { username: "{{secret}}", password: "x" } }), { secret: "a:b", companions: {} })).toThrow(/contains ':'/);
  });

  it("a companion without a value is an error, not an empty string", () => {
    expect(() => expandRequest(spec({ method: "GET", url: "https://{{companion.shop}}.example.com/" }), { secret: "s", companions: {} })).toThrow(/has no value/);
  });
});

describe("verify block schema", () => {
  const file = (verify: string) => `provider: t
name: T
hosts: [api.example.com]
rules:
  - id: t.key
    name: K
    description: D
    severity: high
    secret: { pattern: 'tk_[a-z]{8}', keywords: [tk_], standalone: true }
    verify:
${verify}
    examples: ['tk_abcdefgh']
    negatives: ['nothing']
`;
  it("rejects an unknown placeholder, naming the field", () => {
    expect(() => parseProviderFile(file("      request: { method: GET, url: 'https://api.example.com/{{token}}' }\n      verified: { status: [200] }"), "t.yaml")).toThrow(
      /field `rules\.0\.verify\.request\.url`: unknown placeholder `\{\{token\}\}`/,
    );
  });
  it("rejects a companion placeholder that `companions` does not declare", () => {
    expect(() => parseProviderFile(file("      request: { method: GET, url: 'https://api.example.com/{{companion.shop}}' }\n      verified: { status: [200] }"), "t.yaml")).toThrow(/names a companion that `companions` does not declare/);
  });
  it("rejects a companion with both or neither source, and a bad companion regex", () => {
    const base = "      request: { method: GET, url: 'https://api.example.com/{{companion.a}}' }\n      verified: { status: [200] }\n";
    expect(() => parseProviderFile(file(`${base}      companions: [{ name: a }]`), "t.yaml")).toThrow(/exactly one of `rule` or `pattern`/);
    expect(() => parseProviderFile(file(`${base}      companions: [{ name: a, pattern: '(' }]`), "t.yaml")).toThrow(/not a valid JavaScript regular expression/);
  });
  it("accepts a list of outcome patterns", () => {
    const f = parseProviderFile(file("      request: { method: GET, url: 'https://api.example.com/' }\n      verified: { status: [200], json: { ok: true } }\n      invalid:\n        - { status: [401] }\n        - { status: [200], json: { ok: false } }"), "t.yaml");
    expect(Array.isArray(f.rules[0]!.verify!.invalid)).toBe(true);
  });
});
