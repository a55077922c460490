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
  "ph/forms/key.js": "const pem = \"-----BEGIN PRIVATE KEY-----\\n\" +\n  \"...\\n\" +\n  \"-----END PRIVATE KEY-----\\n\";\n",
};

type Finding = { ruleId: string; path: string; line: number; column: number; secret: string; confidence: string; usage: string };

describe("issue 17: usage depth and assignment forms", () => {
  const t = tempDir("keyscan-issue17-depth-");
  let findings: Finding[] = [];
  let status: number | null = null;

  beforeAll(() => {
    expect(existsSync(bin), "build first: npm run build").toBe(true);
    writeTree(t.dir, { ...files, ...placeholders });
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
