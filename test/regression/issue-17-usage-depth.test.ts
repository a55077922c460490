// Issue 17, items 1 and 2 and the SQL dumps of item 4: a credential is found however the code around it writes it.
// A fixture tree is written at test time with generated secrets and scanned by the real CLI (dist/cli/bin.js
// --format json); each planted secret must be reported once, with its rule id, at its exact line and column, and
// nothing else may be reported — in particular not the placeholder twins (the same forms holding references,
// placeholders and defaults), which live under `ph/`.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomness } from "../../src/engine/filters/randomness.js";
import { positionOf, secrets, tempDir, writeTree } from "../helpers.js";

const root = resolve(__dirname, "../..");
const bin = join(root, "dist/cli/bin.js");
const gen = secrets("issue-17-usage-depth");
/** A generated secret that the generic rules' randomness test accepts (as a real generated key would be). */
const key = (template = "{alnum:24}"): string => {
  for (;;) {
    const s = gen(template);
    if (randomness(s).random) return s;
  }
};

interface Planted {
  path: string;
  rule: string;
  secret: string;
  /** The expected usage (how it was found), when the test checks it. */
  usage?: string;
  /** Where the report puts it, when not at the secret itself (a concatenated PEM: the whole expression). */
  at?: string;
}

const files: Record<string, string> = {};
const planted: Planted[] = [];
type Part = string | { rule: string; secret: string; usage?: string; at?: string };

/** A file whose parts are text or planted secrets. */
function plant(path: string, parts: readonly Part[]): void {
  let text = "";
  for (const p of parts) {
    if (typeof p === "string") text += p;
    else {
      planted.push({ path, ...p });
      text += p.secret;
    }
  }
  files[path] = text;
}
const S = (rule: string, secret = key(), usage?: string): Part => ({ rule, secret, ...(usage ? { usage } : {}) });

// ---------------------------------------------------------------------------------------------------------------
// Item 2: assignments as every language writes them (no provider in sight: the generic rules).
plant("forms/config.php", ["<?php\n$password = \"", S("generic.secret-assignment"), "\";\ndefine('API_SECRET', '", S("generic.secret-named-argument"), "');\n"]);
plant("forms/deploy.pl", ["use strict;\nmy $api_token = '", S("generic.secret-assignment"), "';\n"]);
plant("forms/backup.sh", [
  "#!/bin/sh\nDB_PASSWORD=\"", S("generic.secret-assignment"), "\"\n",
  "mysqldump -h db.internal -u backup -p", S("generic.cli-password", gen("{lower:6}{digits:2}")), " shop > shop.sql\n",
  "psql --host db.internal --password ", S("generic.cli-secret-flag"), " reports\n",
  "curl -u deploy:", S("generic.cli-password", gen("{lower:7}{digits:3}")), " https://ci.example.com/job/build\n",
  "sshpass -p '", S("generic.cli-password", gen("{alnum:12}")), "' ssh deploy@web01\n",
]);
plant("forms/Db.java", ["Properties props = new Properties();\nprops.setProperty(\"user\", \"app\");\nprops.setProperty(\"password\", \"", S("generic.secret-named-argument"), "\");\n"]);
plant("forms/Mail.cs", ["var smtp = new SmtpClient(\"smtp.example.com\");\nsmtp.Credentials = new NetworkCredential(user, \"", S("generic.credential-pair"), "\");\n"]);
plant("forms/app.config.xml", [
  "<configuration>\n  <database>\n    <user>app</user>\n    <password>", S("generic.secret-element"), "</password>\n  </database>\n",
  "  <smtp host=\"smtp.example.com\" password=\"", S("generic.secret-assignment"), "\" />\n",
  "  <appSettings>\n    <add key=\"SmtpPassword\" value=\"", S("generic.secret-named-argument"), "\" />\n  </appSettings>\n</configuration>\n",
]);
plant("forms/client.py", [
  "import requests\n\nclient.login(user, password=\"", S("generic.secret-assignment"), "\")\n",
  "r = requests.get(url, auth=(\"svc\", \"", S("generic.credential-pair"), "\"))\n",
  "headers = {\"X-API-Key\": \"", S("generic.secret-named-argument"), "\"}\n",
]);
plant("forms/client.go", [
  "package main\n\nfunc call(req *http.Request) {\n\treq.Header.Set(\"X-Api-Key\", \"", S("generic.secret-named-argument"), "\")\n",
  "\treq.Header.Set(\"Api-Key\", \"", S("generic.secret-named-argument"), "\")\n}\n",
]);
plant("forms/client.js", [
  "headers[\"x-api-key\"] = \"", S("generic.secret-assignment"), "\";\n",
  "const body = \"{\\\"apiKey\\\":\\\"", S("generic.secret-assignment"), "\\\"}\";\n",
]);
// A PEM key assembled from quoted pieces, reported over the whole expression (from its first quote).
function pemParts(join: string, indent: string): { text: string; body: string } {
  const lines = [`MII${gen("{base64:61}")}`, gen("{base64:64}"), gen("{base64:64}"), gen("{base64:40}")];
  const text = ["\"-----BEGIN PRIVATE KEY-----\\n\"", ...lines.map((l) => `"${l}\\n"`), "\"-----END PRIVATE KEY-----\\n\""].join(`${join}\n${indent}`);
  return { text, body: lines.join("\n") };
}
for (const [path, head, join, indent, tail] of [
  ["forms/key.js", "// test key\nconst pem = ", " +", "  ", ";\n"],
  ["forms/key.py", "KEY = (", "", "       ", ")\n"],
] as const) {
  const pem = pemParts(join, indent);
  files[path] = `${head}${pem.text}${tail}`;
  planted.push({ path, rule: "private-key.pem", secret: pem.body, at: pem.text });
}

