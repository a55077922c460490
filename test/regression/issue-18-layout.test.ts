// Issue 18: the source tree keeps the shape of the scan pipeline. The matcher core (src/engine) is closed: it imports
// nothing from the stages around it (sources, executor, finding filters, verify, report, cli), only the neutral
// modules every stage shares (errors, version, util). No module imports itself through others (type-only imports
// count: a cycle of types is still two modules that cannot be understood apart), and no source file is over 500
// lines. The checks read the import statements with the TypeScript compiler's own pre-processor (static, dynamic,
// type-only and re-exports alike), and are themselves shown to fail on a tree that breaks each rule.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const src = join(root, "src");

/** Every .ts file under `dir`, as paths relative to src/ with forward slashes, mapped to its text. */
function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".ts")) out.set(relative(dir, p).split(sep).join("/"), readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return out;
}

/** The src-relative modules each file imports (relative specifiers only; `.js` names the `.ts` source). */
function importGraph(files: ReadonlyMap<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [file, text] of files) {
    const info = ts.preProcessFile(text, true, true);
    const targets = info.importedFiles
      .map((f) => f.fileName)
      .filter((spec) => spec.startsWith("."))
      .map((spec) => join(dirname(file), spec).split(sep).join("/").replace(/\.js$/, ".ts"));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Where the engine may reach outside itself: the modules every stage shares. */
const ENGINE_MAY_IMPORT = [/^errors\.ts$/, /^version\.ts$/, /^util\//];

function engineLeaks(graph: ReadonlyMap<string, string[]>): string[] {
  const leaks: string[] = [];
  for (const [file, targets] of graph) {
    if (!file.startsWith("engine/")) continue;
    for (const t of targets) {
      if (t.startsWith("engine/") || ENGINE_MAY_IMPORT.some((re) => re.test(t))) continue;
      leaks.push(`${file} -> ${t}`);
    }
  }
  return leaks.sort();
}

/** The import cycles (strongly connected components of more than one module, or a module importing itself). */
function cycles(graph: ReadonlyMap<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const MAX_LINES = 500;

function overLong(files: ReadonlyMap<string, string>): string[] {
  return [...files].filter(([, text]) => text.split("\n").length - (text.endsWith("\n") ? 1 : 0) > MAX_LINES).map(([file]) => file);
}

describe("issue 18: the checks fail on a tree that breaks the layout", () => {
  const bad = new Map<string, string>([
    ["engine/core.ts", 'import type { Finding } from "../report/types.js";\nimport { x } from "./helper.js";\n'],
    ["engine/helper.ts", 'export { y } from "../sources/files.js";\nexport const x = () => import("./core.js");\n'],
    ["engine/fine.ts", 'import { KeyscanError } from "../errors.js";\nimport { read } from "../util/safe-read.js";\n'],
    ["report/types.ts", "export interface Finding {}\n"],
    ["sources/files.ts", "export const y = 1;\n"],
    ["big.ts", "x\n".repeat(MAX_LINES + 1)],
  ]);
  const graph = importGraph(bad);

  it("sees an engine module importing a stage above it, type-only imports and re-exports included", () => {
    expect(engineLeaks(graph)).toEqual(["engine/core.ts -> report/types.ts", "engine/helper.ts -> sources/files.ts"]);
  });

  it("sees a cycle closed by a dynamic import", () => {
    expect(cycles(graph)).toEqual([["engine/core.ts", "engine/helper.ts"]]);
  });

  it("sees a file over the line limit", () => {
    expect(overLong(bad)).toEqual(["big.ts"]);
  });
});

describe("issue 18: src/ keeps the pipeline's shape", () => {
  const files = readTree(src);
  const graph = importGraph(files);

  it("reads the whole tree", () => {
    expect(files.size).toBeGreaterThan(50);
    expect(graph.get("scan.ts")).toContain("executor/index.ts");
  });

  it("no file under src/engine imports from sources, executor, filters, verify, report or cli", () => {
    expect(engineLeaks(graph)).toEqual([]);
  });

  it("has no import cycles", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it(`has no source file over ${MAX_LINES} lines`, () => {
    expect(overLong(files)).toEqual([]);
  });
});
