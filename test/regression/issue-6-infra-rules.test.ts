// Issue 6 (rule coverage), infrastructure half: behaviour that the per-rule examples cannot show on their own —
// documented example keys stay quiet, look-alike formats go to the right provider, checksums gate GitHub/npm tokens,
// lowercase random tokens are not mistaken for placeholders, and every verify request stays on the provider's hosts.
// Well-known public keys are assembled from pieces so this file does not itself contain them.
import { describe, expect, it } from "vitest";
import { isPlaceholder } from "../../src/engine/filters/placeholder.js";
import { LineIndex } from "../../src/engine/lines.js";
import { resolveCompanions } from "../../src/engine/companions.js";
import { loadRules } from "../../src/engine/load-rules.js";
import { scanText } from "../../src/engine/scan-text.js";
import { generateSecret, seededRandom } from "../../src/engine/template.js";

const ruleset = loadRules();
const rand = seededRandom("issue-6-infra");
const gen = (template: string) => generateSecret(template, rand);
const ids = (text: string) => scanText(text, ruleset).map((f) => f.rule.id);

describe("documented example keys are not reported", () => {
  it("AWS documentation key pairs", () => {
    const id1 = "AKIAIOSFODNN7" + "EXAMPLE";
    const id2 = "AKIAI44QH8DHB" + "EXAMPLE";
    const docBody = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCY" + "EXAMPLEKEY";
    const text = `[default]\naws_access_key_id = ${id1}\naws_secret_access_key = ${docBody}\n[other]\naws_access_key_id = ${id2}\n`;
    expect(ids(text)).toEqual([]);
    // The same file with a generated pair is reported, once per value.
    const real = `aws_access_key_id = ${gen("AKIA{upper:16}")}\naws_secret_access_key = ${gen("{base64:40}")}\n`;
    expect(ids(real).sort()).toEqual(["aws.access-key-id", "aws.secret-access-key"]);
  });

  it("the Azurite emulator account key", () => {
    const azurite = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq" + "/K1SZFPTOtr/KBHBeksoGMGw==";
    expect(ids(`DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${azurite};`)).toEqual([]);
    expect(ids(`DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=${gen("{base64:86}")}==;`)).toEqual(["azure.storage-account-key"]);
  });

  it("the Stripe documentation test key and the kubeadm documentation token", () => {
    expect(ids(`Stripe.api_key = '${"sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc"}'`)).toEqual([]);
    expect(ids("kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef")).toEqual([]);
  });
});

describe("look-alike formats go to the right provider", () => {
  it("sk_live_: 40 lowercase hex is Paystack, base62 is Stripe", () => {
    expect(ids(`KEY=${gen("sk_live_{hex:40}")}`)).toEqual(["paystack.secret-key"]);
    expect(ids(`KEY=${gen("sk_live_51{alnum:97}")}`)).toEqual(["stripe.secret-key"]);
  });

  it("key-: 32 hex is Mailgun, 93-96 base62 is getimg", () => {
    expect(ids(`KEY=${gen("key-{hex:32}")}`)).toEqual(["mailgun.api-key"]);
    expect(ids(`KEY=${gen("key-{alnum:96}")}`)).toEqual(["getimg.api-key"]);
  });

  it("a Telegram token inside an API URL", () => {
    const token = gen("{digits:10}:AA{b64url:33}");
    const found = scanText(`fetch("https://api.telegram.org/bot${token}/getMe")`, ruleset);
    expect(found.map((f) => [f.rule.id, f.secret])).toEqual([["telegram.bot-token", token]]);
  });
});

describe("CRC32-checked tokens", () => {
  for (const prefix of ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "npm_"]) {
    it(`${prefix} is reported only with a valid checksum`, () => {
      const good = gen(`${prefix}{alnum:30}{crc32}`);
      const found = scanText(`TOKEN=${good}`, ruleset);
      expect(found).toHaveLength(1);
      expect(found[0]!.confidence).toBe("high");
      // Flip the last checksum character: a hand-made fixture, not a minted token. The provider rule stays quiet;
      // a generic rule may still mention it, but only at low confidence.
      const last = good.at(-1) === "A" ? "B" : "A";
      const bad = scanText(`TOKEN=${good.slice(0, -1)}${last}`, ruleset);
      expect(bad.filter((f) => f.rule.provider.id === found[0]!.rule.provider.id)).toEqual([]);
      for (const f of bad) expect(f.confidence).toBe("low");
    });
  }
});

