// Issue 6, part 2: non-provider credentials (private keys, JWTs, connection strings, HTTP auth, the generic rule)
// and the precedence of provider rules over generic ones. Secrets are generated at test time.
import { describe, expect, it } from "vitest";
import { loadRules } from "../../src/engine/load-rules.js";
import { scanText } from "../../src/engine/scan-text.js";
import { generateSecret, seededRandom } from "../../src/engine/template.js";
import { randomness } from "../../src/engine/filters/randomness.js";
import { parseJwt } from "../../src/engine/filters/parse.js";
import { scan } from "../../src/scan.js";
import type { Source } from "../../src/sources/types.js";

const ruleset = loadRules();
const rand = seededRandom("issue-6-credentials");
const gen = (t: string) => generateSecret(t, rand);
const ids = (text: string) => scanText(text, ruleset).map((f) => f.rule.id);
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");

function oneText(text: string, path = "app.env"): Source {
  return {
    description: "test",
    async *items() {
      yield { type: "text", text, bytes: text.length, provenance: { kind: "file", path } } as never;
    },
  };
}

describe("private keys", () => {
  it("finds a multi-line PEM key, reporting the body at its line, critical", () => {
    const body = `MIIEow${gen("{base64:58}")}\n${gen("{base64:64}")}\n${gen("{base64:40}")}`;
    const text = `# deploy key\n-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----\n`;
    const [f, ...rest] = scanText(text, ruleset);
    expect(rest).toHaveLength(0);
    expect(f?.rule.id).toBe("private-key.pem");
    expect(f?.rule.severity).toBe("critical");
    expect(f?.secret).toBe(body);
    expect([f?.line, f?.column, f?.endLine]).toEqual([3, 1, 5]);
  });

  it("reports an encrypted key at lower severity, once", () => {
    const body = `${gen("{base64:64}")}\n${gen("{base64:64}")}`;
    const found = scanText(`-----BEGIN ENCRYPTED PRIVATE KEY-----\n${body}\n-----END ENCRYPTED PRIVATE KEY-----`, ruleset);
    expect(found.map((f) => [f.rule.id, f.rule.severity])).toEqual([["private-key.pem-encrypted", "medium"]]);
  });

  it("tells unencrypted from encrypted OpenSSH keys by the cipher name in the body", () => {
    const plain = `b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ${gen("{base64:28}")}\n${gen("{base64:70}")}`;
    const enc = `b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0${gen("{base64:18}")}\n${gen("{base64:70}")}`;
    const wrap = (b: string) => `-----BEGIN OPENSSH PRIVATE KEY-----\n${b}\n-----END OPENSSH PRIVATE KEY-----`;
    expect(ids(wrap(plain))).toEqual(["private-key.openssh"]);
    expect(ids(wrap(enc))).toEqual(["private-key.openssh-encrypted"]);
  });
});

describe("JWT", () => {
  it("decodes issuer and expiry offline into the finding's details", async () => {
    const token = `${b64url({ alg: "RS256", typ: "JWT" })}.${b64url({ iss: "https://issuer.test.dev", aud: "api", exp: 1700000000, role: "service" })}.${gen("{b64url:86}")}`;
    const result = await scan(oneText(`TOKEN=${token}\n`), ruleset);
    const f = result.findings.find((x) => x.ruleId === "jwt.token");
    expect(f?.details).toMatchObject({ alg: "RS256", iss: "https://issuer.test.dev", aud: "api", role: "service", exp: "2023-11-14T22:13:20.000Z", expired: true });
    expect(JSON.stringify(f?.details)).not.toContain(token.split(".")[2]);
  });

  it("rejects look-alikes: unsigned, non-JSON payload, the jwt.io sample", () => {
    expect(parseJwt(`${b64url({ alg: "none" })}.${b64url({ a: 1 })}.`).ok).toBe(false);
    expect(parseJwt(`${b64url({ alg: "HS256" })}.eyJnotjson.${gen("{b64url:43}")}`).ok).toBe(false);
    expect(parseJwt(`${b64url({ alg: "HS256" })}.${b64url({ sub: "1234567890", name: "John Doe", iat: 1516239022 })}.${gen("{b64url:43}")}`).ok).toBe(false);
  });
});

