// Issue 10: incremental re-audits. A first `keyscan history --state` run scans every blob and writes the state; after
// one new commit (a new key in a new file, and an old key's file deleted) the second run scans only that commit's
// new blob, reports how many it scanned and skipped, and still reports every old secret with the attribution and HEAD
// status a full scan gives (old secrets redacted: the state never holds them). A rule-set change sets the state
// aside. The state file is grepped for every planted secret.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TempRepo, newKey } from "../git/repo.js";
import { redactSecret } from "../../src/report/redact.js";
import type { Finding, ScanResult } from "../../src/report/types.js";
import { buildFixture, keyscan, readResult, type Fixture } from "./fixture.js";

let fixture: Fixture;
beforeAll(() => {
  fixture = buildFixture(TempRepo.create(), "incremental");
}, 120_000);
afterAll(() => fixture?.repo.cleanup());

/** Everything but the secret itself (old findings carry only its redacted form). */
const attribution = (findings: readonly Finding[]) =>
  [...findings]
    .map((f) => ({ fp: f.fingerprint, redacted: redactSecret(f.secret), path: f.path, line: f.line, commit: f.commit?.commit, atHead: f.atHead, locations: f.locations, removedIn: f.removedIn, refs: f.refs }))
    .sort((a, b) => a.fp.localeCompare(b.fp));

describe("keyscan history --state", () => {
  it("rescans only the new commit's blobs and reports old and new findings with correct attribution", async () => {
    const r = fixture.repo;
    const state = join(r.base, "audit-state.json");
    const first = await keyscan(["history", "--state", state, "--format", "json", "--no-redact", "-o", join(r.base, "run1.json")], r.dir, r.env);
    expect(first.code, first.stderr).toBe(1);
    const run1 = readResult(join(r.base, "run1.json"));
    expect(run1.incremental).toEqual({ scanned: run1.stats.scanned, skipped: 0 });
    expect(run1.stats.scanned).toBeGreaterThan(20);

    const added = newKey();
    r.write("services/new.env", `GETIMG_API_KEY=${added}\n`);
    r.remove("rotate.env"); // the rotated-in key leaves HEAD in the same commit
    const newCommit = r.commitAll("new service key, drop rotate.env");

    const second = await keyscan(["history", "--state", state, "--format", "json", "--no-redact", "-o", join(r.base, "run2.json")], r.dir, r.env);
    expect(second.code, second.stderr).toBe(1);
    const run2 = readResult(join(r.base, "run2.json"));
    // Exactly one new blob (services/new.env); everything else came from the state.
    expect(run2.incremental).toEqual({ scanned: 1, skipped: run1.stats.scanned });
    expect(run2.stats.scanned).toBe(1);
    expect(second.stderr).toContain("incremental: 1 new blob scanned");

    // The same audit as a full scan of the new history, secret by secret.
    const full = await keyscan(["history", "--format", "json", "--no-redact", "-o", join(r.base, "full.json")], r.dir, r.env);
    const fullResult: ScanResult = readResult(join(r.base, "full.json"));
    expect(attribution(run2.findings)).toEqual(attribution(fullResult.findings));
    expect(full.code).toBe(1);
    const byFp = new Map(run2.findings.map((f) => [f.fingerprint, f]));
    const fullBySecret = new Map(fullResult.findings.map((f) => [f.secret, f]));
    // The new key is shown in full (it was scanned now); old ones only redacted (they come from the state).
    expect(byFp.get(fullBySecret.get(added)!.fingerprint)!.secret).toBe(added);
    expect(byFp.get(fullBySecret.get(added)!.fingerprint)!.commit?.commit).toBe(newCommit);
    const rotated = byFp.get(fullBySecret.get(fixture.keys.rotatedNew)!.fingerprint)!;
    expect(rotated.secret).toBe(redactSecret(fixture.keys.rotatedNew));
    expect(rotated.atHead).toBe(false);
    expect(rotated.removedIn!.map((x) => x.commit.commit)).toEqual([newCommit]);
    expect(byFp.get(fullBySecret.get(fixture.keys.edited)!.fingerprint)!.atHead).toBe(true);

    // The state never holds a secret.
    const text = readFileSync(state, "utf8");
    for (const key of [...Object.values(fixture.keys), added]) expect(text.includes(key), "a secret leaked into the state").toBe(false);
    expect(text).toContain(redactSecret(added));

    // A third run with nothing new scans nothing.
    const third = await keyscan(["history", "--state", state, "--format", "json", "-o", join(r.base, "run3.json")], r.dir, r.env);
    expect(third.code, third.stderr).toBe(1);
    expect(readResult(join(r.base, "run3.json")).incremental).toEqual({ scanned: 0, skipped: run1.stats.scanned + 1 });
  }, 180_000);

  it("a different rule set sets the state aside: everything is rescanned, with a note", async () => {
    const r = fixture.repo;
    const state = join(r.base, "rules-state.json");
    const a = await keyscan(["history", "--state", state, "--format", "json", "-o", join(r.base, "a.json")], r.dir, r.env);
    expect(a.code, a.stderr).toBe(1);
    const scannedBefore = readResult(join(r.base, "a.json")).stats.scanned;
    // One more rule file (test-only, a made-up provider) changes the rule-set version.
    const rules = join(r.base, "extra-rules.yaml");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(
      rules,
      [
        "provider: example-extra",
        "name: Example Extra",
        "rules:",
        "  - id: example-extra.token",
        "    name: Example Extra token",
        "    description: A made-up token format used only by this test.",
        "    severity: low",
        "    secret:",
        "      pattern: 'exx_[A-Za-z0-9]{32}'",
        "      keywords: [exx_]",
        "      standalone: true",
        "    examples:",
        "      - text: 'token = \"{{secret}}\"'",
        "        secret: 'exx_{alnum:32}'",
        "    negatives: ['token = exx_YOUR_TOKEN_HERE']",
        "",
      ].join("\n"),
    );
    const b = await keyscan(["history", "--rules", rules, "--state", state, "--format", "json", "-o", join(r.base, "b.json")], r.dir, r.env);
    expect(b.code, b.stderr).toBe(1);
    expect(b.stderr).toContain("set aside");
    const run = readResult(join(r.base, "b.json"));
    expect(run.incremental?.skipped).toBe(0);
    expect(run.incremental?.scanned).toBe(scannedBefore);
    expect(run.incremental?.note).toContain("rule set");
  }, 180_000);
});
