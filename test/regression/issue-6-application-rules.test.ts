// Issue 6 (rule coverage), applications half (AI, observability, SaaS, dev tools, database services): behaviour the
// per-rule examples cannot show on their own — values that are public by design stay quiet, look-alike formats go
// to the right provider, unprefixed keys need their provider's context, keys inside hashes are not keys, and every
// verify request is a free read on the provider's own hosts (never a chat, completion or generation call).
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LineIndex } from "../../src/engine/lines.js";
import { loadRules } from "../../src/engine/load-rules.js";
import { scanText } from "../../src/engine/scan-text.js";
import { generateSecret, seededRandom } from "../../src/engine/template.js";
import { resolveCompanions } from "../../src/engine/companions.js";
import { hostDeclared } from "../../src/verify/safety.js";

const ruleset = loadRules();
const rand = seededRandom("issue-6-applications");
const gen = (template: string) => generateSecret(template, rand);

/** The providers this half of the issue added (one rule file each). */
const APPLICATION_PROVIDERS = new Set([
  "adafruit", "age", "airtable", "algolia", "amplitude", "anthropic", "asana", "assemblyai", "atlassian", "auth0",
  "axiom", "box", "bugsnag", "buildkite", "calendly", "cerebras", "circleci", "clickup", "codecov", "cohere",
  "confluent", "contentful", "datadog", "deepgram", "deepseek", "dropbox", "duffel", "dynatrace", "easypost",
  "elevenlabs", "fal", "figma", "firebase", "fireworks", "frameio", "grafana", "groq", "honeycomb", "hubspot",
  "infracost", "intercom", "jenkins", "langsmith", "launchdarkly", "linear", "logzio", "mapbox", "miro", "mistral",
  "mixpanel", "monday", "mongodb-atlas", "neon", "newrelic", "ngrok", "notion", "octopus", "okta", "onepassword",
  "openai", "openrouter", "opsgenie", "pagerduty", "perplexity", "pinecone", "planetscale", "postman", "prefect",
  "readme", "replicate", "rollbar", "segment", "sentry", "shippo", "snyk", "sonar", "splunk", "stability",
  "sumologic", "tailscale", "together", "travis", "trello", "turso", "twitch", "typeform", "upstash", "voyage",
  "wandb", "webflow", "xai", "zendesk", "zoom", "nvidia", "tavily", "posthog", "modal", "firecrawl",
  "elastic", "salesforce", "pipedrive", "sanity", "statsig", "cloudinary", "sourcegraph", "zapier",
  "checkly", "coralogix",
]);

/** Rule ids of this half's rules that report something in `text`. */
const ids = (text: string) =>
  scanText(text, ruleset)
    .filter((f) => APPLICATION_PROVIDERS.has(f.rule.provider.id))
    .map((f) => f.rule.id);

describe("the application rule files", () => {
  it("are all loaded, one file per provider", () => {
    const files = readdirSync(new URL("../../rules/", import.meta.url)).filter((f) => f.endsWith(".yaml"));
    for (const p of APPLICATION_PROVIDERS) expect(files, p).toContain(`${p}.yaml`);
    const loaded = new Set(ruleset.rules.map((r) => r.provider.id));
    for (const p of APPLICATION_PROVIDERS) expect(loaded.has(p), p).toBe(true);
    expect(ruleset.rules.filter((r) => APPLICATION_PROVIDERS.has(r.provider.id)).length).toBeGreaterThanOrEqual(100);
  });
});

describe("values that are public by design are not reported", () => {
  it("Mapbox public tokens, Sentry DSNs and Firebase web config", () => {
    expect(ids(`mapboxgl.accessToken = "${gen("pk.eyJ{b64url:60}.{b64url:22}")}";`)).toEqual([]);
    expect(ids(`Sentry.init({ dsn: "https://${gen("{hex:32}")}@o${gen("{digits:6}")}.ingest.sentry.io/${gen("{digits:7}")}" });`)).toEqual([]);
    const firebase = `const firebaseConfig = {\n  apiKey: "${gen("AIza{b64url:35}")}",\n  messagingSenderId: "${gen("{digits:12}")}",\n};`;
    expect(ids(firebase)).toEqual([]);
  });

  it("client-side analytics and flag keys, unlike their secret siblings", () => {
    const hex = gen("{hex:32}");
    expect(ids(`ALGOLIA_SEARCH_KEY=${hex}`)).toEqual([]);
    expect(ids(`ALGOLIA_ADMIN_KEY=${hex}`)).toEqual(["algolia.admin-key"]);
    expect(ids(`AMPLITUDE_API_KEY=${hex}`)).toEqual([]);
    expect(ids(`AMPLITUDE_SECRET_KEY=${hex}`)).toEqual(["amplitude.secret-key"]);
    expect(ids(`MIXPANEL_TOKEN=${hex}`)).toEqual([]);
    expect(ids(`ROLLBAR_CLIENT_TOKEN=${hex}`)).toEqual([]);
    expect(ids(`posthog.init("${gen("phc_{alnum:43}")}")`)).toEqual([]);
    expect(ids(`LD_MOBILE_KEY=${gen("mob-{hex:8}-{hex:4}-4{hex:3}-a{hex:3}-{hex:12}")}  # launchdarkly`)).toEqual([]);
  });
});