describe("connection strings and HTTP auth", () => {
  it("reports the password of a database URI, not placeholders or dev defaults", () => {
    const pw = gen("{alnum:20}");
    const found = scanText(`DATABASE_URL=postgresql://app:${pw}@db.prod.internal:5432/app`, ruleset);
    expect(found.map((f) => [f.rule.id, f.secret])).toEqual([["connection-string.uri", pw]]);
    for (const text of [
      "postgres://postgres:postgres@localhost:5432/postgres",
      "mongodb+srv://<user>:<password>@cluster0.mongodb.net",
      "redis://:${REDIS_PASSWORD}@redis:6379",
      "amqp://guest:guest@rabbitmq:5672",
      "mysql://root:***@db/app",
      "postgres://u:changeme@db/app",
    ]) {
      expect(ids(text), text).toEqual([]);
    }
  });

  it("decodes Basic headers and reports the username in details", () => {
    const value = Buffer.from(`ci-bot:${gen("{alnum:20}")}`).toString("base64");
    const [f] = scanText(`curl -H "Authorization: Basic ${value}" https://registry.corp.test/`, ruleset);
    expect(f?.rule.id).toBe("http-auth.basic-header");
    expect(f?.details).toEqual({ username: "ci-bot" });
    expect(ids(`Authorization: Basic ${Buffer.from("user:password").toString("base64")}`)).toEqual([]);
  });
});

describe("the generic rule", () => {
  it("reports random values assigned to secret-like names in many syntaxes", () => {
    for (const [tpl, template] of [
      ['password = "{{s}}"', "{alnum:20}"],
      ["export API_KEY={{s}}", "{alnum:32}"],
      ['{"client_secret": "{{s}}"}', "{b64url:40}"],
      ["  secretKey: '{{s}}'", "{hex:40}"],
      ["DB_PASS: {{s}}", "{alnum:16}"],
    ] as const) {
      const s = gen(template);
      const found = scanText(tpl.replace("{{s}}", s), ruleset);
      expect(found.map((f) => [f.rule.id, f.secret, f.confidence]), tpl).toEqual([["generic.secret-assignment", s, "low"]]);
    }
  });

  it("does not report words, chords, versions, hashes, UUIDs, paths, URLs, placeholders", () => {
    for (const text of [
      'key: "ctrl+shift+down"',
      'password: "changeme"',
      'version = "v2.13.0-rc.1"',
      'token = "550e8400-e29b-41d4-a716-446655440000"',
      'secret: "./config/secrets.json"',
      'token: "https://auth.example.org/token"',
      "api_key: ${API_KEY}",
      'password: "<your password>"',
      'apiKey = "YOUR_API_KEY"',
      'token: "xxxxxxxxxxxxxxxxxxxx"',
      'password = "correcthorsebatterystaple"',
      'secret = "ThisIsMySecretValue"',
      'token: this.config.authToken,',
      "password: process.env.DB_PASSWORD",
      '"integrity": "sha512-' + gen("{base64:86}") + '=="',
      '"resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"',
    ]) {
      expect(ids(text), text).toEqual([]);
    }
  });

  it("passes generated secrets and rejects structured non-secrets (randomness gate)", () => {
    let passed = 0;
    for (let i = 0; i < 400; i++) if (randomness(gen("{alnum:24}")).random) passed++;
    expect(passed).toBeGreaterThan(380);
    for (const v of ["ctrl+shift+down", "SuperSecret123", "Uint8Array", "i1.HttpBackend", "1.2.3-beta.4", "hunter2hunter2"]) {
      expect(randomness(v).random, v).toBe(false);
    }
  });

  it("loses to a provider rule on the same secret: one finding, the provider's", () => {
    const key = gen("key-{alnum:96}");
    const found = scanText(`const api_key = "${key}";`, ruleset);
    expect(found.map((f) => f.rule.id)).toEqual(["getimg.api-key"]);
  });

  it("a provider's own Authorization usage beats the generic Bearer rule", () => {
    const token = gen("{alnum:40}");
    const text = `curl https://api.getimg.ai/v2/models \\\n  -H "Authorization: Bearer ${token}"`;
    expect(scanText(text, ruleset).map((f) => [f.rule.id, f.secret])).toEqual([["getimg.api-key", token]]);
    // Without the provider's host nearby, the same header is a generic Bearer finding.
    expect(ids(`curl https://api.unknown-service.test/v1 -H "Authorization: Bearer ${token}"`)).toEqual(["http-auth.bearer-header"]);
  });
});

describe("overlap dedupe with wide generic matches", () => {
  it("a generic assignment whose value runs over `#` into a second key does not hide either key", () => {
    const first = gen("key-{alnum:96}");
    const second = gen("key-{alnum:94}");
    for (const sep of ["#", ";", " # "]) {
      const text = `GETIMG_API_KEY=${first}${sep}${second}\n`;
      expect(scanText(text, ruleset).map((f) => [f.rule.id, f.secret])).toEqual([
        ["getimg.api-key", first],
        ["getimg.api-key", second],
      ]);
    }
  });
});
