// Issue 10: the reusable org-audit workflow. Parsed as YAML and checked for what makes it work and keeps it safe:
// callable with the repos file and shard count, a matrix of shard jobs that run `keyscan history --repos --shard`
// and upload their JSON, a merge job that downloads them and writes the HTML audit and a job summary kept under
// 1 MiB, and no `${{ }}` expression inlined into a shell script (values reach `run:` only through `env:`).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../git/repo.js";

interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  strategy?: { matrix?: Record<string, unknown> };
  steps: Step[];
}

const text = readFileSync(join(REPO_ROOT, ".github/workflows/org-audit.yml"), "utf8");
const wf = parse(text) as { on: Record<string, { inputs?: Record<string, unknown> }>; jobs: Record<string, Job> };

describe(".github/workflows/org-audit.yml", () => {
  it("is a reusable workflow taking the repos file and shard count, with a dispatch and schedule example", () => {
    expect(Object.keys(wf.on.workflow_call!.inputs!)).toEqual(expect.arrayContaining(["repos-file", "shards"]));
    expect(wf.on.workflow_dispatch).toBeDefined();
    expect(wf.on.schedule).toBeDefined();
  });

  it("fans out a matrix of shards that run keyscan history --repos --shard k/n and upload their JSON", () => {
    const shard = wf.jobs.shard!;
    expect(String(shard.strategy!.matrix!.shard)).toContain("fromJSON(needs.plan.outputs.matrix)");
    const audit = shard.steps.find((s) => s.run?.includes("keyscan history"))!;
    expect(audit.run).toMatch(/--repos "\$REPOS_FILE" --shard "\$\{SHARD\}\/\$\{SHARDS\}"/);
    expect(audit.run).toContain("--format json -o");
    expect(audit.env!.SHARD).toBe("${{ matrix.shard }}");
    expect(shard.steps.some((s) => s.uses?.startsWith("actions/upload-artifact@"))).toBe(true);
  });

  it("merges the shards into an HTML audit and a job summary under 1 MiB", () => {
    const report = wf.jobs.report!;
    expect(report.needs).toEqual(expect.arrayContaining(["shard"]));
    expect(report.steps.some((s) => s.uses?.startsWith("actions/download-artifact@"))).toBe(true);
    const merge = report.steps.find((s) => s.run?.includes("report --from"))!;
    expect(merge.run).toContain("--from shards/shard-*.json --format html");
    expect(merge.run).toContain("--format markdown");
    expect(merge.run).toContain('"$GITHUB_STEP_SUMMARY"');
    expect(merge.run).toMatch(/limit=(\d+)/);
    expect(Number(/limit=(\d+)/.exec(merge.run!)![1])).toBeLessThan(1024 * 1024);
    expect(report.steps.some((s) => s.uses?.startsWith("actions/upload-artifact@") && String(s.with?.path).endsWith(".html"))).toBe(true);
  });

  it("passes every ${{ }} value to shell scripts through env, never inline", () => {
    const runs = Object.values(wf.jobs).flatMap((j) => j.steps.filter((s) => s.run).map((s) => s.run!));
    expect(runs.length).toBeGreaterThan(2);
    for (const run of runs) expect(run).not.toContain("${{");
  });
});
