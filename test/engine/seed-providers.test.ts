// Issue 2: a fixture tree with a synthetic key for each seed provider in each usage form is found with exact
// file/line/column; the same tree with documentation placeholders instead finds nothing; the seed docs are clean.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { loadRules } from "../../src/engine/load-rules.js";
import { scan } from "../../src/scan.js";
import { workingTreeSource } from "../../src/sources/working-tree.js";
import { positionOf, secrets, tempDir, writeTree } from "../helpers.js";

interface Case {
  file: string;
  rule: string;
  usage: string;
  /** File content with SECRET where the key goes, and the template it is generated from. */
  content: string;
  template: string;
  placeholder: string;
}

const CASES: Case[] = [
  // All-Images.ai: api-key header in curl, JS object, Python dict, Go Header.Set, raw HTTP, YAML; env vars.
  { file: "all-images/curl.sh", rule: "all-images.api-key", usage: "header:api-key", template: "{alnum:40}", placeholder: "<your_access_token>",
    content: '#!/bin/sh\ncurl -H "api-key: SECRET" https://api.all-images.ai/v1/api-keys/check\n' },
  { file: "all-images/client.ts", rule: "all-images.api-key", usage: "header:api-key", template: "{b64url:32}", placeholder: "YOUR_API_KEY",
    content: 'export const client = {\n  baseUrl: "https://api.all-images.ai/v1",\n  headers: { "api-key": "SECRET" },\n};\n' },
  { file: "all-images/headers.js", rule: "all-images.api-key", usage: "header:api-key", template: "{alnum:36}", placeholder: "{YOUR_API_KEY}",
    content: 'const h = new Headers();\nh.set("api-key", "SECRET");\nawait fetch("https://api.all-images.ai/v1/credit", { headers: h });\n' },
  { file: "all-images/client.py", rule: "all-images.api-key", usage: "header:api-key", template: "{alnum:40}", placeholder: "YOUR_API_KEY",
    content: 'import requests\n\nBASE = "https://api.all-images.ai/v1"\nHEADERS = {"api-key": "SECRET"}\n' },
  { file: "all-images/main.go", rule: "all-images.api-key", usage: "header:api-key", template: "{alnum:48}", placeholder: "<your_access_token>",
    content: 'package main\n\nfunc call() {\n\treq, _ := http.NewRequest("GET", "https://api.all-images.ai/v1/credit", nil)\n\treq.Header.Set("api-key", "SECRET")\n}\n' },
  { file: "all-images/check.http", rule: "all-images.api-key", usage: "header:api-key", template: "{alnum:40}", placeholder: "<your_access_token>",
    content: "GET /v1/api-keys/check HTTP/1.1\r\nHost: api.all-images.ai\r\napi-key: SECRET\r\n\r\n" },
  { file: "all-images/config.yaml", rule: "all-images.api-key", usage: "header:api-key", template: "{alnum:40}", placeholder: "YOUR_API_KEY",
    content: "all_images:\n  base_url: https://api.all-images.ai/v1\n  api_key: SECRET\n" },
  { file: "all-images/.env", rule: "all-images.api-key", usage: "env:ALL_IMAGES_API_KEY", template: "{alnum:40}", placeholder: "$ALL_IMAGES_API_KEY",
    content: "# all-images\nALL_IMAGES_API_KEY=SECRET\n" },
  // AltTextAI: Bearer near autoalt.app; env var.
  { file: "alttextai/verify.sh", rule: "alttextai.api-key", usage: "header:Authorization", template: "{alnum:40}", placeholder: "YOUR_API_KEY",
    content: 'curl -X POST https://autoalt.app/api/v1/verify-api-key \\\n  -H "Authorization: Bearer SECRET"\n' },
  { file: "alttextai/app.ts", rule: "alttextai.api-key", usage: "header:Authorization", template: "{b64url:44}", placeholder: "<your_access_token>",
    content: 'await fetch("https://autoalt.app/api/v1/generate", {\n  method: "POST",\n  headers: { Authorization: "Bearer SECRET" },\n});\n' },
  { file: "alttextai/deploy.sh", rule: "alttextai.api-key", usage: "env:AUTOALT_API_KEY", template: "{alnum:32}", placeholder: "${{ secrets.AUTOALT_API_KEY }}",
    content: 'export AUTOALT_API_KEY="SECRET"\n' },
  // getimg.ai: key- format anywhere; Bearer near host; env var in .env / process.env fallback / YAML env block; SDK.
  { file: "getimg/const.js", rule: "getimg.api-key", usage: "format", template: "key-{alnum:96}", placeholder: "key-YOUR_API_KEY",
    content: '// image generation\nconst KEY = "SECRET";\n' },
  { file: "getimg/gen.sh", rule: "getimg.api-key", usage: "header:Authorization", template: "sk_{alnum:48}", placeholder: "$GETIMG_API_KEY",
    content: 'curl -X POST https://api.getimg.ai/v2/images/generations \\\n  -H "Authorization: Bearer SECRET" \\\n  -H "Content-Type: application/json"\n' },
  { file: "getimg/.env", rule: "getimg.api-key", usage: "env:GETIMG_API_KEY", template: "sk_{alnum:40}", placeholder: "your_api_key_here",
    content: "GETIMG_API_KEY=SECRET\n" },
  { file: "getimg/fallback.js", rule: "getimg.api-key", usage: "env:GETIMG_API_KEY", template: "sk_{alnum:40}", placeholder: "YOUR_API_KEY",
    content: 'const apiKey = process.env.GETIMG_API_KEY || "SECRET";\n' },
  { file: "getimg/workflow.yml", rule: "getimg.api-key", usage: "env:GETIMG_API_KEY", template: "sk_{alnum:40}", placeholder: "${{ secrets.GETIMG_API_KEY }}",
    content: "jobs:\n  gen:\n    runs-on: ubuntu-latest\n    env:\n      GETIMG_API_KEY: SECRET\n" },
  { file: "getimg/sdk.ts", rule: "getimg.api-key", usage: "sdk:GetimgAI", template: "sk_{alnum:40}", placeholder: "YOUR_API_KEY",
    content: 'import GetimgAI from "getimg-ai";\n\nconst client = new GetimgAI({\n  apiKey: "SECRET",\n});\n' },
  { file: "getimg/sdk.py", rule: "getimg.api-key", usage: "sdk:GetimgAI", template: "{alnum:40}", placeholder: "YOUR_API_KEY",
    content: 'from getimg import GetimgAI\n\nclient = GetimgAI(\n    api_key="SECRET",\n)\n' },
  // Autoenhance.ai: x-api-key near host; SDK constructors; <script api-key>; env.
  { file: "autoenhance/orders.sh", rule: "autoenhance.api-key", usage: "header:x-api-key", template: "{alnum:32}", placeholder: "YOUR_API_KEY",
    content: 'curl "https://api.autoenhance.ai/v3/orders/?per_page=1" -H "x-api-key: SECRET"\n' },
  { file: "autoenhance/sdk.js", rule: "autoenhance.api-key", usage: "sdk:Autoenhance", template: "{alnum:36}", placeholder: "YOUR_API_KEY",
    content: 'import Autoenhance from "@autoenhance.ai/javascript";\nconst ae = new Autoenhance("SECRET");\n' },
  { file: "autoenhance/sdk.py", rule: "autoenhance.api-key", usage: "sdk:Autoenhance", template: "{alnum:36}", placeholder: "YOUR_API_KEY",
    content: "import autoenhance\n\nclient = autoenhance.Autoenhance('SECRET')\n" },
  { file: "autoenhance/index.html", rule: "autoenhance.api-key", usage: "attr:api-key", template: "{hex:32}", placeholder: "YOUR_API_KEY",
    content: '<!doctype html>\n<body>\n  <script src="https://unpkg.com/@autoenhance.ai/web" api-key="SECRET"></script>\n</body>\n' },
  { file: "autoenhance/.env.local", rule: "autoenhance.api-key", usage: "env:AUTOENHANCE_API_KEY", template: "{alnum:32}", placeholder: "<your_access_token>",
    content: "AUTOENHANCE_API_KEY=SECRET\n" },
  // Claid.ai: Bearer near api.claid.ai (raw HTTP); uuid-hex constant with claid context; env.
  { file: "claid/request.http", rule: "claid.api-key", usage: "header:Authorization", template: "{alnum:40}", placeholder: "{YOUR_API_KEY}",
    content: "GET /v1/storage/storage-types HTTP/1.1\nHost: api.claid.ai\nAuthorization: Bearer SECRET\n" },
  { file: "claid/client.py", rule: "claid.api-key", usage: "format", template: "{uuid4hex}", placeholder: "{YOUR_API_KEY}",
    content: 'session.headers["Authorization"] = "Bearer SECRET"  # api.claid.ai\n' },
  { file: "claid/upscale.js", rule: "claid.api-key", usage: "format", template: "{uuid4hex}", placeholder: "YOUR_API_KEY",
    content: "// Claid upscaler\nconst key = 'SECRET';\n" },
  { file: "claid/.env", rule: "claid.api-key", usage: "env:CLAID_API_KEY", template: "{alnum:40}", placeholder: "<your_access_token>",
    content: "NEXT_PUBLIC_CLAID_API_KEY=SECRET\n" },
  // AltText.ai (not AltTextAI): atai_ prefix anywhere.
  { file: "alttext-ai/config.json", rule: "alttext-ai.api-key", usage: "format", template: "atai_{alnum:32}", placeholder: "atai_YOUR_API_KEY",
    content: '{\n  "alttext": { "key": "SECRET" }\n}\n' },
];