// ---------------------------------------------------------------------------------------------------------------
// Item 1: usage context across the file, and one hop through an identifier. For each seed provider and each
// language, two files: (a) the key written into the header, the provider's host declared 20+ lines above it;
// (b) the key assigned to an identifier first and the header using the identifier, the host again 20+ lines away.
interface Provider {
  rule: string;
  host: string;
  header: string;
  scheme?: string;
  key: string;
  /** The provider has a standalone format: the key is found by it wherever it is (usage `format`). */
  format?: boolean;
}
const providers: Provider[] = [
  { rule: "all-images.api-key", host: "api.all-images.ai", header: "api-key", key: "{alnum:40}" },
  { rule: "alttextai.api-key", host: "autoalt.app", header: "Authorization", scheme: "Bearer", key: "{alnum:40}" },
  { rule: "getimg.api-key", host: "api.getimg.ai", header: "Authorization", scheme: "Bearer", key: "key-{alnum:96}", format: true },
  { rule: "autoenhance.api-key", host: "api.autoenhance.ai", header: "x-api-key", key: "{alnum:32}" },
  { rule: "claid.api-key", host: "api.claid.ai", header: "Authorization", scheme: "Bearer", key: "{uuid4hex}" },
  { rule: "alttext-ai.api-key", host: "alttext.ai", header: "X-API-Key", key: "atai_{alnum:32}", format: true },
];

