// Issue 18: companion values (the Datadog API key that verifying an application key needs) lived in a WeakMap keyed
// by the Finding object, and history attribution builds new Finding objects, so `keyscan history --verify` sent
// nothing and said "unknown" for every provider that needs a companion. Companions now travel on the finding as
// plain data, and reporters strip them.
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { startServer } from "../verify/helpers.js";
import { tempRepos } from "../git/repo.js";
import { secrets } from "../helpers.js";

const repo = tempRepos();
const gen = secrets("issue-18");

describe("issue 18: keyscan history --verify sends the companion of a secret found in history", () => {
  it("a Datadog application key is verified with the API key from the line above", async () => {
    const r = repo();
    const apiKey = gen("{hex:32}");
    const appKey = gen("{hex:40}");
    r.write("monitoring.env", `DD_API_KEY=${apiKey}\nDD_APP_KEY=${appKey}\n`);
    r.commitAll("add datadog keys");
    r.write("monitoring.env", "# moved to the secret manager\n");
    r.commitAll("remove them");
    const server = await startServer((req, res) => {
      const ok = req.headers["dd-api-key"] === apiKey && (req.headers["dd-application-key"] === undefined || req.headers["dd-application-key"] === appKey);
      res.writeHead(ok ? 200 : 403, { "content-type": "application/json" });
      res.end(JSON.stringify(ok ? { valid: true } : { errors: ["Forbidden"] }));
    });
    try {
      const out = await run(["history", "--verify", "--format", "json", "--verify-endpoint-override", `datadog=${server.base}`], { cwd: r.dir, env: r.env });
      const report = JSON.parse(out.stdout) as { findings: { ruleId: string; verification?: { status: string; reason?: string } }[] };
      const app = report.findings.find((f) => f.ruleId === "datadog.app-key");
      expect(app?.verification?.status, app?.verification?.reason).toBe("verified");
      const appRequest = server.requests.find((q) => q.headers["dd-application-key"] !== undefined);
      expect(appRequest?.headers["dd-application-key"]).toBe(appKey);
      expect(appRequest?.headers["dd-api-key"]).toBe(apiKey); // the companion, from the line above
      expect(out.stdout).not.toContain("companions");
    } finally {
      await server.close();
    }
  });
});