const gen = secrets("issue-2-seed-providers");
const planted = CASES.map((c) => ({ ...c, secret: gen(c.template) }));
const ruleset = loadRules();
let leaky: { dir: string; cleanup: () => void };
let clean: { dir: string; cleanup: () => void };

beforeAll(() => {
  leaky = tempDir();
  clean = tempDir();
  writeTree(leaky.dir, Object.fromEntries(planted.map((c) => [c.file, c.content.replace("SECRET", c.secret)])));
  writeTree(clean.dir, Object.fromEntries(planted.map((c) => [c.file, c.content.replace("SECRET", c.placeholder)])));
});
afterAll(() => {
  leaky.cleanup();
  clean.cleanup();
});

describe("issue 2: seed providers in every usage form", () => {
  it("finds each planted key with the right rule, file, line and columns — and nothing else", async () => {
    const result = await scan(workingTreeSource({ paths: ["."], cwd: leaky.dir, maxFileSize: 1 << 20 }), ruleset);
    const expected = planted
      .map((c) => {
        const text = c.content.replace("SECRET", c.secret);
        const p = positionOf(text, c.secret);
        return { path: c.file, ruleId: c.rule, usage: c.usage, line: p.line, column: p.column, endLine: p.line, endColumn: p.endColumn, secret: c.secret };
      })
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const actual = result.findings.map((f) => ({ path: f.path, ruleId: f.ruleId, usage: f.usage, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn, secret: f.secret }));
    expect(actual).toEqual(expected);
  });

  it("finds nothing when the same tree holds documentation placeholders", async () => {
    const result = await scan(workingTreeSource({ paths: ["."], cwd: clean.dir, maxFileSize: 1 << 20 }), ruleset);
    expect(result.findings).toEqual([]);
    expect(result.stats.scanned).toBe(CASES.length);
  });

  it("reports nothing in the seed documentation pages (exit 0)", async () => {
    // fixtures/seeds is a verbatim copy of ../shared/seeds (the five provider pages), so the test runs anywhere.
    const seeds = resolve(__dirname, "../../fixtures/seeds");
    const r = await run([seeds], { cwd: process.cwd(), env: {} });
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/no secrets found in [6-9] files/);
  });

  it("the demo in fixtures/demo finds one key per provider", async () => {
    const r = await run(["fixtures/demo", "--format", "json"], { cwd: resolve(__dirname, "../.."), env: {} });
    expect(r.exitCode).toBe(1);
    const json = JSON.parse(r.stdout) as { findings: Array<{ provider: string }> };
    expect(new Set(json.findings.map((f) => f.provider))).toEqual(new Set(["all-images", "alttextai", "alttext-ai", "getimg", "autoenhance", "claid"]));
    // The demo's docs.md holds only placeholders.
    expect(readFileSync(join(resolve(__dirname, "../.."), "fixtures/demo/docs.md"), "utf8")).toContain("<your_access_token>");
  });
});