/** A language: how it declares the host and the key, writes a filler line, and sets the header. */
interface Language {
  ext: string;
  /** The identifier the key is held in, as used at the header, and the name the finding reports. */
  ident: string;
  name: string;
  host(h: string): string;
  key(k: string): string;
  filler(i: number): string;
  /** The header line with the literal key (`value` is scheme + key). */
  literal(header: string, value: string): string;
  /** The header line with the identifier. */
  byName(header: string, scheme: string | undefined): string;
  wrap?(lines: string[]): string;
}
const sp = (scheme: string | undefined) => (scheme ? `${scheme} ` : "");
const languages: Language[] = [
  {
    ext: "py", ident: "SERVICE_TOKEN", name: "SERVICE_TOKEN",
    host: (h) => `BASE_URL = "https://${h}"`, key: (k) => `SERVICE_TOKEN = "${k}"`, filler: (i) => `# step ${i}: build the request`,
    literal: (h, v) => `headers = {"${h}": "${v}"}`,
    byName: (h, s) => (s ? `headers = {"${h}": f"${s} {SERVICE_TOKEN}"}` : `headers = {"${h}": SERVICE_TOKEN}`),
  },
  {
    ext: "js", ident: "serviceToken", name: "serviceToken",
    host: (h) => `const BASE_URL = "https://${h}";`, key: (k) => `const serviceToken = "${k}";`, filler: (i) => `// step ${i}: build the request`,
    literal: (h, v) => `const headers = { "${h}": "${v}" };`,
    byName: (h, s) => (s ? `const headers = { "${h}": \`${s} \${serviceToken}\` };` : `const headers = { "${h}": serviceToken };`),
  },
  {
    ext: "ts", ident: "this.serviceToken", name: "serviceToken",
    host: (h) => `const BASE_URL: string = "https://${h}";`, key: (k) => `  private readonly serviceToken: string = "${k}";`, filler: (i) => `  // step ${i}: build the request`,
    literal: (h, v) => `    return fetch(\`\${BASE_URL}/v1\`, { headers: { "${h}": "${v}" } });`,
    byName: (h, s) => `    return fetch(\`\${BASE_URL}/v1\`, { headers: { "${h}": ${s ? `\`${s} \${this.serviceToken}\`` : "this.serviceToken"} } });`,
    wrap: (lines) => [lines[0], "export class Client {", ...lines.slice(1), "}"].join("\n"),
  },
  {
    ext: "go", ident: "serviceToken", name: "serviceToken",
    host: (h) => `const baseURL = "https://${h}"`, key: (k) => `const serviceToken = "${k}"`, filler: (i) => `// step ${i}: build the request`,
    literal: (h, v) => `\treq.Header.Set("${h}", "${v}")`,
    byName: (h, s) => (s ? `\treq.Header.Set("${h}", "${s} "+serviceToken)` : `\treq.Header.Set("${h}", serviceToken)`),
    wrap: (lines) => ["package client", "", ...lines].join("\n"),
  },
  {
    ext: "java", ident: "SERVICE_TOKEN", name: "SERVICE_TOKEN",
    host: (h) => `    private static final String BASE_URL = "https://${h}";`, key: (k) => `    private static final String SERVICE_TOKEN = "${k}";`, filler: (i) => `    // step ${i}: build the request`,
    literal: (h, v) => `        HttpRequest req = HttpRequest.newBuilder(URI.create(BASE_URL)).header("${h}", "${v}").build();`,
    byName: (h, s) => `        HttpRequest req = HttpRequest.newBuilder(URI.create(BASE_URL)).header("${h}", ${s ? `"${s} " + SERVICE_TOKEN` : "SERVICE_TOKEN"}).build();`,
    wrap: (lines) => ["public class Client {", ...lines, "}"].join("\n"),
  },
  {
    ext: "cs", ident: "serviceToken", name: "serviceToken",
    host: (h) => `    private const string BaseUrl = "https://${h}";`, key: (k) => `    private static readonly string serviceToken = "${k}";`, filler: (i) => `    // step ${i}: build the request`,
    literal: (h, v) => `        request.Headers.Add("${h}", "${v}");`,
    byName: (h, s) => `        request.Headers.Add("${h}", ${s ? `$"${s} {serviceToken}"` : "serviceToken"});`,
    wrap: (lines) => ["public class Client {", ...lines, "}"].join("\n"),
  },
  {
    ext: "php", ident: "$serviceToken", name: "serviceToken",
    host: (h) => `$baseUrl = 'https://${h}';`, key: (k) => `$serviceToken = '${k}';`, filler: (i) => `// step ${i}: build the request`,
    literal: (h, v) => `curl_setopt($ch, CURLOPT_HTTPHEADER, ['${h}: ${v}']);`,
    byName: (h, s) => (s ? `curl_setopt($ch, CURLOPT_HTTPHEADER, ["${h}: ${s} $serviceToken"]);` : `curl_setopt($ch, CURLOPT_HTTPHEADER, ['${h}: ' . $serviceToken]);`),
    wrap: (lines) => ["<?php", ...lines].join("\n"),
  },
  {
    ext: "rb", ident: "SERVICE_TOKEN", name: "SERVICE_TOKEN",
    host: (h) => `BASE_URL = "https://${h}"`, key: (k) => `SERVICE_TOKEN = "${k}"`, filler: (i) => `# step ${i}: build the request`,
    literal: (h, v) => `req["${h}"] = "${v}"`,
    byName: (h, s) => (s ? `req["${h}"] = "${s} #{SERVICE_TOKEN}"` : `req["${h}"] = SERVICE_TOKEN`),
  },
  {
    ext: "rs", ident: "SERVICE_TOKEN", name: "SERVICE_TOKEN",
    host: (h) => `const BASE_URL: &str = "https://${h}";`, key: (k) => `const SERVICE_TOKEN: &str = "${k}";`, filler: (i) => `// step ${i}: build the request`,
    literal: (h, v) => `    let res = client.get(BASE_URL).header("${h}", "${v}").send()?;`,
    byName: (h, s) => `    let res = client.get(BASE_URL).header("${h}", ${s ? `format!("${s} {}", SERVICE_TOKEN)` : "SERVICE_TOKEN"}).send()?;`,
  },
  {
    ext: "sh", ident: "SERVICE_TOKEN", name: "SERVICE_TOKEN",
    host: (h) => `BASE_URL="https://${h}"`, key: (k) => `SERVICE_TOKEN="${k}"`, filler: (i) => `# step ${i}: build the request`,
    literal: (h, v) => `curl -s -H "${h}: ${v}" "$BASE_URL/v1/check"`,
    byName: (h, s) => `curl -s -H "${h}: ${sp(s)}$SERVICE_TOKEN" "$BASE_URL/v1/check"`,
    wrap: (lines) => ["#!/bin/sh", ...lines].join("\n"),
  },
  {
    ext: "yaml", ident: "service_token", name: "service_token",
    host: (h) => `base_url: https://${h}`, key: (k) => `service_token: ${k}`, filler: (i) => `step_${i}: prepare`,
    literal: (h, v) => `  ${h}: ${v}`,
    byName: (h, s) => `  ${h}: "${sp(s)}\${service_token}"`,
    wrap: (lines) => [...lines.slice(0, -1), "headers:", lines[lines.length - 1]].join("\n"),
  },
  {
    ext: "xml", ident: "serviceToken", name: "serviceToken",
    host: (h) => `  <baseUrl>https://${h}</baseUrl>`, key: (k) => `  <property name="serviceToken" value="${k}"/>`, filler: (i) => `  <!-- step ${i}: build the request -->`,
    literal: (h, v) => `  <header name="${h}" value="${v}"/>`,
    byName: (h, s) => `  <header name="${h}" value="${sp(s)}\${serviceToken}"/>`,
    wrap: (lines) => ["<client>", ...lines, "</client>"].join("\n"),
  },
  {
    ext: "properties", ident: "service.token", name: "service.token",
    host: (h) => `service.base-url=https://${h}`, key: (k) => `service.token=${k}`, filler: (i) => `# step ${i}: build the request`,
    literal: (h, v) => `service.header.${h}=${v}`,
    byName: (h, s) => `service.header.${h}=${sp(s)}\${service.token}`,
  },
  {
    ext: "tf", ident: "local.service_token", name: "service_token",
    host: (h) => `  base_url = "https://${h}"`, key: (k) => `  service_token = "${k}"`, filler: (i) => `  # step ${i}: build the request`,
    literal: (h, v) => `    "${h}" = "${v}"`,
    byName: (h, s) => `    "${h}" = "${sp(s)}\${local.service_token}"`,
    wrap: (lines) => ["locals {", ...lines.slice(0, -1), "}", 'data "http" "check" {', '  url = "${local.base_url}/v1"', "  request_headers = {", lines[lines.length - 1], "  }", "}"].join("\n"),
  },
];
/** The Python lines as a notebook's code cell: JSON strings, quotes escaped. */
const notebook = (lines: string[]): string =>
  JSON.stringify({ cells: [{ cell_type: "code", metadata: {}, source: lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l)) }], metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1);