describe("look-alike formats go to the right provider", () => {
  it("sk-… : the OpenAI marker, Anthropic, OpenRouter, and context-only DeepSeek and Stability", () => {
    expect(ids(`KEY=${gen("sk-proj-{b64url:74}T3BlbkFJ{b64url:74}")}`)).toEqual(["openai.project-key"]);
    expect(ids(`KEY=${gen("sk-{alnum:20}T3BlbkFJ{alnum:20}")}`)).toEqual(["openai.legacy-key"]);
    expect(ids(`KEY=${gen("sk-ant-api03-{b64url:93}AA")}`)).toEqual(["anthropic.api-key"]);
    expect(ids(`# deepseek fallback\nKEY=${gen("sk-or-v1-{hex:64}")}`)).toEqual(["openrouter.api-key"]);
    const bare48 = gen("sk-{alnum:48}");
    expect(ids(`KEY=${bare48}`)).toEqual([]);
    expect(ids(`# stability.ai\nKEY=${bare48}`)).toEqual(["stability.api-key"]);
    const bare32 = gen("sk-{lowernum:32}");
    expect(ids(`KEY=${bare32}`)).toEqual([]);
    expect(ids(`base_url="https://api.deepseek.com"\nKEY=${bare32}`)).toEqual(["deepseek.api-key"]);
  });

  it("sgp_ + 64 alphanumerics is Segment, sgp_ + hex is Sourcegraph", () => {
    expect(ids(`T=${gen("sgp_{alnum:64}")}`)).toEqual(["segment.public-api-token"]);
    expect(ids(`T=${gen("sgp_{hex:16}_{hex:40}")}`)).toEqual(["sourcegraph.access-token"]);
  });

  it("sk_ + 48 hex is ElevenLabs; Tailscale and New Relic kinds are told apart", () => {
    expect(ids(`KEY=${gen("sk_{hex:48}")}`)).toEqual(["elevenlabs.api-key"]);
    const tail = gen("k{alnum:7}CNTRL-{alnum:33}");
    expect(ids(`A=tskey-api-${tail}`)).toEqual(["tailscale.api-token"]);
    expect(ids(`A=tskey-auth-${tail}`)).toEqual(["tailscale.auth-key"]);
    expect(ids(`A=tskey-client-${tail}`)).toEqual(["tailscale.oauth-client-secret"]);
    expect(ids(`A=${gen("NRAK-{uppernum:27}")}\nB=${gen("{hex:36}NRAL")}`)).toEqual(["newrelic.user-api-key", "newrelic.license-key"]);
  });

  it("one finding per secret when several rules could claim it", () => {
    const text = `SENTRY_AUTH_TOKEN=${gen("sntryu_{hex:64}")}\nSONAR_TOKEN=${gen("squ_{hex:40}")}\nDATABASE_PASSWORD=${gen("pscale_pw_{b64url:43}")}`;
    const found = scanText(text, ruleset);
    expect(found.map((f) => f.rule.id)).toEqual(["sentry.user-token", "sonar.user-token", "planetscale.password"]);
  });
});

describe("unprefixed keys need their provider's context", () => {
  it("a 32-hex value is nobody's alone, and the named provider's with its env name", () => {
    const hex = gen("{hex:32}");
    expect(ids(`value = "${hex}"`)).toEqual([]);
    expect(ids(`DD_API_KEY=${hex}`)).toEqual(["datadog.api-key"]);
    expect(ids(`ROLLBAR_ACCESS_TOKEN=${hex}`)).toEqual(["rollbar.access-token"]);
    expect(ids(`ASSEMBLYAI_API_KEY=${hex}`)).toEqual(["assemblyai.api-key"]);
    expect(ids(`PAGERDUTY_ROUTING_KEY=${hex}`)).toEqual(["pagerduty.integration-key"]);
  });

  it("a 40-character alphanumeric value is Cohere's only next to Cohere, and never a camelCase identifier", () => {
    const key = gen("{alnum:39}7");
    expect(ids(`key = "${key}"`)).toEqual([]);
    expect(ids(`import cohere\nkey = "${key}"`)).toEqual(["cohere.api-key"]);
    expect(ids(`// coherent rendering\nconst n = "CLKComplicationTemplateGraphicCircularSt";`)).toEqual([]);
  });
});

