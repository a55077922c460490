// Issue 21: the CLI sets V8 flags at start-up (src/cli/bin.ts: heap slack, regexes compiled once, TurboFan without
// inlining), and the release launcher sets the same list before it compiles the bundle (scripts/launcher.cjs
// V8_FLAGS: V8 refuses a code cache made under other flags). V8 does not fail on a flag it does not know: it prints
// "unrecognized flag" on stderr, on every run. So every flag must be known to the Node that runs the tests (the
// release rehearsal runs the installed package on Node 22 and 24 as well), and the two lists must agree.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const launcher = readFileSync(new URL("../../scripts/launcher.cjs", import.meta.url), "utf8");
const launcherFlags = JSON.parse(/const V8_FLAGS = (\[[^\]]*\]);/.exec(launcher)?.[1] ?? "[]") as string[];
/** The literal flags the CLI's own start-up sets (bin.ts, and heap-slack.ts's list). */
const cliFlags = ["../../src/cli/bin.ts", "../../src/util/heap-slack.ts"].flatMap((f) => {
  const text = readFileSync(new URL(f, import.meta.url), "utf8");
  return [...text.matchAll(/"(--[a-z][a-z0-9-]*(?:=\d+)?)"/g)].map((m) => m[1]!);
});

describe("issue 21: the V8 flags keyscan sets", () => {
  it("the launcher sets every flag the CLI sets (and sets some)", () => {
    expect(launcherFlags).toContain("--no-turbo-inlining");
    expect(launcherFlags).toContain("--no-regexp-tier-up");
    for (const flag of cliFlags.filter((f) => !f.startsWith("--semi-space-growth-factor") && f !== "--expose-gc")) expect(launcherFlags).toContain(flag);
  });

  it("this Node knows every one of them (no 'unrecognized flag' on stderr)", () => {
    const script = `const v8 = require("node:v8"); for (const f of ${JSON.stringify(launcherFlags)}) v8.setFlagsFromString(f); v8.setFlagsFromString("--no-such-flag-for-the-test");`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    expect(r.status).toBe(0);
    // The deliberate unknown flag shows what an unknown one prints, so the check below can fail.
    const lines = r.stderr.split("\n").filter((l) => /unrecognized flag/.test(l));
    expect(lines).toEqual([expect.stringContaining("--no-such-flag-for-the-test")]);
  });
});