languages.push({ ...languages[0]!, ext: "ipynb", wrap: notebook });

for (const p of providers) {
  const id = p.rule.split(".")[0]!;
  for (const lang of languages) {
    const filler = (from: number, n: number) => Array.from({ length: n }, (_, i) => lang.filler(from + i));
    const wrap = lang.wrap ?? ((lines: string[]) => lines.join("\n"));
    // (a) The literal in the header, the host 22 lines above it.
    {
      const secret = gen(p.key);
      const lines = [lang.host(p.host), ...filler(1, 22), lang.literal(p.header, `${sp(p.scheme)}${secret}`)];
      const path = `depth/${id}/far.${lang.ext}`;
      files[path] = `${wrap(lines)}\n`;
      planted.push({ path, rule: p.rule, secret, usage: p.format ? "format" : `header:${p.header}` });
    }
    // (b) The key held in an identifier 6 lines below the host; the header uses the identifier 20 lines further on.
    {
      const secret = gen(p.key);
      const lines = [lang.host(p.host), ...filler(1, 5), lang.key(secret), ...filler(6, 20), lang.byName(p.header, p.scheme)];
      const path = `depth/${id}/by-name.${lang.ext}`;
      files[path] = `${wrap(lines)}\n`;
      planted.push({ path, rule: p.rule, secret, usage: p.format ? "format" : `header:${p.header}→${lang.name}` });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Item 1, by name beyond HTTP header names: env usages, SDK shorthand, C#'s AuthenticationHeaderValue, one-word
// header names (only in a file that names the provider's host), and Go's typed `var`/`const`. The key is assigned
// 10+ lines from its use and the host (where one is needed) 20+ lines away, so only the one hop can find it.
const lines = (from: number, n: number, comment = "//") => Array.from({ length: n }, (_, i) => `${comment} step ${from + i}\n`).join("");
const bunnyKey = () => [gen("{hex:8}"), gen("{hex:4}"), gen("{hex:4}"), gen("{hex:4}"), gen("{hex:20}"), gen("{hex:4}"), gen("{hex:4}"), gen("{hex:4}"), gen("{hex:12}")].join("-");
const imagesEnv = (name: string) => `env:ALL_IMAGES_API_KEY→${name}`;
plant("byname/env.py", ["import os\n\nimages_token = \"", S("all-images.api-key", gen("{alnum:40}"), imagesEnv("images_token")), "\"\n", lines(1, 12, "#"), "os.environ[\"ALLIMAGES_API_KEY\"] = images_token\n"]);
plant("byname/env.js", ["const imagesToken = \"", S("all-images.api-key", gen("{alnum:40}"), imagesEnv("imagesToken")), "\";\n", lines(1, 12), "process.env.ALL_IMAGES_API_KEY = imagesToken;\n"]);
plant("byname/env.sh", [
  "#!/bin/sh\nimages_token='", S("all-images.api-key", gen("{alnum:40}"), imagesEnv("images_token")), "'\n",
  "fallback_token=\"", S("all-images.api-key", gen("{alnum:40}"), imagesEnv("fallback_token")), "\"\n", lines(1, 12, "#"),
  "export ALL_IMAGES_API_KEY=$images_token\nALLIMAGESAI_API_KEY=\"${fallback_token}\" ./render.sh\n",
]);
plant("byname/env.go", [
  "package main\n\nimport \"os\"\n\nvar imagesToken string = \"", S("all-images.api-key", gen("{alnum:40}"), imagesEnv("imagesToken")), "\"\n", lines(1, 12),
  "func init() { os.Setenv(\"ALL_IMAGES_API_KEY\", imagesToken) }\n",
]);
plant("byname/env.rb", ["IMAGES_TOKEN = \"", S("all-images.api-key", gen("{alnum:40}"), imagesEnv("IMAGES_TOKEN")), "\"\n", lines(1, 12, "#"), "ENV[\"ALL_IMAGES_API_KEY\"] = IMAGES_TOKEN\n"]);
// Go's typed declarations, resolved for a header 20+ lines away from both the key and the host.
plant("byname/typed.go", [
  "package client\n\nconst baseURL = \"https://api.autoenhance.ai\"\n\nvar enhanceToken string = \"", S("autoenhance.api-key", gen("{alnum:32}"), "header:x-api-key→enhanceToken"), "\"\n",
  "const uploadToken string = \"", S("autoenhance.api-key", gen("{alnum:32}"), "header:x-api-key→uploadToken"), "\"\n", lines(1, 22),
  "func call(req, up *http.Request) {\n\treq.Header.Set(\"x-api-key\", enhanceToken)\n\tup.Header.Set(\"x-api-key\", uploadToken)\n}\n",
]);
// SDK constructors given an identifier: shorthand `{ apiKey }` and `{ apiKey: key }`.
plant("byname/sdk.js", [
  "import { Autoenhance } from \"@autoenhance.ai/javascript\";\n", lines(1, 4), "const apiKey = \"", S("autoenhance.api-key", gen("{alnum:32}"), "sdk:Autoenhance→apiKey"), "\";\n",
  "const backupKey = \"", S("autoenhance.api-key", gen("{alnum:32}"), "sdk:Autoenhance→backupKey"), "\";\n", lines(5, 12),
  "export const client = new Autoenhance({ apiKey, timeout: 30 });\nexport const backup = new Autoenhance({ apiKey: backupKey });\n",
]);
// C#: `new AuthenticationHeaderValue("Bearer", …)` with the literal and with an identifier; the host 22 lines away.
plant("byname/Client.cs", [
  "public class Client {\n    private const string BaseUrl = \"https://autoalt.app\";\n    private static readonly string altToken = \"",
  S("alttextai.api-key", gen("{alnum:40}"), "header:Authorization→altToken"), "\";\n", lines(1, 22, "    //"),
  "    void Use(HttpClient http) {\n        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(\"Bearer\", altToken);\n",
  "        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(\"Bearer\", \"", S("alttextai.api-key", gen("{alnum:40}"), "header:Authorization"), "\");\n    }\n}\n",
]);
// One-word header names whose rule wants the host: bunny.net's `AccessKey`, Qase's `Token`.
plant("byname/bunny.js", [
  "const BASE = \"https://api.bunny.net\";\n", lines(1, 10), "const cdnKey = \"", S("bunny-net.api-key", bunnyKey(), "header:AccessKey→cdnKey"), "\";\n", lines(11, 12),
  "fetch(`${BASE}/pullzone`, { headers: { AccessKey: cdnKey } });\n",
]);
plant("byname/qase.py", [
  "BASE = \"https://api.qase.io/v1\"\n", lines(1, 10, "#"), "qa_secret = \"", S("qase.api-token", gen("{alnum:40}"), "header:Token→qa_secret"), "\"\n", lines(11, 12, "#"),
  "requests.get(f\"{BASE}/project\", headers={\"Token\": qa_secret})\n",
]);
// Without the provider's host in the file a one-word header name is just a field: only the generic rule, if any
// (ph/byname/no-host.js: nothing at all).
plant("byname/no-host.py", ["qa_secret = \"", S("generic.secret-assignment", key("{alnum:40}")), "\"\n", lines(1, 12, "#"), "requests.get(url, headers={\"Token\": qa_secret})\n"]);

// ---------------------------------------------------------------------------------------------------------------
// Item 4's database dumps: plaintext password columns of INSERT and COPY statements (any human password counts).
const human = () => gen("{lower:6}{digits:2}");
plant("dumps/shop.sql", [
  "-- MySQL dump 10.13\n\nINSERT INTO `users` (`id`, `email`, `password`, `created_at`) VALUES\n",
  "(1, 'ann@example.com', '", { rule: "sql-dump.plaintext-password", secret: human(), usage: "sql-column:password" }, "', NOW()),\n",
  "(2, 'o''brien@example.com', '", { rule: "sql-dump.plaintext-password", secret: human(), usage: "sql-column:password" }, "', '2024-01-05 10:00:00'),\n",
  "(3, 'cy@example.com', NULL, NULL);\n",
  "INSERT INTO settings (name, value) VALUES ('theme', 'dark');\n",
]);
plant("dumps/legacy.sql", [
  "-- mysqldump, default options: no column list in the INSERT\nDROP TABLE IF EXISTS `wp_users`;\nCREATE TABLE `wp_users` (\n",
  "  `ID` bigint(20) unsigned NOT NULL AUTO_INCREMENT,\n  `user_login` varchar(60) NOT NULL DEFAULT '',\n  `user_pass` varchar(255) NOT NULL DEFAULT '',\n",
  "  `user_email` varchar(100) NOT NULL DEFAULT '',\n  PRIMARY KEY (`ID`),\n  KEY `user_login_key` (`user_login`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\n",
  "LOCK TABLES `wp_users` WRITE;\nINSERT INTO `wp_users` VALUES (1,'admin','", { rule: "sql-dump.plaintext-password", secret: human(), usage: "sql-column:user_pass" },
  "','admin@example.com'),(2,'editor','", { rule: "password-hash.phpass", secret: `$P$B${gen("{b64url:30}").replace(/[-_]/g, ".")}` },
  "','ed@example.com');\nUNLOCK TABLES;\n",
]);
plant("dumps/app.dump", [
  "--\n-- PostgreSQL database dump\n--\n\nCOPY public.accounts (id, login, user_password, active) FROM stdin;\n",
  "1\troot\t", { rule: "sql-dump.plaintext-password", secret: gen("{alnum:14}"), usage: "sql-column:user_password" }, "\tt\n",
  "2\tguest\t\\N\tf\n",
  "3\tops\t", { rule: "sql-dump.plaintext-password", secret: human(), usage: "sql-column:user_password" }, "\tt\n",
  "\\.\n",
]);

// A hash in a password column is not plaintext: the password-hash rules report it, as anywhere else.
plant("dumps/hashed.sql", [
  "INSERT INTO users (id, email, password) VALUES\n(1, 'a@example.com', '",
  { rule: "password-hash.bcrypt", secret: `$2b$12$${gen("{b64url:53}").replace(/[-_]/g, ".")}` },
  "'),\n(2, 'b@example.com', '", { rule: "password-hash.django-pbkdf2", secret: `pbkdf2_sha256$600000$${gen("{alnum:12}")}$${gen("{base64:43}")}=` }, "');\n",
]);

// Their placeholder twins: the same files with the documentation's fill-ins where the key goes.
const depthTwins: Record<string, string> = {};
for (const p of providers.filter((x) => !x.format)) {
  const id = p.rule.split(".")[0]!;
  for (const lang of languages) {
    const filler = (from: number, n: number) => Array.from({ length: n }, (_, i) => lang.filler(from + i));
    const wrap = lang.wrap ?? ((lines: string[]) => lines.join("\n"));
    depthTwins[`ph/depth/${id}/far.${lang.ext}`] = `${wrap([lang.host(p.host), ...filler(1, 22), lang.literal(p.header, `${sp(p.scheme)}YOUR_API_KEY_HERE`)])}\n`;
    depthTwins[`ph/depth/${id}/by-name.${lang.ext}`] = `${wrap([lang.host(p.host), ...filler(1, 5), lang.key("<your-api-key>"), ...filler(6, 20), lang.byName(p.header, p.scheme)])}\n`;
  }
}

const placeholders: Record<string, string> = {
  "ph/forms/config.php": "<?php\n$password = $_ENV['DB_PASSWORD'];\ndefine('API_SECRET', getenv('API_SECRET'));\ndefine('DB_PASSWORD', 'password_here');\n",
  "ph/forms/deploy.pl": "my $api_token = $ENV{API_TOKEN};\n",
  "ph/forms/backup.sh":
    "DB_PASSWORD=\"${DB_PASSWORD:-}\"\nmysqldump -u backup -p shop > shop.sql\nmysql -uroot -p$MYSQL_ROOT_PASSWORD\nmysql -u root -proot\n" +
    "psql --password \"$PGPASSWORD\" reports\ncurl -u \"$CI_USER:$CI_TOKEN\" https://ci.example.com\ncurl -u admin:admin http://localhost:8080\nsshpass -p \"$SSHPASS\" ssh web01\n",
  "ph/forms/Db.java": "props.setProperty(\"password\", System.getenv(\"DB_PASSWORD\"));\nprops.setProperty(\"password\", \"${db.password}\");\n",
  "ph/forms/Mail.cs": "smtp.Credentials = new NetworkCredential(user, password);\nnew NetworkCredential(\"user\", \"password\");\n",
  "ph/forms/app.config.xml": "<password>${env.DB_PASSWORD}</password>\n<smtp password=\"${SMTP_PASSWORD}\" />\n<add key=\"SmtpPassword\" value=\"\" />\n<passwordPolicy>MinimumLength12Chars</passwordPolicy>\n",
  "ph/forms/client.py": "client.login(user, password=os.environ[\"PASSWORD\"])\nrequests.get(url, auth=(\"user\", \"pass\"))\nheaders = {\"X-API-Key\": api_key}\n",
  "ph/forms/client.go": "req.Header.Set(\"X-Api-Key\", apiKey)\nreq.Header.Set(\"X-Request-Id\", \"Zq81bC0xL9vTe5WmNf27Hd\")\n",
  "ph/forms/client.js": "headers[\"x-api-key\"] = process.env.API_KEY;\nconst body = \"{\\\"apiKey\\\":\\\"${API_KEY}\\\"}\";\n",
  "ph/dumps/hashed.sql": "INSERT INTO users (id, email, password) VALUES\n(3, 'c@example.com', '5f4dcc3b5aa765d61d8327deb882cf99'),\n(4, 'd@example.com', 'changeme'),\n(5, 'e@example.com', NULL);\n",
  "ph/dumps/hashed.dump": "COPY public.users (id, email, password) FROM stdin;\n1\ta@example.com\t$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$Vh3m2N0y8Kx1Qe7r4T5u6W9z0A1b2C3d\n2\tb@example.com\t\\N\n\\.\n",
  "ph/dumps/seed.ts": "db.query(\"INSERT INTO users (id, email, password) VALUES (1, 'a@example.com', 'hunter22')\");\n",
  // By name beyond headers: references that resolve to nothing, placeholders, and one-word headers with no host.
  "ph/byname/env.py": "images_token = os.environ.get(\"IMAGES\")\nos.environ[\"ALLIMAGES_API_KEY\"] = images_token\nos.environ[\"ALL_IMAGES_API_KEY\"] = None\n",
  "ph/byname/env.sh": "images_token=\"<your-api-key>\"\nexport ALL_IMAGES_API_KEY=$images_token\nexport ALL_IMAGES_API_KEY=$ALL_IMAGES_API_KEY\n",
  "ph/byname/env.js": "const imagesToken = \"YOUR_API_KEY_HERE\";\nprocess.env.ALL_IMAGES_API_KEY = imagesToken;\nif (process.env.ALL_IMAGES_API_KEY == imagesToken) {}\n",
  "ph/byname/no-host.js": `const cdnKey = "${bunnyKey()}";\n${lines(1, 12)}fetch(url, { headers: { AccessKey: cdnKey } });\n`,
  "ph/byname/sdk.js": "const apiKey = process.env.AUTOENHANCE_API_KEY;\nconst client = new Autoenhance({ apiKey });\n",
  "ph/byname/Client.cs": "// https://autoalt.app\nprivate static readonly string altToken = Environment.GetEnvironmentVariable(\"ALT\");\nnew AuthenticationHeaderValue(\"Bearer\", altToken);\nnew AuthenticationHeaderValue(\"Bearer\", \"<YOUR_API_KEY>\");\n",
  "ph/forms/key.js": "const pem = \"-----BEGIN PRIVATE KEY-----\\n\" +\n  \"...\\n\" +\n  \"-----END PRIVATE KEY-----\\n\";\n",
};

type Finding = { ruleId: string; path: string; line: number; column: number; secret: string; confidence: string; usage: string };

describe("issue 17: usage depth and assignment forms", () => {
  const t = tempDir("keyscan-issue17-depth-");
  let findings: Finding[] = [];
  let status: number | null = null;

  beforeAll(() => {
    expect(existsSync(bin), "build first: npm run build").toBe(true);
    writeTree(t.dir, { ...files, ...placeholders, ...depthTwins });
    const out = spawnSync(process.execPath, [bin, ".", "--format", "json", "--no-redact"], { cwd: t.dir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    status = out.status;
    findings = (JSON.parse(out.stdout) as { findings: Finding[] }).findings;
  });
  afterAll(() => t.cleanup());

  it("exits 1 (findings)", () => {
    expect(status).toBe(1);
  });

  for (const p of planted) {
    it(`finds ${p.rule}${p.usage ? ` (${p.usage})` : ""} in ${p.path}`, () => {
      const at = positionOf(files[p.path]!, p.at ?? p.secret);
      const match = findings.filter((f) => f.path === p.path && f.secret === p.secret);
      expect(match.map((f) => [f.ruleId, f.line, f.column, ...(p.usage ? [f.usage] : [])])).toEqual([[p.rule, at.line, at.column, ...(p.usage ? [p.usage] : [])]]);
    });
  }

  it("reports no placeholder twin, and nothing that was not planted", () => {
    const expected = new Set(planted.map((p) => `${p.path}\u0000${p.secret}`));
    const extra = findings.filter((f) => !expected.has(`${f.path}\u0000${f.secret}`)).map((f) => `${f.path}:${f.line} ${f.ruleId} ${f.usage}`);
    expect(extra).toEqual([]);
    expect(findings).toHaveLength(planted.length);
  });
});