describe("prefixes inside hashes and longer tokens are not keys", () => {
  it("base64 digests in pip RECORD files and lock files", () => {
    expect(ids(`pip/_vendor/x/version.py,sha256=qaN-${gen("fw_{alnum:36}")},160`)).toEqual([]);
    expect(ids(`"integrity": "sha512-${gen("{base64:20}")}/${gen("gsk_{alnum:52}")}=="`)).toEqual([]);
  });
});

describe("verify requests are free reads on the provider's own hosts", () => {
  const rules = ruleset.rules.filter((r) => APPLICATION_PROVIDERS.has(r.provider.id) && r.verify);
  const BILLED = /\/(?:chat|completions?|messages|generate|generations|embeddings?|rerank|predictions|images|audio|speech|text-to-speech|transcribe|listen|enqueue|publish)(?:\/|\?|$)/i;

  it("cover most providers", () => {
    expect(new Set(rules.map((r) => r.provider.id)).size).toBeGreaterThanOrEqual(50);
  });

  for (const rule of rules) {
    it(rule.id, () => {
      const req = rule.verify!.request;
      const url = new URL(req.url.replace(/\{\{[^}]+\}\}/g, "x"));
      expect(url.protocol).toBe("https:");
      expect(hostDeclared(url.hostname, rule.provider.hosts), url.hostname).toBe(true);
      expect(url.pathname).not.toMatch(BILLED);
      if (req.method === "POST") expect(req.read_only).toBe(true);
      const needs = [...(req.url + JSON.stringify(req.headers ?? {}) + (req.body ?? "")).matchAll(/\{\{companion\.([A-Za-z0-9_]+)\}\}/g)].map((m) => m[1]);
      const declared = (rule.verify!.companions ?? []).map((c) => (typeof c === "string" ? c : c.name));
      for (const c of needs) expect(declared).toContain(c);
      if (req.body) expect(req.body).not.toMatch(/mutation/i);
    });
  }

  it("Anthropic uses GET /v1/models and Perplexity has no verify", () => {
    const anthropic = ruleset.rules.find((r) => r.id === "anthropic.api-key")!;
    expect(anthropic.verify?.request.method).toBe("GET");
    expect(anthropic.verify?.request.url).toBe("https://api.anthropic.com/v1/models");
    expect(ruleset.rules.find((r) => r.id === "perplexity.api-key")!.verify).toBeUndefined();
  });
});

describe("companion values are found next to the key", () => {
  const companionsFor = (text: string, ruleId: string) => {
    const all = scanText(text, ruleset);
    const t = all.find((f) => f.rule.id === ruleId);
    expect(t, ruleId).toBeDefined();
    return resolveCompanions(t!, all, () => new LineIndex(text));
  };

  it("Datadog: the API key finding beside the application key", () => {
    const api = gen("{hex:32}");
    expect(companionsFor(`DD_API_KEY=${api}\nDD_APP_KEY=${gen("{hex:40}")}\n`, "datadog.app-key")).toEqual({ api_key: api });
  });

  it("Trello: the app key in the same URL; Okta: the org subdomain; Algolia: the application id", () => {
    const appKey = gen("{hex:32}");
    const trello = `fetch("https://api.trello.com/1/members/me?key=${appKey}&token=${gen("ATTA{hex:64}{HEX:8}")}")`;
    expect(companionsFor(trello, "trello.token")).toEqual({ api_key: appKey });
    const okta = `OKTA_ORG_URL=https://acme-prod.okta.com\nOKTA_API_TOKEN=${gen("00{b64url:40}")}`;
    expect(companionsFor(okta, "okta.api-token")).toEqual({ org: "acme-prod" });
    const appId = gen("{uppernum:10}");
    expect(companionsFor(`ALGOLIA_APP_ID=${appId}\nALGOLIA_ADMIN_KEY=${gen("{hex:32}")}`, "algolia.admin-key")).toEqual({ app_id: appId });
  });

  it("no companion, no value: the request stays unverified", () => {
    expect(companionsFor(`DD_APP_KEY=${gen("{hex:40}")}`, "datadog.app-key")).toEqual({});
  });
});