describe("placeholder filter and lowercase random tokens", () => {
  it("keeps lowercase tokens that contain random data", () => {
    for (const t of ["dop_v1_{hex:64}", "key-{hex:32}", "shpat_{hex:32}", "{uuid4hex}", "access-sandbox-{hex:8}-{hex:4}-4{hex:3}-a{hex:3}-{hex:12}"]) {
      const v = gen(t);
      expect(isPlaceholder(v), v).toBe(false);
    }
    expect(isPlaceholder("dbe8c0d4-3b1a-4c2e-9f00-7a6b5c4d3e2f")).toBe(false);
    expect(isPlaceholder("test_XrYWXxKGaNwDSOEhpVbBOCRbemDbqW")).toBe(false);
  });

  it("still drops identifiers and placeholder words", () => {
    for (const v of ["YOUR_API_KEY", "api_key_here", "my-secret-token", "sk_test_your_secret_key", "replace-me", "aws_secret_access_key", "getUserToken"]) {
      expect(isPlaceholder(v), v).toBe(true);
    }
  });
});

describe("verify requests of the infrastructure rules", () => {
  const mine = new Set([
    "aws", "gcp", "google", "azure", "digitalocean", "heroku", "cloudflare", "vercel", "netlify", "supabase", "databricks", "fly", "render",
    "railway", "alibaba", "tencent", "ibm-cloud", "linode", "scaleway", "hetzner", "vultr", "terraform-cloud", "vault", "doppler", "pulumi",
    "kubernetes", "github", "gitlab", "npm", "pypi", "rubygems", "docker-hub", "huggingface", "nuget", "crates-io", "jfrog", "clojars",
    "stripe", "square", "paypal", "braintree", "shopify", "razorpay", "plaid", "flutterwave", "paystack", "mollie", "gocardless", "paddle",
    "adyen", "slack", "discord", "telegram", "twilio", "sendgrid", "mailgun", "mailchimp", "postmark", "mailjet", "brevo", "microsoft-teams",
    "vonage", "messagebird", "plivo", "pusher", "ably", "resend", "facebook", "fastly", "akamai", "docker", "consul", "nomad", "sparkpost",
    "backblaze",
  ]);
  const rules = ruleset.rules.filter((r) => mine.has(r.provider.id));

  it("cover every provider file of this batch", () => {
    expect(new Set(rules.map((r) => r.provider.id))).toEqual(mine);
  });

  for (const rule of rules.filter((r) => r.verify)) {
    it(`${rule.id}: HTTPS on a declared host, POST only when read-only, companions declared`, () => {
      const v = rule.verify!;
      if (v.request.method === "POST") expect(v.request.read_only).toBe(true);
      const used = [...JSON.stringify(v.request).matchAll(/\{\{companion\.([A-Za-z0-9_]+)\}\}/g)].map((m) => m[1]);
      const declared = (v.companions ?? []).map((c) => (typeof c === "string" ? c : c.name));
      for (const name of used) expect(declared).toContain(name);
      // The secret is URL-encoded into a fixed URL, so it can never be the URL itself (webhook rules are unverified).
      expect(v.request.url.startsWith("https://")).toBe(true);
      // A host that is all companion (a workspace's own host, issue 16) is tried as a declared host; the run-time
      // check still holds the companion's value to the declared hosts (test/verify/safety.test.ts).
      const template = /^https:\/\/\{\{companion\.[A-Za-z0-9_]+\}\}\//.test(v.request.url) ? v.request.url.replace(/\{\{companion\.[A-Za-z0-9_]+\}\}/, rule.provider.hosts[0]!.replace(/^\*\./, "x.")) : v.request.url;
      const url = new URL(template.replace(/\{\{companion\.[A-Za-z0-9_]+\}\}/g, "x").replace(/\{\{secret\}\}/g, "s"));
      const onHost = (h: string) => (h.startsWith("*.") ? url.hostname.endsWith(h.slice(1)) : url.hostname === h);
      expect(rule.provider.hosts.some(onHost), url.hostname).toBe(true);
    });
  }

  it("never verifies refresh tokens (redeeming them rotates them)", () => {
    for (const id of ["digitalocean.refresh-token", "github.refresh-token", "slack.legacy-token", "slack.config-token"]) {
      expect(ruleset.rules.find((r) => r.id === id)!.verify, id).toBeUndefined();
    }
  });

  it("companion values are found next to the secret (Shopify shop, Cloudflare email, Vonage API key)", () => {
    const cases: [string, Record<string, string>][] = [
      [`SHOPIFY_STORE=acme-outlet.myshopify.com\nSHOPIFY_ACCESS_TOKEN=${gen("shpat_{hex:32}")}\n`, { shop: "acme-outlet" }],
      [`CLOUDFLARE_EMAIL=ops@acme.example\nCLOUDFLARE_API_KEY=${gen("{hex:37}")}\n`, { email: "ops@acme.example" }],
      [`const vonage = new Vonage({ apiKey: "1a2b3c4d", apiSecret: "${gen("{alnum:16}")}" });`, { api_key: "1a2b3c4d" }],
    ];
    for (const [text, expected] of cases) {
      const all = scanText(text, ruleset);
      expect(all).toHaveLength(1);
      expect(resolveCompanions(all[0]!, all, () => new LineIndex(text))).toEqual(expected);
    }
  });
});
