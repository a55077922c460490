// Issue 8: an ignore entry or baseline must never hide a *new* secret. gitleaks keys its ignore file on
// file:rule:line, so replacing the secret on an ignored line goes unreported (gitleaks#2239). keyscan keys both on
// the rule+secret fingerprint: the same secret moved elsewhere stays silenced; a different secret on the very same
// line is reported.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fingerprint } from "../../src/engine/fingerprint.js";
import { cli, getimgKey, tempDir } from "../trust/helpers.js";

describe("issue 8: a changed secret on an ignored line is reported", () => {
  for (const how of ["keyscanignore", "baseline"] as const) {
    it(`via ${how}`, async () => {
      const dir = tempDir();
      const old = getimgKey();
      const file = join(dir, "config.env");
      writeFileSync(file, `# settings\nGETIMG_API_KEY=${old}\nOTHER=1\n`);
      const extra: string[] = [];
      if (how === "keyscanignore") writeFileSync(join(dir, ".keyscanignore"), `fingerprint:${fingerprint("getimg.api-key", old)}\n`);
      else {
        expect((await cli(["baseline"], dir)).exitCode).toBe(0);
        extra.push("--baseline", ".keyscan-baseline.json");
      }
      expect((await cli([".", ...extra], dir)).exitCode).toBe(0);

      // Same secret, moved to another line and file: still silenced (the entry is not positional).
      writeFileSync(file, `# settings\n\n\nOTHER=1\nGETIMG_API_KEY=${old}\n`);
      writeFileSync(join(dir, "copy.env"), `GETIMG_API_KEY=${old}\n`);
      expect((await cli([".", ...extra], dir)).exitCode).toBe(0);

      // A new secret on exactly the line that was ignored: reported, at that line.
      const fresh = getimgKey();
      writeFileSync(file, `# settings\nGETIMG_API_KEY=${fresh}\nOTHER=1\n`);
      const r = await cli([".", ...extra, "-f", "json"], dir);
      expect(r.exitCode).toBe(1);
      const findings = JSON.parse(r.stdout).findings;
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ path: "config.env", line: 2, fingerprint: fingerprint("getimg.api-key", fresh) });
    });
  }
});
